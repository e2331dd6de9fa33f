"""The resident's case pages under My pages: one case with its timeline, documents, messages and decisions, the
completion form, and downloads of documents and attachments. Only the case's own resident gets any of it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any, NoReturn

from babel.dates import format_datetime
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from core.auth import current_resident, require_resident
from core.i18n import current_language
from core.models import Resident, StaffUser
from eservices import casework
from eservices.casework import CaseAccessDenied, CaseRuleError, Upload
from eservices.casework_models import CaseAttachment, CompletionStatus, MessageDirection
from eservices.decision_document import outcome_label
from eservices.models import Case, CaseEvent
from eservices.views import case_status_names
from signing.document_models import Document
from signing.documents.receipt import DISPLAY_TIMEZONE

__all__ = [
    "abort_denied",
    "blueprint",
    "describe_event",
    "document_download",
    "send_attachment",
    "uploads_from",
]

blueprint = Blueprint("case_pages", __name__, url_prefix="/my-pages/cases", template_folder="templates")
blueprint.before_request(require_resident())


@blueprint.app_template_filter("case_time")
def case_time(value: dt.datetime | None) -> str:
    """A moment on a case page, in the municipality's time zone."""
    if value is None:
        return ""
    return format_datetime(value, "yyyy-MM-dd HH:mm", tzinfo=DISPLAY_TIMEZONE, locale=current_language())


class ResidentMessageForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(_l("Write your message.")),
            Length(max=casework.MAX_MESSAGE_LENGTH, message=_l("Write at most 10000 characters.")),
        ],
    )
    files = MultipleFileField(
        _l("Attach files (optional)"), description=_l("PDF, PNG or JPEG, at most 10 MB each.")
    )


class CompletionForm(FlaskForm):
    """The completion's files; its answers are plain inputs named "answer-<key>", one per requested answer."""

    files = MultipleFileField(_l("Add files"), description=_l("PDF, PNG or JPEG, at most 10 MB each."))


def uploads_from(files: list[FileStorage]) -> list[Upload]:
    """The files a form sent, read into memory (each is at most the request size limit); empty inputs skipped."""
    uploads = []
    for storage in files or []:
        if storage is None or not storage.filename:
            continue
        uploads.append(Upload(filename=storage.filename, data=storage.read()))
    return uploads


def _resident() -> Resident:
    resident = current_resident()
    assert resident is not None  # guaranteed by require_resident
    return resident


def abort_denied(denied: CaseAccessDenied) -> NoReturn:
    """Answer a refused case, document or attachment with the status case handling chose (404 or 403)."""
    abort(denied.status)


def _own_case(reference: str) -> Case:
    try:
        return casework.case_for_resident(reference, _resident())
    except CaseAccessDenied as denied:
        abort_denied(denied)


def describe_event(event: CaseEvent, *, for_resident: bool, labels: Mapping[str, str] | None = None) -> str:
    """One timeline entry as a sentence in the current language."""
    data: dict[str, Any] = event.data or {}
    statuses = case_status_names()
    kind = event.kind
    if kind == "submitted":
        return _("The case was submitted.")
    if kind == "status_changed":
        return _("Status changed to %(status)s.", status=statuses.get(data.get("to", ""), data.get("to", "")))
    if kind == "message_to_resident":
        return _("Message from the case officer.") if for_resident else _("Message sent to the resident.")
    if kind == "message_from_resident":
        return _("You sent a message.") if for_resident else _("Message from the resident.")
    if kind == "completion_requested":
        return _("Completion requested, due %(date)s.", date=data.get("due_date", ""))
    if kind == "answer_changed":
        field = (labels or {}).get(data.get("field", ""), data.get("field", ""))
        return _(
            "The answer “%(field)s” was changed from “%(old)s” to “%(new)s”.",
            field=field,
            old=_plain(data.get("old")),
            new=_plain(data.get("new")),
        )
    if kind == "attachment_added":
        return _("File added: %(name)s.", name=data.get("filename", ""))
    if kind == "signed_on_paper":
        return _(
            "Signed on paper, scanned signature page attached by agent %(name)s.",
            name=data.get("agent_name", ""),
        )
    if kind == "completion_submitted":
        return _("The completion was sent.")
    if kind == "decided":
        return _("Decision: %(outcome)s.", outcome=outcome_label(str(data.get("outcome", ""))))
    if kind == "assigned":
        if data.get("to_name"):
            return _("Assigned to %(name)s.", name=data["to_name"])
        return _("No longer assigned.")
    if kind == "note_added":
        return _("Internal note added.")
    return kind.replace("_", " ")


