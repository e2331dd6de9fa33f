"""The catalogue's admin pages for form admins: services with their details, channels and synonyms, categories,
life events with their questions and the rules that map answers to steps, and proactive-offer rules. Every text
is edited in every offered language, every page has a preview, and every save is audit-logged.

Life events' questions and steps are edited as one JSON document (see `docs` in the page's hint); a rule that
refers to an unknown question or answer is rejected when saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core import audit
from core.auth import require_staff
from core.config import Settings
from core.db import db
from core.i18n import LANGUAGE_NAMES
from core.models import Queue, Role
from eservices import catalogue, life_events
from eservices.catalogue_models import (
    LifeEvent,
    LifeEventQuestion,
    LifeEventStep,
    OfferRule,
    ServiceDetails,
)
from eservices.models import Category, Service

__all__ = ["blueprint", "life_event_definition", "parse_life_event_definition"]

blueprint = Blueprint("catalogue_admin", __name__, url_prefix="/admin/catalogue", template_folder="templates")
blueprint.before_request(require_staff(Role.FORM_ADMIN))

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9_]+$")


def _languages() -> list[tuple[str, str]]:
    settings: Settings = current_app.extensions["kanal.settings"]
    return [(code, LANGUAGE_NAMES[code]) for code in settings.languages]


@dataclass
class EditForm:
    """What an edit page shows: values by input name, and errors by input name (in page order)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return str(self.values.get(name) or "").strip()

    def translated(self, name: str, *, required: bool = False, label: str = "") -> dict[str, str]:
        result = {}
        for code, language_name in _languages():
            value = self.text(f"{name}-{code}")
            if value:
                result[code] = value
            elif required:
                self.errors[f"{name}-{code}"] = _(
                    "Enter %(label)s in %(language)s", label=label, language=language_name
                )
        return result

    def optional_url(self, name: str) -> str | None:
        value = self.text(name)
        if value and not re.match(r"^(https?://|/)\S+$", value):
            self.errors[name] = _("Enter an address starting with https:// or /")
        return value or None

    def slug(self, name: str = "slug") -> str:
        value = self.text(name)
        if not SLUG.match(value):
            self.errors[name] = _("Enter an address name of lower-case letters, digits and hyphens")
        return value


def _translated_values(prefix: str, texts: Mapping[str, Any] | None) -> dict[str, Any]:
    return {f"{prefix}-{code}": (texts or {}).get(code, "") for code, _name in _languages()}


def _finish(
    action: str,
    kind: str,
    subject_id: object,
    preview: Callable[[], str],
    saved_message: str,
    back: str,
) -> Any:
    """Either roll the changes back after rendering the preview, or keep them and audit the save."""
    if request.form.get("action") == "preview":
        db.flush()
        page = preview()
        db.rollback()
        return page
    db.flush()
    audit.record(action, kind, subject_id)
    flash(saved_message, "success")
    return redirect(back, code=303)


# --- Index ---------------------------------------------------------------------------------------------------


@blueprint.get("/")
def index() -> str:
    return render_template(
        "eservices/catalogue_admin/index.html",
        services=list(db.scalars(select(Service).order_by(Service.slug))),
        categories=list(db.scalars(select(Category).order_by(Category.position, Category.slug))),
        life_events=life_events.life_events(include_inactive=True),
        offer_rules=list(db.scalars(select(OfferRule).order_by(OfferRule.key))),
    )


# --- Services ------------------------------------------------------------------------------------------------

SERVICE_TEXTS = ("title", "summary")
DETAIL_TEXTS = (
    "description",
    "who_can_apply",
    "what_you_need",
    "processing_time",
    "cost",
    "phone_hours",
    "opening_hours",
)
DETAIL_URLS = ("external_url", "printable_form_url")
DETAIL_STRINGS = ("phone", "visit_address", "postal_address")


