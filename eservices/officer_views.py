"""The case officer's workspace: the department's queues (unassigned, mine, all), search, one case with its
timeline, assignment, status, notes, messages, completion requests and decisions, and the decision templates.

Every route needs the case officer role, and shows only the officer's own department; each read of a case is
audit-logged with the reason "case handling".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core import clock
from core.auth import current_staff, require_staff
from core.db import db
from core.i18n import current_language, translated
from core.models import Role, StaffUser
from eservices import casework
from eservices.case_views import (
    abort_denied,
    describe_event,
    document_download,
    send_attachment,
    uploads_from,
)
from eservices.casework import CaseAccessDenied, CaseRuleError, QueueTab
from eservices.casework_models import DecisionOutcome, DecisionTemplate, MessageDirection
from eservices.decision_document import outcome_label
from eservices.models import Case, Service
from eservices.views import case_status_names

__all__ = ["blueprint"]

blueprint = Blueprint("officer", __name__, url_prefix="/officer", template_folder="templates")
blueprint.before_request(require_staff(Role.CASE_OFFICER))


def _staff() -> StaffUser:
    staff = current_staff()
    assert staff is not None  # guaranteed by require_staff
    return staff


def _case(reference: str) -> Case:
    try:
        return casework.case_for_officer(reference, _staff())
    except CaseAccessDenied as denied:
        abort_denied(denied)


def _back_to(case: Case, anchor: str | None = None) -> Response:
    return redirect(url_for("officer.case_page", reference=case.reference, _anchor=anchor))


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        _l("Search cases"),
        description=_l("Case reference, personnummer or name"),
        validators=[Optional(), Length(max=100)],
    )


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Case officer"), validators=[Optional()])


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[DataRequired(_l("Choose a status."))])


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Internal note"),
        description=_l("Only staff see notes. The resident never does."),
        validators=[DataRequired(_l("Write the note.")), Length(max=casework.MAX_MESSAGE_LENGTH)],
    )


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message to the resident"),
        validators=[DataRequired(_l("Write the message.")), Length(max=casework.MAX_MESSAGE_LENGTH)],
    )
    files = MultipleFileField(
        _l("Attach files (optional)"), description=_l("PDF, PNG or JPEG, at most 10 MB each.")
    )


class CompletionRequestForm(FlaskForm):
    description = TextAreaField(
        _l("What is missing"),
        description=_l("The resident reads this. Say what you need and why."),
        validators=[DataRequired(_l("Describe what is missing.")), Length(max=casework.MAX_MESSAGE_LENGTH)],
    )
    fields = CheckboxListField(_l("Answers the resident may change"), validators=[Optional()])
    wants_attachments = BooleanField(_l("The resident may add files"))
    due_date = DateField(
        _l("Due date"),
        description=_l("For example 2026-12-24"),
        validators=[InputRequired(_l("Enter a due date as year-month-day."))],
    )


class DecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=[],
        validators=[InputRequired(_l("Choose an outcome."))],
    )
    reasoning = TextAreaField(
        _l("Reasoning"),
        description=_l("Start from a template and adapt it to the case. The resident reads this."),
        validators=[
            DataRequired(_l("Write the reasoning for the decision.")),
            Length(max=casework.MAX_MESSAGE_LENGTH),
        ],
    )
    template_id = StringField(validators=[Optional()])


class TemplateForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the template a title.")), Length(max=200)]
    )
    service = SelectField(_l("Service"), validators=[Optional()])
    outcome = SelectField(_l("Outcome"), validators=[Optional()])
    body = TextAreaField(
        _l("Template text"),
        validators=[DataRequired(_l("Write the template text.")), Length(max=casework.MAX_MESSAGE_LENGTH)],
    )
    active = BooleanField(_l("In use"), default=True)


def _outcome_choices() -> list[tuple[str, str]]:
    return [(outcome.value, outcome_label(outcome.value)) for outcome in DecisionOutcome]


# --- queues and search --------------------------------------------------------------------------------------------


@blueprint.get("/")
def index() -> str:
    staff = _staff()
    queues = casework.department_queues(staff)
    counts = {
        queue.id: {tab: len(casework.queue_cases(queue, staff, tab)) for tab in QueueTab.ALL_TABS}
        for queue in queues
    }
    return render_template(
        "eservices/officer/index.html", staff=staff, queues=queues, counts=counts, search_form=SearchForm()
    )


def _tab_names() -> dict[str, str]:
    return {QueueTab.UNASSIGNED: _("Unassigned"), QueueTab.MINE: _("Mine"), QueueTab.ALL: _("All")}


@blueprint.get("/queues/<int:queue_id>")
def queue(queue_id: int) -> str:
    staff = _staff()
    try:
        found = casework.queue_for_officer(queue_id, staff)
    except CaseAccessDenied as denied:
        abort_denied(denied)
    tab = request.args.get("tab", QueueTab.UNASSIGNED)
    if tab not in QueueTab.ALL_TABS:
        tab = QueueTab.UNASSIGNED
    return render_template(
        "eservices/officer/queue.html",
        queue=found,
        tab=tab,
        tabs=_tab_names(),
        cases=casework.queue_cases(found, staff, tab),
        status_names=case_status_names(),
    )


@blueprint.get("/search")
def search() -> tuple[str, int]:
    form = SearchForm(request.args)
    results: list[Case] | None = None
    if form.q.data and form.validate():
        results = casework.search_cases(_staff(), form.q.data)
    return (
        render_template(
            "eservices/officer/search.html", form=form, results=results, status_names=case_status_names()
        ),
        200 if not form.errors else 400,
    )


# --- one case -----------------------------------------------------------------------------------------------------


def _assign_form(case: Case) -> AssignForm:
    form = AssignForm(assignee=str(case.assignee_id or ""))
    form.assignee.choices = [("", _("Nobody"))] + [
        (str(officer.id), officer.full_name) for officer in casework.assignable_officers(case)
    ]
    return form


def _status_form(case: Case) -> StatusForm:
    form = StatusForm()
    names = case_status_names()
    form.status.choices = [
        (status, names.get(status, status))
        for status in casework.allowed_transitions(case)
        if status != "decided"
    ]
    return form


def _render_case(
    case: Case,
    *,
    note_form: NoteForm | None = None,
    message_form: MessageForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    staff = _staff()
    casework.record_officer_read(case, staff)
    labels = dict(casework.editable_field_choices(case, current_language()))
    events = casework.timeline(case, for_resident=False)
    return (
        render_template(
            "eservices/officer/case.html",
            case=case,
            staff=staff,
            status_names=case_status_names(),
            assisted_by=casework.assisting_staff(case),
            signature_method_names=casework.signature_method_names(),
            assignee=db.get(StaffUser, case.assignee_id) if case.assignee_id else None,
            labels=labels,
            timeline=[(event, describe_event(event, for_resident=False, labels=labels)) for event in events],
            messages=casework.case_messages(case),
            from_resident=MessageDirection.FROM_RESIDENT.value,
            notes=casework.internal_notes(case),
            completions=casework.completion_requests(case),
            open_completion=casework.open_completion(case),
            decisions=casework.case_decisions(case),
            outcome_label=outcome_label,
            documents=casework.case_documents(case),
            attachments=casework.case_attachments(case),
            assign_form=_assign_form(case),
            status_form=_status_form(case),
            note_form=note_form or NoteForm(formdata=None, prefix="note"),
            message_form=message_form or MessageForm(formdata=None, prefix="message"),
            can_request_completion=casework.open_completion(case) is None
            and (
                case.status == "awaiting_completion"
                or "awaiting_completion" in casework.allowed_transitions(case)
            ),
            can_decide="decided" in casework.allowed_transitions(case),
        ),
        status,
    )


@blueprint.get("/cases/<reference>")
def case_page(reference: str) -> tuple[str, int]:
    return _render_case(_case(reference))


@blueprint.post("/cases/<reference>/assign")
def assign(reference: str) -> Any:
    case = _case(reference)
    staff = _staff()
    if request.form.get("assign_to_me"):
        assignee_id: int | None = staff.id
    else:
        form = _assign_form(case)
        if not form.validate_on_submit():
            abort(400)
        assignee_id = int(form.assignee.data) if form.assignee.data else None
    try:
        casework.assign_case(case, staff, assignee_id)
    except CaseRuleError as problem:
        flash(str(problem), "error")
        return _back_to(case)
    flash(_("The assignment has been saved."), "success")
    return _back_to(case)


@blueprint.post("/cases/<reference>/status")
def change_status(reference: str) -> Any:
    case = _case(reference)
    form = _status_form(case)
    if not form.validate_on_submit():
        flash(_("The case cannot move to that status from where it is now."), "error")
        return _back_to(case)
    try:
        casework.change_status(case, _staff(), form.status.data or "")
    except CaseRuleError as problem:
        flash(str(problem), "error")
        return _back_to(case)
    flash(_("The status has been changed."), "success")
    return _back_to(case)


@blueprint.post("/cases/<reference>/notes")
def add_note(reference: str) -> Any:
    case = _case(reference)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return _render_case(case, note_form=form, status=400)
    casework.add_note(case, _staff(), form.body.data or "")
    flash(_("The note has been saved."), "success")
    return _back_to(case, "notes")


@blueprint.post("/cases/<reference>/messages")
def send_message(reference: str) -> Any:
    case = _case(reference)
    form = MessageForm(prefix="message")
    if not form.validate_on_submit():
        return _render_case(case, message_form=form, status=400)
    try:
        casework.send_message_to_resident(case, _staff(), form.body.data or "", uploads_from(form.files.data))
    except CaseRuleError as problem:
        form.files.errors = [str(problem)]
        return _render_case(case, message_form=form, status=400)
    flash(_("The message has been sent to the resident."), "success")
    return _back_to(case, "messages")


@blueprint.route("/cases/<reference>/completion", methods=["GET", "POST"])
def request_completion(reference: str) -> Any:
    case = _case(reference)
    form = CompletionRequestForm()
    form.fields.choices = casework.editable_field_choices(case, current_language())
    problem = None
    if form.validate_on_submit():
        assert form.due_date.data is not None
        try:
            casework.request_completion(
                case,
                _staff(),
                description=form.description.data or "",
                field_keys=form.fields.data or [],
                wants_attachments=bool(form.wants_attachments.data),
                due_date=form.due_date.data,
            )
        except CaseRuleError as error:
            problem = str(error)
        else:
            flash(_("The completion request has been sent to the resident."), "success")
            return _back_to(case)
    elif request.method == "GET":
        form.due_date.data = clock.now().date() + dt.timedelta(days=14)
    casework.record_officer_read(case, _staff())
    failed = request.method == "POST"
    return (
        render_template("eservices/officer/completion.html", case=case, form=form, problem=problem),
        400 if failed else 200,
    )


@blueprint.route("/cases/<reference>/decision", methods=["GET", "POST"])
def decide(reference: str) -> Any:
    case = _case(reference)
    templates = casework.decision_templates(case.service)
    form = DecisionForm()
    form.outcome.choices = _outcome_choices()
    problem = None
    if form.validate_on_submit():
        template_id = int(form.template_id.data) if (form.template_id.data or "").isdigit() else None
        if template_id is not None and template_id not in {template.id for template in templates}:
            template_id = None
        try:
            casework.decide_case(
                case,
                _staff(),
                outcome=form.outcome.data or "",
                reasoning=form.reasoning.data or "",
                template_id=template_id,
            )
        except CaseRuleError as error:
            problem = str(error)
        else:
            flash(
                _("The decision has been recorded. The resident gets the sealed decision on My pages."),
                "success",
            )
            return _back_to(case)
    elif request.method == "GET":
        chosen = request.args.get("template", "")
        template = next((item for item in templates if str(item.id) == chosen), None)
        if template is not None:
            form.reasoning.data = template.body
            form.template_id.data = str(template.id)
            if template.outcome:
                form.outcome.data = template.outcome
    casework.record_officer_read(case, _staff())
    return (
        render_template(
            "eservices/officer/decision.html",
            case=case,
            form=form,
            templates=templates,
            chosen_template=form.template_id.data or "",
            problem=problem,
        ),
        400 if request.method == "POST" else 200,
    )


@blueprint.get("/cases/<reference>/documents/<int:document_id>")
def document(reference: str, document_id: int) -> Response:
    case = _case(reference)
    try:
        found = casework.document_for_case(case, document_id)
    except CaseAccessDenied as denied:
        abort_denied(denied)
    download = document_download(found)
    if download is None:
        return _back_to(case)
    casework.record_officer_read(case, _staff())
    return download


@blueprint.get("/cases/<reference>/attachments/<int:attachment_id>")
def attachment(reference: str, attachment_id: int) -> Response:
    case = _case(reference)
    try:
        found = casework.find_attachment(case, attachment_id)
    except CaseAccessDenied as denied:
        abort_denied(denied)
    casework.record_officer_read(case, _staff())
    return send_attachment(found)


# --- decision templates -------------------------------------------------------------------------------------------


def _template_form(staff: StaffUser, template: DecisionTemplate | None = None) -> TemplateForm:
    form = TemplateForm(obj=template) if template is not None else TemplateForm()
    form.service.choices = [("", _("All services"))] + [
        (str(service.id), translated(service.title)) for service in casework.department_services(staff)
    ]
    form.outcome.choices = [("", _("Any outcome")), *_outcome_choices()]
    if template is not None and request.method == "GET":
        form.service.data = str(template.service_id or "")
        form.outcome.data = template.outcome or ""
    return form


@blueprint.get("/decision-templates")
def decision_templates() -> str:
    return render_template(
        "eservices/officer/templates.html",
        templates=casework.department_decision_templates(_staff()),
        outcome_label=outcome_label,
    )


@blueprint.route("/decision-templates/new", methods=["GET", "POST"], defaults={"template_id": None})
@blueprint.route("/decision-templates/<int:template_id>", methods=["GET", "POST"])
def edit_decision_template(template_id: int | None) -> Any:
    staff = _staff()
    template = None
    if template_id is not None:
        try:
            template = casework.decision_template_for_officer(template_id, staff)
        except CaseAccessDenied as denied:
            abort_denied(denied)
    form = _template_form(staff, template)
    problem = None
    if form.validate_on_submit():
        service = db.get(Service, int(form.service.data)) if (form.service.data or "").isdigit() else None
        try:
            casework.save_decision_template(
                staff,
                title=form.title.data or "",
                body=form.body.data or "",
                service=service,
                outcome=form.outcome.data or None,
                active=bool(form.active.data),
                template=template,
            )
        except CaseRuleError as error:
            problem = str(error)
        else:
            flash(_("The template has been saved."), "success")
            return redirect(url_for("officer.decision_templates"))
    return (
        render_template(
            "eservices/officer/template_form.html", form=form, template=template, problem=problem
        ),
        400 if request.method == "POST" else 200,
    )