def _plain(value: Any) -> str:
    if value is None or value == "":
        return _("(not answered)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(_plain(item) for item in value.values())
    return str(value)


def _field_labels(case: Case) -> dict[str, str]:
    return dict(casework.editable_field_choices(case, current_language()))


def _render_case(case: Case, message_form: ResidentMessageForm, status: int = 200) -> tuple[str, int]:
    assisted_by: StaffUser | None = casework.assisting_staff(case)
    events = casework.timeline(case, for_resident=True)
    labels = _field_labels(case)
    messages = casework.case_messages(case)
    return (
        render_template(
            "eservices/case/case.html",
            case=case,
            status_names=case_status_names(),
            assisted_by=assisted_by,
            signature_method_names=casework.signature_method_names(),
            signature_page=casework.signature_page(case),
            timeline=[(event, describe_event(event, for_resident=True, labels=labels)) for event in events],
            documents=casework.case_documents(case),
            decisions=casework.case_decisions(case),
            outcome_label=outcome_label,
            messages=messages,
            from_resident=MessageDirection.FROM_RESIDENT.value,
            open_completion=casework.open_completion(case),
            completion_attachments=[
                attachment
                for attachment in casework.case_attachments(case)
                if attachment.completion_request_id is not None
            ],
            message_form=message_form,
            closed=case.status in casework.CLOSED_STATUSES,
        ),
        status,
    )


@blueprint.get("/<reference>")
def case_page(reference: str) -> tuple[str, int]:
    case = _own_case(reference)
    return _render_case(case, ResidentMessageForm())


@blueprint.post("/<reference>/messages")
def send_message(reference: str) -> Any:
    case = _own_case(reference)
    form = ResidentMessageForm()
    if not form.validate_on_submit():
        return _render_case(case, form, 400)
    try:
        casework.send_message_from_resident(
            case, _resident(), form.body.data or "", uploads_from(form.files.data)
        )
    except CaseRuleError as problem:
        form.body.errors = [str(problem)]
        return _render_case(case, form, 400)
    flash(_("Your message has been sent."), "success")
    return redirect(url_for("case_pages.case_page", reference=case.reference, _anchor="messages"))


@blueprint.route("/<reference>/completions/<int:completion_id>", methods=["GET", "POST"])
def completion(reference: str, completion_id: int) -> Any:
    case = _own_case(reference)
    try:
        requested = casework.completion_for_resident(case, completion_id)
    except CaseAccessDenied as denied:
        abort_denied(denied)
    language = current_language()
    fields = casework.completion_fields(case, requested, language)
    errors: dict[str, list[casework.Message]] = {}
    values = {field.key: _plain_input(field.value) for field in fields}
    form = CompletionForm()
    is_open = requested.status == CompletionStatus.OPEN.value
    if is_open and form.validate_on_submit():
        values = {field.key: request.form.get(f"answer-{field.key}", "") for field in fields}
        uploads = uploads_from(form.files.data)
        errors = casework.submit_completion(case, requested, _resident(), values, uploads, language)
        if not errors:
            flash(_("Thank you. Your completion has been sent to the case officer."), "success")
            return redirect(url_for("case_pages.case_page", reference=case.reference))
    return (
        render_template(
            "eservices/case/completion.html",
            case=case,
            completion=requested,
            fields=fields,
            values=values,
            errors=errors,
            form=form,
            is_open=is_open,
        ),
        400 if errors or form.errors else 200,
    )


def _plain_input(value: Any) -> str:
    return "" if value is None else str(value)


@blueprint.get("/<reference>/documents/<int:document_id>")
def document(reference: str, document_id: int) -> Response:
    case = _own_case(reference)
    try:
        found = casework.document_for_case(case, document_id)
    except CaseAccessDenied as denied:
        abort_denied(denied)
    return document_download(found) or redirect(url_for("case_pages.case_page", reference=case.reference))


def document_download(document: Document) -> Response | None:
    """The sealed PDF as a download; None, with a note for the next page, while the worker has not sealed it."""
    data = casework.document_pdf(document)
    if data is None:
        flash(_("The document is still being prepared. Try again in a minute."), "info")
        return None
    return send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=document.filename
    )


@blueprint.get("/<reference>/attachments/<int:attachment_id>")
def attachment(reference: str, attachment_id: int) -> Response:
    case = _own_case(reference)
    try:
        found = casework.find_attachment(case, attachment_id)
    except CaseAccessDenied as denied:
        abort_denied(denied)
    return send_attachment(found)


def send_attachment(found: CaseAttachment) -> Response:
    """An attachment as a download, never shown inline: it is someone's upload, whatever it claims to be."""
    return send_file(
        io.BytesIO(casework.attachment_bytes(found)),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
    )