def _service_values(service: Service | None, details: ServiceDetails | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if service is not None:
        values.update(slug=service.slug, category=service.category_id, queue=service.queue_id)
        values.update(popular=service.popular, active=service.active)
        for name in SERVICE_TEXTS:
            values.update(_translated_values(name, getattr(service, name)))
    else:
        values.update(active=True)
    for name in DETAIL_TEXTS:
        values.update(_translated_values(name, getattr(details, name, None)))
    for name in DETAIL_URLS + DETAIL_STRINGS:
        values[name] = getattr(details, name, None) or ""
    synonyms = details.synonyms if details is not None else {}
    for code, _name in _languages():
        values[f"synonyms-{code}"] = ", ".join(synonyms.get(code) or [])
    return values


def _render_service(service: Service | None, form: EditForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "eservices/catalogue_admin/service.html",
            service=service,
            form=form,
            languages=_languages(),
            categories=list(db.scalars(select(Category).order_by(Category.position, Category.slug))),
            queues=list(db.scalars(select(Queue).order_by(Queue.name))),
            detail_texts=_detail_labels(),
        ),
        status,
    )


def _detail_labels() -> list[tuple[str, str]]:
    return [
        ("description", _("What the service is")),
        ("who_can_apply", _("Who can apply")),
        ("what_you_need", _("What you need")),
        ("processing_time", _("Processing time")),
        ("cost", _("Cost")),
        ("phone_hours", _("Phone hours")),
        ("opening_hours", _("Opening hours")),
    ]


@blueprint.get("/services/new")
def new_service() -> tuple[str, int]:
    return _render_service(None, EditForm(_service_values(None, None)))


@blueprint.get("/services/<int:service_id>")
def edit_service(service_id: int) -> tuple[str, int]:
    service = _get_or_404(Service, service_id)
    return _render_service(service, EditForm(_service_values(service, catalogue.details_of(service))))


@blueprint.post("/services/new")
@blueprint.post("/services/<int:service_id>")
def save_service(service_id: int | None = None) -> Any:
    service = _get_or_404(Service, service_id) if service_id is not None else None
    form = EditForm(request.form.to_dict())
    slug = form.slug()
    texts = {
        "title": form.translated("title", required=True, label=_("the name")),
        "summary": form.translated("summary", required=True, label=_("the summary")),
    }
    details_texts = {name: form.translated(name) for name in DETAIL_TEXTS}
    urls = {name: form.optional_url(name) for name in DETAIL_URLS}
    category = db.get(Category, int(form.text("category"))) if form.text("category").isdigit() else None
    queue = db.get(Queue, int(form.text("queue"))) if form.text("queue").isdigit() else None
    if category is None:
        form.errors["category"] = _("Choose a category")
    if queue is None:
        form.errors["queue"] = _("Choose the queue that handles the cases")
    clash = db.scalar(select(Service.id).where(Service.slug == slug))
    if clash is not None and (service is None or clash != service.id):
        form.errors["slug"] = _("Another service already has this address name")
    if form.errors:
        return _render_service(service, form, 400)
    assert category is not None and queue is not None
    if service is None:
        service = Service(slug=slug, category=category, queue=queue)
        db.add(service)
    service.slug, service.category, service.queue = slug, category, queue
    service.title, service.summary = texts["title"], texts["summary"]
    service.popular = form.values.get("popular") == "on"
    service.active = form.values.get("active") == "on"
    db.flush()
    details = catalogue.details_of(service) or ServiceDetails(service_id=service.id)
    db.add(details)
    for name, value in details_texts.items():
        setattr(details, name, value)
    for name, url in urls.items():
        setattr(details, name, url)
    for name in DETAIL_STRINGS:
        setattr(details, name, form.text(name) or None)
    details.synonyms = {
        code: [word.strip() for word in form.text(f"synonyms-{code}").split(",") if word.strip()]
        for code, _name in _languages()
        if form.text(f"synonyms-{code}")
    }
    saved = service

    def preview() -> str:
        return render_template("eservices/catalogue_admin/preview_service.html", service=saved)

    return _finish(
        "update" if service_id else "create",
        "service",
        service.id,
        preview,
        _("The service is saved."),
        url_for("catalogue_admin.edit_service", service_id=service.id),
    )


# --- Categories ----------------------------------------------------------------------------------------------


def _render_category(category: Category | None, form: EditForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "eservices/catalogue_admin/category.html", category=category, form=form, languages=_languages()
        ),
        status,
    )


