"""Easy-to-read ("lättläst") service summaries: the resident's page at /services/<slug>/easy-read, the link to it
from the service page, and the form admin's page to write the summaries (/admin/easy-read/)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Length

from core import audit
from core.auth import current_staff, require_staff
from core.config import SUPPORTED_LANGUAGES
from core.db import db
from core.i18n import LANGUAGE_NAMES, current_language, text_direction
from core.models import Role
from eservices import service as catalogue
from eservices.easy_read_models import EasyReadSummary
from eservices.models import Service

__all__ = ["admin_blueprint", "blueprint", "easy_read_paragraphs", "shown_language", "summary_for"]

MAX_SUMMARY_CHARACTERS = 4000

blueprint = Blueprint("easy_read", __name__, template_folder="templates")
admin_blueprint = Blueprint(
    "easy_read_admin", __name__, url_prefix="/admin/easy-read", template_folder="templates"
)
admin_blueprint.before_request(require_staff(Role.FORM_ADMIN, Role.SYSTEM_ADMIN))


def summary_for(service_id: int) -> EasyReadSummary | None:
    """The service's easy-to-read summary, if it has one with text in any language."""
    summary = db.get(EasyReadSummary, service_id)
    if summary is None or not any(text.strip() for text in (summary.text or {}).values()):
        return None
    return summary


def shown_language(summary: EasyReadSummary) -> str:
    """The language the summary is shown in: the visitor's, or the first fallback that has a text."""
    texts = summary.text or {}
    for candidate in (current_language(), "sv", "en", *texts):
        if str(texts.get(candidate, "")).strip():
            return candidate
    return current_language()


def easy_read_paragraphs(summary: EasyReadSummary) -> list[str]:
    """The summary in `shown_language`, one item per paragraph (paragraphs are separated by a blank line)."""
    text = str((summary.text or {}).get(shown_language(summary), ""))
    return [paragraph.strip() for paragraph in text.replace("\r\n", "\n").split("\n\n") if paragraph.strip()]


@blueprint.app_context_processor
def easy_read_context() -> dict[str, Any]:
    def has_easy_read(found: Service) -> bool:
        return summary_for(found.id) is not None

    return {"has_easy_read": has_easy_read}


@blueprint.get("/services/<slug>/easy-read")
def summary_page(slug: str) -> str:
    found = catalogue.find_service(slug)
    summary = summary_for(found.id) if found is not None else None
    if found is None or summary is None:
        abort(404)
    language = shown_language(summary)
    return render_template(
        "eservices/easy_read.html",
        service=found,
        paragraphs=easy_read_paragraphs(summary),
        text_language=language,
        text_direction_of_summary=text_direction(language),
        shown_in_another_language=language != current_language(),
    )


class EasyReadForm(FlaskForm):
    """One text box per language; the form class is built per request so every supported language has one."""


def _easy_read_form_class() -> type[EasyReadForm]:
    class Form(EasyReadForm):
        pass

    for language in SUPPORTED_LANGUAGES:
        setattr(
            Form,
            f"text_{language}",
            TextAreaField(
                _l("Easy-to-read text (%(language)s)", language=LANGUAGE_NAMES[language]),
                description=_l("Short sentences and everyday words. Leave a blank line between paragraphs."),
                validators=[
                    Length(
                        max=MAX_SUMMARY_CHARACTERS,
                        message=_l("Keep the text under %(max)s characters", max=MAX_SUMMARY_CHARACTERS),
                    )
                ],
            ),
        )
    return Form


@admin_blueprint.get("/")
def index() -> str:
    services = list(db.scalars(select(Service).order_by(Service.slug)))
    summaries = {item.service_id: item for item in db.scalars(select(EasyReadSummary))}
    return render_template("eservices/easy_read_admin_index.html", services=services, summaries=summaries)


@admin_blueprint.route("/<slug>", methods=["GET", "POST"])
def edit(slug: str) -> Any:
    found = db.scalar(select(Service).where(Service.slug == slug))
    if found is None:
        abort(404)
    summary = db.get(EasyReadSummary, found.id)
    existing = (summary.text if summary is not None else None) or {}
    form = _easy_read_form_class()(
        data={f"text_{language}": existing.get(language, "") for language in SUPPORTED_LANGUAGES}
    )
    if form.validate_on_submit():
        staff = current_staff()
        if staff is None:  # pragma: no cover - guaranteed by require_staff
            abort(403)
        if summary is None:
            summary = EasyReadSummary(service_id=found.id)
            db.add(summary)
        summary.text = {
            language: (getattr(form, f"text_{language}").data or "").strip()
            for language in SUPPORTED_LANGUAGES
        }
        summary.updated_by_id = staff.id
        audit.record(
            "update",
            "easy_read_summary",
            found.id,
            details={"languages": sorted(code for code, text in summary.text.items() if text)},
        )
        flash(_("The easy-to-read text is saved."), "success")
        return redirect(url_for("easy_read_admin.index"))
    return render_template(
        "eservices/easy_read_edit.html",
        form=form,
        service=found,
        languages=[(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
    )