def _category_values(category: Category | None) -> dict[str, Any]:
    if category is None:
        return {"position": 0}
    return {
        "slug": category.slug,
        "position": category.position,
        **_translated_values("title", category.title),
        **_translated_values("description", category.description),
    }


@blueprint.get("/categories/new")
def new_category() -> tuple[str, int]:
    return _render_category(None, EditForm(_category_values(None)))


@blueprint.get("/categories/<int:category_id>")
def edit_category(category_id: int) -> tuple[str, int]:
    category = _get_or_404(Category, category_id)
    return _render_category(category, EditForm(_category_values(category)))


@blueprint.post("/categories/new")
@blueprint.post("/categories/<int:category_id>")
def save_category(category_id: int | None = None) -> Any:
    category = _get_or_404(Category, category_id) if category_id is not None else None
    form = EditForm(request.form.to_dict())
    slug = form.slug()
    title = form.translated("title", required=True, label=_("the name"))
    description = form.translated("description")
    position = _integer(form, "position")
    clash = db.scalar(select(Category.id).where(Category.slug == slug))
    if clash is not None and (category is None or clash != category.id):
        form.errors["slug"] = _("Another category already has this address name")
    if form.errors:
        return _render_category(category, form, 400)
    if category is None:
        category = Category(slug=slug)
        db.add(category)
    category.slug, category.title, category.description, category.position = (
        slug,
        title,
        description,
        position,
    )
    saved = category

    def preview() -> str:
        return render_template("eservices/category.html", category=saved, preview=True)

    db.flush()
    return _finish(
        "update" if category_id else "create",
        "category",
        category.id,
        preview,
        _("The category is saved."),
        url_for("catalogue_admin.edit_category", category_id=category.id),
    )


# --- Life events ---------------------------------------------------------------------------------------------


def life_event_definition(life_event: LifeEvent) -> dict[str, Any]:
    """A life event's questions and steps as the JSON document the admin page edits."""
    return {
        "questions": [
            {"key": q.key, "text": q.text, "hint": q.hint, "options": q.options} for q in life_event.questions
        ],
        "steps": [
            {
                "key": step.key,
                "title": step.title,
                "description": step.description,
                "timing": step.timing,
                "agency": step.agency,
                "service": step.service.slug if step.service is not None else None,
                "external_url": step.external_url,
                "show_when": step.show_when,
            }
            for step in life_event.steps
        ],
    }


def parse_life_event_definition(
    text: str,
) -> tuple[list[LifeEventQuestion], list[LifeEventStep], list[str]]:
    """Questions and steps (not yet added to any life event) from the JSON document, and the problems found.

    Rules that refer to unknown questions or answers are problems, so such a document cannot be saved.
    """
    try:
        data = json.loads(text or "{}")
    except ValueError as error:
        return [], [], [_("The questions and steps are not valid JSON: %(error)s", error=str(error))]
    if not isinstance(data, dict):
        return [], [], [_("The questions and steps must be a JSON object with questions and steps.")]
    problems: list[str] = []
    questions: list[LifeEventQuestion] = []
    for position, item in enumerate(data.get("questions") or []):
        key = str(item.get("key", "")) if isinstance(item, dict) else ""
        if not KEY.match(key) or any(q.key == key for q in questions):
            problems.append(
                _("Question %(number)d needs a unique key of a-z, 0-9 and _.", number=position + 1)
            )
            continue
        options = item.get("options") or []
        if not isinstance(options, list) or any(not isinstance(o, dict) or "value" not in o for o in options):
            problems.append(_("The options of question %(key)s need a value each.", key=key))
            options = []
        questions.append(
            LifeEventQuestion(
                key=key,
                position=position,
                text=_texts(item.get("text")),
                hint=_texts(item.get("hint")),
                options=options,
            )
        )
    steps: list[LifeEventStep] = []
    for position, item in enumerate(data.get("steps") or []):
        key = str(item.get("key", "")) if isinstance(item, dict) else ""
        if not KEY.match(key) or any(s.key == key for s in steps):
            problems.append(_("Step %(number)d needs a unique key of a-z, 0-9 and _.", number=position + 1))
            continue
        service = None
        if item.get("service"):
            service = db.scalar(select(Service).where(Service.slug == str(item["service"])))
            if service is None:
                problems.append(
                    _(
                        "Step %(key)s refers to an unknown service: %(slug)s",
                        key=key,
                        slug=str(item["service"]),
                    )
                )
        steps.append(
            LifeEventStep(
                key=key,
                position=position,
                title=_texts(item.get("title")),
                description=_texts(item.get("description")),
                timing=_texts(item.get("timing")),
                agency=_texts(item.get("agency")),
                service=service,
                external_url=item.get("external_url") or None,
                show_when=item.get("show_when") if item.get("show_when") is not None else [],
            )
        )
        if not steps[-1].title:
            problems.append(_("Step %(key)s needs a title.", key=key))
    problems += [
        f"{problem.step}: {problem.message}" for problem in life_events.rule_problems(questions, steps)
    ]
    return questions, steps, problems


def _texts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(code): str(text) for code, text in value.items() if text}


def _render_life_event(life_event: LifeEvent | None, form: EditForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "eservices/catalogue_admin/life_event.html",
            life_event=life_event,
            form=form,
            languages=_languages(),
        ),
        status,
    )


def _life_event_values(life_event: LifeEvent | None) -> dict[str, Any]:
    if life_event is None:
        return {
            "position": 0,
            "active": True,
            "definition": json.dumps({"questions": [], "steps": []}, indent=2),
        }
    return {
        "slug": life_event.slug,
        "position": life_event.position,
        "active": life_event.active,
        "definition": json.dumps(life_event_definition(life_event), indent=2, ensure_ascii=False),
        **_translated_values("title", life_event.title),
        **_translated_values("summary", life_event.summary),
    }


@blueprint.get("/life-events/new")
def new_life_event() -> tuple[str, int]:
    return _render_life_event(None, EditForm(_life_event_values(None)))


@blueprint.get("/life-events/<int:life_event_id>")
def edit_life_event(life_event_id: int) -> tuple[str, int]:
    life_event = _get_or_404(LifeEvent, life_event_id)
    return _render_life_event(life_event, EditForm(_life_event_values(life_event)))


@blueprint.post("/life-events/new")
@blueprint.post("/life-events/<int:life_event_id>")
def save_life_event(life_event_id: int | None = None) -> Any:
    life_event = _get_or_404(LifeEvent, life_event_id) if life_event_id is not None else None
    form = EditForm(request.form.to_dict())
    slug = form.slug()
    title = form.translated("title", required=True, label=_("the name"))
    summary = form.translated("summary")
    position = _integer(form, "position")
    questions, steps, problems = parse_life_event_definition(form.text("definition"))
    if problems:
        form.errors["definition"] = "; ".join(problems)
    clash = db.scalar(select(LifeEvent.id).where(LifeEvent.slug == slug))
    if clash is not None and (life_event is None or clash != life_event.id):
        form.errors["slug"] = _("Another life event already has this address name")
    if form.errors:
        return _render_life_event(life_event, form, 400)
    if life_event is None:
        life_event = LifeEvent(slug=slug)
        db.add(life_event)
    life_event.slug, life_event.title, life_event.summary = slug, title, summary
    life_event.position, life_event.active = position, form.values.get("active") == "on"
    _replace_children(life_event, questions, steps)
    saved = life_event

    def preview() -> str:
        return render_template(
            "eservices/catalogue_admin/preview_life_event.html",
            life_event=saved,
            options_of=life_events.options_of,
            e_service_url=catalogue.e_service_url,
        )

    return _finish(
        "update" if life_event_id else "create",
        "life_event",
        life_event.id,
        preview,
        _("The life event is saved."),
        url_for("catalogue_admin.edit_life_event", life_event_id=life_event.id),
    )


def _replace_children(
    life_event: LifeEvent, questions: list[LifeEventQuestion], steps: list[LifeEventStep]
) -> None:
    """Update questions and steps by key, so saved checklists keep pointing at the steps that stay."""
    existing_questions = {q.key: q for q in life_event.questions}
    life_event.questions = [_merge(existing_questions.get(q.key), q) for q in questions]
    existing_steps = {s.key: s for s in life_event.steps}
    life_event.steps = [_merge(existing_steps.get(s.key), s) for s in steps]
    db.flush()


def _merge(existing: Any, new: Any) -> Any:
    if existing is None:
        return new
    for column in type(new).__table__.columns:
        if column.key in {"id", "life_event_id"}:
            continue
        setattr(existing, column.key, getattr(new, column.key))
    if isinstance(new, LifeEventStep):
        existing.service = new.service
        new.service = None
    return existing


# --- Offer rules ---------------------------------------------------------------------------------------------


def _render_offer_rule(rule: OfferRule | None, form: EditForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "eservices/catalogue_admin/offer_rule.html",
            rule=rule,
            form=form,
            languages=_languages(),
            kinds=sorted(life_events.OFFER_CHECKS),
            services=list(db.scalars(select(Service).order_by(Service.slug))),
        ),
        status,
    )


def _offer_rule_values(rule: OfferRule | None) -> dict[str, Any]:
    if rule is None:
        return {"active": True, "age_years": 1, "within_months": 3}
    return {
        "key": rule.key,
        "kind": rule.kind,
        "service": rule.service_id,
        "active": rule.active,
        "age_years": rule.parameters.get("age_years", 1),
        "within_months": rule.parameters.get("within_months", 3),
        **_translated_values("title", rule.title),
        **_translated_values("text", rule.text),
    }


@blueprint.get("/offer-rules/new")
def new_offer_rule() -> tuple[str, int]:
    return _render_offer_rule(None, EditForm(_offer_rule_values(None)))


@blueprint.get("/offer-rules/<int:rule_id>")
def edit_offer_rule(rule_id: int) -> tuple[str, int]:
    rule = _get_or_404(OfferRule, rule_id)
    return _render_offer_rule(rule, EditForm(_offer_rule_values(rule)))


@blueprint.post("/offer-rules/new")
@blueprint.post("/offer-rules/<int:rule_id>")
def save_offer_rule(rule_id: int | None = None) -> Any:
    rule = _get_or_404(OfferRule, rule_id) if rule_id is not None else None
    form = EditForm(request.form.to_dict())
    key = form.text("key")
    if not KEY.match(key):
        form.errors["key"] = _("Enter a key of a-z, 0-9 and _")
    kind = form.text("kind")
    if kind not in life_events.OFFER_CHECKS:
        form.errors["kind"] = _("Choose what the rule checks")
    service = db.get(Service, int(form.text("service"))) if form.text("service").isdigit() else None
    if service is None:
        form.errors["service"] = _("Choose the e-service the offer leads to")
    title = form.translated("title", required=True, label=_("the heading"))
    text = form.translated("text", required=True, label=_("the text"))
    parameters = {"age_years": _integer(form, "age_years"), "within_months": _integer(form, "within_months")}
    clash = db.scalar(select(OfferRule.id).where(OfferRule.key == key))
    if clash is not None and (rule is None or clash != rule.id):
        form.errors["key"] = _("Another rule already has this key")
    if form.errors:
        return _render_offer_rule(rule, form, 400)
    assert service is not None
    if rule is None:
        rule = OfferRule(key=key)
        db.add(rule)
    rule.key, rule.kind, rule.service, rule.parameters = key, kind, service, parameters
    rule.title, rule.text, rule.active = title, text, form.values.get("active") == "on"
    saved = rule

    def preview() -> str:
        example = {"child_name": "Alva", "date": "2026-09-01"}
        return render_template(
            "eservices/catalogue_admin/preview_offer_rule.html", rule=saved, example=example
        )

    db.flush()
    return _finish(
        "update" if rule_id else "create",
        "offer_rule",
        rule.id,
        preview,
        _("The offer rule is saved."),
        url_for("catalogue_admin.edit_offer_rule", rule_id=rule.id),
    )


# --- Helpers -------------------------------------------------------------------------------------------------


def _integer(form: EditForm, name: str) -> int:
    value = form.text(name) or "0"
    if not re.fullmatch(r"-?\d{1,6}", value):
        form.errors[name] = _("Enter a whole number")
        return 0
    return int(value)


def _get_or_404(model: Any, identifier: int | None) -> Any:
    found = db.get(model, identifier) if identifier is not None else None
    if found is None:
        abort(404)
    return found
