"""The contact centre's pages: the agent workspace (lookup, resident record, contacts, callback queues, phone
BankID), the resident's "call me back" form and the channel statistics with their open-data downloads.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from contact_center import forms, service, statistics
from contact_center.models import CallbackStatus
from contact_center.routing import NoRouteError
from core import clock
from core.auth import current_resident, current_staff, require_staff
from core.i18n import current_language, translated
from core.models import Role, StaffUser
from core.security import limiter
from eservices import casework, filing
from eservices import service as eservices
from eservices.models import CaseStatus
from forms import service as forms_service
from forms.rendering import PrefillMarks, field_id, form_values, page_view, parse_page
from signing import service as signing

blueprint = Blueprint("contact_center", __name__, url_prefix="/agent", template_folder="templates")
blueprint.before_request(require_staff(Role.AGENT))

callback_blueprint = Blueprint(
    "callback",
    __name__,
    url_prefix="/callback",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

statistics_blueprint = Blueprint("channel_statistics", __name__, url_prefix="/statistics/channels")
statistics_blueprint.before_request(require_staff(Role.AGENT, Role.FORM_ADMIN, Role.SYSTEM_ADMIN))

_OPENINGS_KEY = "contact_center_openings"
OPENING_LIFETIME = dt.timedelta(hours=1)


def _agent() -> StaffUser:
    staff = current_staff()
    assert staff is not None  # guaranteed by require_staff
    return staff


def _guarded(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except service.AccessDenied as denied:
        abort(denied.status)


def _parse_time(raw: str | None) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(raw or "")
    except ValueError:
        return clock.now()
    if parsed.tzinfo is None or parsed > clock.now():
        return clock.now()
    return parsed


def _service_choices() -> list[tuple[str, str]]:
    return [("", _("No particular service"))] + [
        (item.slug, translated(item.title)) for item in service.services_for_guidance()
    ]


# ---------------------------------------------------------------------------------------------------------------
# Record openings: an agent states a reason once per resident and contact; it holds for an hour in the session.


def _opening(resident_id: int) -> dict[str, Any] | None:
    opening = session.get(_OPENINGS_KEY, {}).get(str(resident_id))
    if not opening or clock.now().timestamp() - float(opening["at"]) > OPENING_LIFETIME.total_seconds():
        return None
    return dict(opening)


def _remember_opening(resident_id: int, reason: str, channel: str) -> None:
    openings = dict(session.get(_OPENINGS_KEY, {}))
    openings[str(resident_id)] = {"reason": reason, "channel": channel, "at": clock.now().timestamp()}
    session[_OPENINGS_KEY] = openings


def _require_opening(resident_id: int) -> dict[str, Any] | WerkzeugResponse:
    opening = _opening(resident_id)
    if opening is None:
        return redirect(url_for("contact_center.open_record", resident_id=resident_id))
    return opening


# ---------------------------------------------------------------------------------------------------------------
# Workspace and lookup


@blueprint.get("/")
def workspace() -> str:
    agent = _agent()
    now = clock.now()
    queues = []
    for queue in service.queues_for_agent(agent):
        waiting = service.queue_callbacks(queue)
        queues.append((queue, len(waiting), sum(1 for item in waiting if item.is_overdue(now))))
    return render_template(
        "contact_center/workspace.html", form=forms.LookupForm(request.args), queues=queues, result=None
    )


@blueprint.get("/search")
@limiter.limit("120 per minute")
def search() -> str:
    form = forms.LookupForm(request.args)
    result = service.search_residents(form.q.data) if form.validate() else None
    return render_template("contact_center/workspace.html", form=form, queues=None, result=result)


@blueprint.route("/residents/<int:resident_id>/open", methods=["GET", "POST"])
def open_record(resident_id: int) -> Any:
    agent = _agent()
    resident = _guarded(service.resident_for_agent, agent, resident_id)
    form = forms.OpenRecordForm()
    if form.validate_on_submit():
        _remember_opening(resident.id, form.reason.data, form.channel.data)
        return redirect(url_for("contact_center.record", resident_id=resident.id))
    return render_template("contact_center/open_record.html", form=form, resident=resident)


@blueprint.get("/residents/<int:resident_id>")
def record(resident_id: int) -> Any:
    agent = _agent()
    opening = _require_opening(resident_id)
    if isinstance(opening, WerkzeugResponse):
        _guarded(service.resident_for_agent, agent, resident_id)
        return opening
    resident_record = _guarded(
        service.open_resident_record, agent, resident_id, reason=opening["reason"], channel=opening["channel"]
    )
    return render_template(
        "contact_center/record.html",
        record=resident_record,
        opening=opening,
        bankid_form=forms.PhoneBankIDForm(),
        **_names(),
    )


def _case_status_names() -> dict[str, str]:
    return {
        CaseStatus.DRAFT_SIGNING.value: _("Waiting for signatures"),
        CaseStatus.SUBMITTED.value: _("Submitted"),
        CaseStatus.IN_PROGRESS.value: _("In progress"),
        CaseStatus.AWAITING_COMPLETION.value: _("Waiting for completion"),
        CaseStatus.DECIDED.value: _("Decided"),
        CaseStatus.CLOSED.value: _("Closed"),
        CaseStatus.WITHDRAWN.value: _("Withdrawn"),
    }


def _names() -> dict[str, Any]:
    return {
        "case_status_names": _case_status_names(),
        "channel_names": dict(forms.channel_choices())
        | {"self_service": _("E-service"), "callback": _("Callback request")},
        "contact_outcome_names": forms.contact_outcome_names(),
        "callback_outcome_names": forms.callback_outcome_names(),
        "callback_status_names": _callback_status_names(),
        "preferred_time_names": forms.preferred_time_names(),
        "language_names": dict(forms.language_choices()),
        "signature_method_names": casework.signature_method_names(),
    }


def _callback_status_names() -> dict[str, str]:
    return {
        CallbackStatus.OPEN.value: _("Waiting"),
        CallbackStatus.CLAIMED.value: _("Taken"),
        CallbackStatus.DONE.value: _("Done"),
    }


# ---------------------------------------------------------------------------------------------------------------
# Contact moments and digital-first guidance


@blueprint.route("/contacts/new", methods=["GET", "POST"])
def new_contact() -> Any:
    agent = _agent()
    resident = None
    opening: dict[str, Any] | None = None
    resident_id = request.args.get("resident", type=int)
    if resident_id is not None:
        resident = _guarded(service.resident_for_agent, agent, resident_id)
        required = _require_opening(resident.id)
        if isinstance(required, WerkzeugResponse):
            return required
        opening = required
    form = forms.ContactForm()
    form.service.choices = _service_choices()
    cases = eservices.cases_for_resident(resident.id) if resident else []
    form.cases.choices = [(case.id, case.reference) for case in cases]
    if request.method == "GET":
        form.started_at.data = clock.now().isoformat()
        form.service.data = request.args.get("service", "")
        if opening:
            form.channel.data = opening["channel"]
    chosen_service = eservices.find_service(form.service.data) if form.service.data else None
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            service.log_contact(
                agent,
                channel=form.channel.data,
                outcome=form.outcome.data,
                started_at=_parse_time(form.started_at.data),
                resident_id=resident.id if resident else None,
                service=chosen_service,
                topic=form.topic.data,
                note=form.note.data,
                case_ids=form.cases.data or [],
                reason=opening["reason"] if opening else None,
            )
        except service.InvalidInput as problem:
            errors.append(_(str(problem)))
        else:
            flash(_("The contact was saved."), "success")
            if resident:
                return redirect(url_for("contact_center.record", resident_id=resident.id))
            return redirect(url_for("contact_center.workspace"))
    guidance = None
    if service.has_eservice(chosen_service):
        guidance = forms.GuidanceForm(
            formdata=None,
            service=chosen_service.slug if chosen_service else "",
            channel=form.channel.data,
            started_at=form.started_at.data,
        )
    return render_template(
        "contact_center/contact.html",
        form=form,
        resident=resident,
        chosen_service=chosen_service,
        guidance=guidance,
        errors=errors,
    )


@blueprint.post("/contacts/guide")
def send_guidance() -> Any:
    agent = _agent()
    form = forms.GuidanceForm()
    resident_id = request.args.get("resident", type=int)
    resident = _guarded(service.resident_for_agent, agent, resident_id) if resident_id is not None else None
    opening = _opening(resident.id) if resident else None
    if resident is not None and opening is None:
        return redirect(url_for("contact_center.open_record", resident_id=resident.id))
    chosen = eservices.find_service(form.service.data or "")
    if chosen is None:
        abort(404)
    back = url_for("contact_center.new_contact", resident=resident_id, service=chosen.slug)
    if not form.validate_on_submit():
        flash(_("Enter where to send the link"), "error")
        return redirect(back)
    try:
        service.send_eservice_link(
            agent,
            chosen,
            via=form.via.data,
            address=form.address.data,
            language=resident.preferred_language if resident else current_language(),
            channel=form.channel.data or "phone",
            started_at=_parse_time(form.started_at.data),
            resident_id=resident.id if resident else None,
            reason=opening["reason"] if opening else None,
        )
    except service.InvalidInput as problem:
        flash(_(str(problem)), "error")
        return redirect(back)
    flash(_("The link was sent and the contact saved as guided to e-service."), "success")
    if resident:
        return redirect(url_for("contact_center.record", resident_id=resident.id))
    return redirect(url_for("contact_center.workspace"))


# ---------------------------------------------------------------------------------------------------------------
# Phone BankID


@blueprint.post("/residents/<int:resident_id>/bankid")
@limiter.limit("30 per minute")
def start_bankid(resident_id: int) -> Any:
    agent = _agent()
    resident = _guarded(service.resident_for_agent, agent, resident_id)
    opening = _require_opening(resident.id)
    if isinstance(opening, WerkzeugResponse):
        return opening
    form = forms.PhoneBankIDForm()
    if not form.validate_on_submit():
        flash(_("The text to sign is too long."), "error")
        return redirect(url_for("contact_center.record", resident_id=resident.id))
    try:
        order = service.start_phone_bankid(
            agent,
            resident,
            sign_text=form.sign_text.data or None,
            end_user_ip=request.remote_addr or "",
            reason=opening["reason"],
            channel=opening["channel"],
        )
    except signing.BankIDError:
        flash(_("BankID could not be reached. Try again in a moment."), "error")
        return redirect(url_for("contact_center.record", resident_id=resident.id))
    return redirect(url_for("contact_center.bankid_order", order_ref=order.order_ref))


def _phone_order(order_ref: str) -> Any:
    return _guarded(service.phone_order_for_agent, _agent(), order_ref, request.remote_addr)


@blueprint.get("/bankid/<order_ref>")
def bankid_order(order_ref: str) -> Any:
    order = _phone_order(order_ref)
    verified = None
    if order.state == signing.OrderState.COMPLETE.value:
        verified = service.record_phone_bankid_result(_agent(), order)
        if verified and order.purpose == signing.OrderPurpose.PHONE_SIGN.value and order.next_url:
            _remember_signed_draft(order)
            flash(_("The resident signed with BankID on their phone."), "success")
            return redirect(order.next_url)
    status = signing.order_status(order, current_language(), mobile=False)
    return render_template("contact_center/bankid.html", order=order, status=status, verified=verified)


def _remember_signed_draft(order: signing.BankIDOrder) -> None:
    # The order was started from a draft's check page: the submit button there hands it to the service, which
    # checks it again (this agent's, used, signed by the resident, no answer changed since).
    draft_id = service.phone_signed_draft_id(order)
    if draft_id is not None:
        signed = {key: value for key, value in _signed_drafts().items() if key != str(draft_id)}
        session[_SIGNED_DRAFTS_KEY] = dict([*signed.items(), (str(draft_id), order.order_ref)][-10:])


def _signed_drafts() -> dict[str, str]:
    """Drafts the resident signed by phone BankID in this session: draft id → order reference."""
    stored = session.get(_SIGNED_DRAFTS_KEY)
    if not isinstance(stored, dict):
        return {}
    return {str(key): str(value) for key, value in stored.items()}


def _forget_signed_draft(draft_id: int) -> None:
    session[_SIGNED_DRAFTS_KEY] = {
        key: value for key, value in _signed_drafts().items() if key != str(draft_id)
    }


@blueprint.post("/bankid/<order_ref>/collect")
@limiter.limit("90 per minute")
def bankid_collect(order_ref: str) -> Any:
    order = _phone_order(order_ref)
    signing.collect_order(order)
    page = url_for("contact_center.bankid_order", order_ref=order.order_ref)
    if request.accept_mimetypes.best != "application/json":
        return redirect(page)
    if order.state == signing.OrderState.COMPLETE.value:
        return jsonify({"state": "complete", "redirect": page})
    status = signing.order_status(order, current_language(), mobile=False)
    return jsonify(
        {"state": status.state, "message": status.message, "showQr": False, "retryable": status.retryable}
    )


@blueprint.post("/bankid/<order_ref>/cancel")
def bankid_cancel(order_ref: str) -> WerkzeugResponse:
    order = _phone_order(order_ref)
    signing.cancel_order(order)
    flash(_("The BankID request was cancelled."), "info")
    return redirect(url_for("contact_center.record", resident_id=int(order.subject_id or 0)))


# ---------------------------------------------------------------------------------------------------------------
# Callback queues


@blueprint.get("/queues/<int:queue_id>")
def queue(queue_id: int) -> str:
    agent = _agent()
    found = _guarded(service.queue_for_agent, agent, queue_id)
    done = request.args.get("show") == "done"
    mine_only = request.args.get("languages") == "mine"
    callbacks = service.queue_callbacks(
        found, done=done, languages=(agent.languages or []) if mine_only else None
    )
    return render_template(
        "contact_center/queue.html",
        queue=found,
        callbacks=callbacks,
        done=done,
        mine_only=mine_only,
        now=clock.now(),
        agent=agent,
        **_names(),
    )


@blueprint.get("/callbacks/<int:callback_id>")
def callback(callback_id: int) -> str:
    agent = _agent()
    found = _guarded(service.callback_for_agent, agent, callback_id)
    return render_template(
        "contact_center/callback.html",
        callback=found,
        form=forms.CompleteCallbackForm(),
        speakers=service.agents_speaking(found.language, found.queue),
        now=clock.now(),
        agent=agent,
        **_names(),
    )


@blueprint.post("/callbacks/<int:callback_id>/claim")
def claim(callback_id: int) -> WerkzeugResponse:
    agent = _agent()
    found = _guarded(service.callback_for_agent, agent, callback_id)
    try:
        service.claim_callback(agent, found)
    except service.InvalidInput as problem:
        flash(_(str(problem)), "error")
    else:
        flash(_("You have taken the callback request."), "success")
    return redirect(url_for("contact_center.callback", callback_id=found.id))


@blueprint.post("/callbacks/<int:callback_id>/complete")
def complete(callback_id: int) -> Any:
    agent = _agent()
    found = _guarded(service.callback_for_agent, agent, callback_id)
    form = forms.CompleteCallbackForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            service.complete_callback(agent, found, outcome=form.outcome.data, note=form.note.data)
        except service.InvalidInput as problem:
            errors.append(_(str(problem)))
        else:
            flash(_("The callback request is done and the caller will be told."), "success")
            return redirect(url_for("contact_center.queue", queue_id=found.queue_id))
    return render_template(
        "contact_center/callback.html",
        callback=found,
        form=form,
        errors=errors,
        speakers=service.agents_speaking(found.language, found.queue),
        now=clock.now(),
        agent=agent,
        **_names(),
    ), 400


@blueprint.route("/callbacks/new", methods=["GET", "POST"])
def new_callback() -> Any:
    agent = _agent()
    resident = None
    resident_id = request.args.get("resident", type=int)
    if resident_id is not None:
        resident = _guarded(service.resident_for_agent, agent, resident_id)
        if _opening(resident.id) is None:
            return redirect(url_for("contact_center.open_record", resident_id=resident.id))
    form = forms.AgentCallbackForm()
    form.service.choices = _service_choices()
    if request.method == "GET" and resident is not None:
        form.phone.data = resident.phone
        form.email.data = resident.email
        form.language.data = resident.preferred_language
        form.name.data = resident.full_name
    errors: list[str] = []
    if form.validate_on_submit():
        chosen = eservices.find_service(form.service.data) if form.service.data else None
        try:
            created = service.request_callback(
                phone=form.phone.data,
                language=form.language.data,
                preferred_time=form.preferred_time.data,
                service=chosen,
                resident=resident,
                caller_name=form.name.data,
                email=form.email.data,
                message=form.message.data,
                agent=agent,
            )
        except NoRouteError:
            errors.append(_("No queue takes callback requests about this. Choose a service."))
        except service.InvalidInput as problem:
            errors.append(_(str(problem)))
        else:
            flash(
                _("The callback request was sent to the queue %(queue)s.", queue=created.queue.name),
                "success",
            )
            if resident:
                return redirect(url_for("contact_center.record", resident_id=resident.id))
            return redirect(url_for("contact_center.workspace"))
    return render_template("contact_center/new_callback.html", form=form, resident=resident, errors=errors)


# ---------------------------------------------------------------------------------------------------------------
# The resident's "call me back" form, linked from every service page


@callback_blueprint.route("/", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def request_callback() -> Any:
    chosen = eservices.find_service(request.args.get("service", ""))
    if request.args.get("service") and chosen is None:
        abort(404)
    resident = current_resident()
    form = forms.CallbackRequestForm()
    if request.method == "GET":
        form.language.data = current_language()
        if resident is not None:
            form.phone.data = resident.phone
            form.email.data = resident.email
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            service.request_callback(
                phone=form.phone.data,
                language=form.language.data,
                preferred_time=form.preferred_time.data,
                service=chosen,
                resident=resident,
                caller_name=form.name.data or (resident.full_name if resident else None),
                email=form.email.data,
                message=form.message.data,
            )
        except NoRouteError:
            errors.append(_("We cannot take callback requests right now. Please call the contact centre."))
        else:
            return redirect(url_for("callback.thanks", service=chosen.slug if chosen else None))
    return render_template(
        "contact_center/request_callback.html", form=form, service=chosen, resident=resident, errors=errors
    )


@callback_blueprint.get("/thanks")
def thanks() -> str:
    chosen = eservices.find_service(request.args.get("service", ""))
    return render_template("contact_center/callback_thanks.html", service=chosen)


# ---------------------------------------------------------------------------------------------------------------
# Statistics


def _statistics_scope() -> int | None:
    staff = current_staff()
    assert staff is not None
    if staff.has_role(Role.SYSTEM_ADMIN, Role.FORM_ADMIN):
        return None
    # An agent sees their own department's figures; without a department there are none to see.
    return staff.department_id if staff.department_id is not None else -1


def _requested_months() -> list[statistics.Month]:
    today = clock.now()
    this_month = statistics.Month(today.year, today.month)
    first = statistics.parse_month(request.args.get("from") or request.args.get("month"), this_month)
    last = statistics.parse_month(request.args.get("to") or request.args.get("month"), first)
    return statistics.month_range(first, max(first, last))


@statistics_blueprint.get("/")
def statistics_page() -> str:
    months = _requested_months()
    month = months[0]
    rows = statistics.figures_for_months([month], _statistics_scope())
    service_titles = {item.slug: translated(item.title) for item in service.services_for_guidance()}
    return render_template(
        "contact_center/statistics.html",
        month=month,
        rows=rows,
        total=statistics.totals(rows, str(month)),
        charts=_charts(rows, service_titles),
        service_titles=service_titles,
        previous_month=_previous(month),
        next_month=month.next(),
        **_names(),
    )


def _previous(month: statistics.Month) -> statistics.Month:
    return (
        statistics.Month(month.year - 1, 12)
        if month.month == 1
        else statistics.Month(month.year, month.month - 1)
    )


def _charts(rows: list[statistics.ServiceFigures], titles: dict[str, str]) -> dict[str, statistics.BarChart]:
    names = _names()
    channel_names = {key: str(value) for key, value in names["channel_names"].items()}

    def label(slug: str) -> str:
        return titles.get(slug, _("No particular service") if slug == statistics.NO_SERVICE else slug)

    with_cases = [row for row in rows if row.cases_total]
    with_contacts = [row for row in rows if row.contacts_total]
    with_leads = [row for row in rows if row.median_lead_days_digital or row.median_lead_days_assisted]
    with_callbacks = [row for row in rows if row.callbacks_completed]
    return {
        "cases": statistics.stacked_chart(
            _("Cases by channel"),
            [(label(row.service), dict(row.cases_by_channel)) for row in with_cases],
            {channel: channel_names[channel] for channel in statistics.CASE_CHANNELS},
        ),
        "digital_share": statistics.stacked_chart(
            _("Digital share of cases (%)"),
            [
                (label(row.service), {"digital": round((row.digital_share or 0) * 100, 1)})
                for row in with_cases
            ],
            {"digital": _("Digital share")},
            unit="%",
        ),
        "lead_time": statistics.stacked_chart(
            _("Median lead time in days, digital and assisted"),
            [
                (label(row.service) + " – " + _("digital"), {"digital": row.median_lead_days_digital or 0})
                for row in with_leads
            ]
            + [
                (label(row.service) + " – " + _("assisted"), {"assisted": row.median_lead_days_assisted or 0})
                for row in with_leads
            ],
            {"digital": _("Digital"), "assisted": _("Assisted")},
        ),
        "contacts": statistics.stacked_chart(
            _("Contacts by channel and outcome"),
            [(label(row.service), dict(row.contacts_by_outcome)) for row in with_contacts],
            {key: str(value) for key, value in names["contact_outcome_names"].items()},
        ),
        "callbacks": statistics.stacked_chart(
            _("Callbacks handled within SLA"),
            [
                (
                    label(row.service),
                    {
                        "within": row.callbacks_within_sla,
                        "late": row.callbacks_completed - row.callbacks_within_sla,
                    },
                )
                for row in with_callbacks
            ],
            {"within": _("Within SLA"), "late": _("Late")},
        ),
    }


def _download_name(months: list[statistics.Month], extension: str) -> str:
    return f"kanal-channel-statistics-{months[0]}-{months[-1]}.{extension}"


@statistics_blueprint.get("/download.csv")
def statistics_csv() -> Response:
    months = _requested_months()
    rows = statistics.figures_for_months(months, _statistics_scope())
    return Response(
        statistics.to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(months, "csv")}"'},
    )


@statistics_blueprint.get("/download.json")
def statistics_json() -> Response:
    months = _requested_months()
    rows = statistics.figures_for_months(months, _statistics_scope())
    return Response(
        statistics.to_json(rows),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(months, "json")}"'},
    )


# ---------------------------------------------------------------------------------------------------------------
# Filing on behalf: the same filing flow and pages as the resident's, with the agent as actor

_SIGNED_DRAFTS_KEY = "contact_center_signed_drafts"


def _resident_with_opening(resident_id: int) -> tuple[Any, dict[str, Any]] | WerkzeugResponse:
    resident = _guarded(service.resident_for_agent, _agent(), resident_id)
    opening = _require_opening(resident.id)
    if isinstance(opening, WerkzeugResponse):
        return opening
    return resident, opening


def _identity_names() -> dict[str, str]:
    return {
        service.IdentityMethod.BANKID_PHONE: _("BankID on the resident's own phone"),
        service.IdentityMethod.ID_DOCUMENT: _("Identity document shown at the desk"),
        service.IdentityMethod.KNOWN_EARLIER: _("Known from an earlier contact"),
    }


def _draft_step_url(resident_id: int, draft: Any, step: filing.Step | None, **arguments: Any) -> str:
    if step is None:
        return url_for("contact_center.draft_check", resident_id=resident_id, draft_id=draft.id)
    return url_for(
        "contact_center.draft_page",
        resident_id=resident_id,
        draft_id=draft.id,
        page_id=step.page_id,
        field_key=step.field_key,
        **arguments,
    )


@blueprint.route("/residents/<int:resident_id>/file", methods=["GET", "POST"])
def file_on_behalf(resident_id: int) -> Any:
    found = _resident_with_opening(resident_id)
    if isinstance(found, WerkzeugResponse):
        return found
    resident, opening = found
    services = service.filing_services()
    if request.method == "POST":
        chosen = eservices.find_service(request.form.get("service", ""))
        if chosen is None or chosen not in services:
            flash(_("Choose a service."), "error")
            return redirect(url_for("contact_center.file_on_behalf", resident_id=resident.id))
        draft = service.start_filing_on_behalf(
            _agent(), resident, chosen, channel=opening["channel"], reason=opening["reason"]
        )
        return redirect(
            _draft_step_url(resident.id, draft, filing.resume_step(draft, current_language())), 303
        )
    return render_template(
        "contact_center/file_on_behalf.html",
        resident=resident,
        services=services,
        drafts=filing.drafts_for_resident(resident.id),
    )


@blueprint.route(
    "/residents/<int:resident_id>/drafts/<int:draft_id>/pages/<page_id>", methods=["GET", "POST"]
)
@blueprint.route(
    "/residents/<int:resident_id>/drafts/<int:draft_id>/pages/<page_id>/<field_key>", methods=["GET", "POST"]
)
def draft_page(resident_id: int, draft_id: int, page_id: str, field_key: str | None = None) -> Any:
    found = _resident_with_opening(resident_id)
    if isinstance(found, WerkzeugResponse):
        return found
    resident, _opening_data = found
    draft = _guarded(service.draft_for_agent, _agent(), resident, draft_id)
    definition = filing.definition_of(draft)
    step = filing.Step(page_id, field_key)
    if not filing.valid_step(definition, step):
        abort(404)
    language = current_language()
    values, logic_answers, errors, status = (
        form_values(definition, page_id, draft.answers),
        draft.answers,
        [],
        200,
    )
    if request.method == "POST":
        outcome = filing.save_page(
            draft,
            step,
            parse_page(definition, page_id, request.form),
            {},
            language,
            request.form.get("action", "continue"),
        )
        if outcome.went_back:
            target = outcome.next_step
            return redirect(
                _draft_step_url(resident.id, draft, target)
                if target is not None
                else url_for("contact_center.file_on_behalf", resident_id=resident.id),
                303,
            )
        if outcome.saved:
            # A changed answer needs a new signature: the resident signed what they were read before.
            _forget_signed_draft(draft.id)
            return redirect(_draft_step_url(resident.id, draft, outcome.next_step), 303)
        values, logic_answers, errors, status = outcome.values, outcome.logic_answers, outcome.errors, 400
    prefilled_answers, origins = filing.prefill_marks_of(draft)
    view = page_view(
        definition,
        page_id,
        values,
        language,
        errors=errors,
        marks=PrefillMarks(prefilled_answers, origins),
        only_field=field_key,
        logic_answers=logic_answers,
    )
    shown = filing.steps(definition, logic_answers)
    previous = filing.step_before(definition, step, draft.answers)
    chosen = filing.service_of(draft)
    return render_template(
        "eservices/filing/page.html",
        draft=draft,
        step=step,
        view=view,
        service=chosen,
        form_title=forms_service.label_text(definition.title, language),
        position=shown.index(step) + 1 if step in shown else len(shown),
        total=len(shown),
        previous_url=_draft_step_url(resident.id, draft, previous) if previous is not None else None,
        service_url=url_for("contact_center.file_on_behalf", resident_id=resident.id),
        changing=False,
        question_heading=field_key is not None,
    ), status


def _render_check(
    resident: Any,
    draft: Any,
    *,
    paper_form: forms.PaperSignatureForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    language = current_language()
    definition = filing.definition_of(draft)
    summary = filing.check_answers(draft, language)
    return render_template(
        "contact_center/filing_check.html",
        resident=resident,
        draft=draft,
        summary=summary,
        service=filing.service_of(draft),
        form_title=forms_service.label_text(definition.title, language),
        change_url=lambda row: _draft_step_url(resident.id, draft, row.step) + "#" + field_id(row.field_key),
        problem_url=_draft_step_url(resident.id, draft, summary.first_problem)
        if summary.first_problem
        else None,
        signed=str(draft.id) in _signed_drafts(),
        requires_signature=definition.requires_signature,
        paper_form=paper_form or forms.PaperSignatureForm(formdata=None),
        identity_names=_identity_names(),
        without_signature=service.IdentityMethod.WITHOUT_SIGNATURE,
        bankid_phone=service.IdentityMethod.BANKID_PHONE,
    ), status


@blueprint.get("/residents/<int:resident_id>/drafts/<int:draft_id>/check")
def draft_check(resident_id: int, draft_id: int) -> Any:
    found = _resident_with_opening(resident_id)
    if isinstance(found, WerkzeugResponse):
        return found
    resident, _opening = found
    draft = _guarded(service.draft_for_agent, _agent(), resident, draft_id)
    return _render_check(resident, draft)


@blueprint.post("/residents/<int:resident_id>/drafts/<int:draft_id>/check")
def draft_sign_on_paper(resident_id: int, draft_id: int) -> Any:
    """The resident signed on paper: file the application with the scanned signature page attached."""
    found = _resident_with_opening(resident_id)
    if isinstance(found, WerkzeugResponse):
        return found
    resident, opening = found
    draft = _guarded(service.draft_for_agent, _agent(), resident, draft_id)
    form = forms.PaperSignatureForm()
    if not form.validate_on_submit():
        return _render_check(resident, draft, paper_form=form, status=400)
    upload = form.signature_page.data
    return _submit(
        resident,
        draft_id,
        opening,
        identity_method=form.identity_method.data,
        signature=service.SignatureChoice.PAPER,
        signature_page=eservices.Upload(filename=upload.filename or "", data=upload.read()),
        paper_form=form,
    )


@blueprint.post("/residents/<int:resident_id>/drafts/<int:draft_id>/sign")
@limiter.limit("30 per minute")
def draft_sign(resident_id: int, draft_id: int) -> Any:
    found = _resident_with_opening(resident_id)
    if isinstance(found, WerkzeugResponse):
        return found
    resident, opening = found
    draft = _guarded(service.draft_for_agent, _agent(), resident, draft_id)
    chosen = filing.service_of(draft)
    text = _(
        "I, %(name)s, apply for %(service)s (application %(draft)d) with the answers the contact centre read to me.",
        name=resident.full_name,
        service=translated(chosen.title),
        draft=draft.id,
    )
    try:
        order = service.start_phone_bankid(
            _agent(),
            resident,
            sign_text=text,
            end_user_ip=request.remote_addr or "",
            reason=opening["reason"],
            channel=opening["channel"],
            next_url=url_for("contact_center.draft_check", resident_id=resident.id, draft_id=draft.id),
        )
    except signing.BankIDError:
        flash(_("BankID could not be reached. Try again in a moment."), "error")
        return redirect(url_for("contact_center.draft_check", resident_id=resident.id, draft_id=draft.id))
    return redirect(url_for("contact_center.bankid_order", order_ref=order.order_ref))


@blueprint.post("/residents/<int:resident_id>/drafts/<int:draft_id>/submit")
def draft_submit(resident_id: int, draft_id: int) -> Any:
    found = _resident_with_opening(resident_id)
    if isinstance(found, WerkzeugResponse):
        return found
    resident, opening = found
    method = request.form.get("identity_method", "")
    order_ref = _signed_drafts().get(str(draft_id))
    phone_order = signing.find_session_order(order_ref, request.remote_addr) if order_ref else None
    return _submit(
        resident,
        draft_id,
        opening,
        identity_method=method,
        signature=service.SignatureChoice.BANKID_PHONE
        if method == service.IdentityMethod.BANKID_PHONE
        else None,
        phone_order=phone_order,
    )


def _submit(
    resident: Any,
    draft_id: int,
    opening: dict[str, Any],
    *,
    identity_method: str,
    signature: str | None,
    phone_order: signing.BankIDOrder | None = None,
    signature_page: eservices.Upload | None = None,
    paper_form: forms.PaperSignatureForm | None = None,
) -> Any:
    check_url = url_for("contact_center.draft_check", resident_id=resident.id, draft_id=draft_id)
    try:
        case = _guarded(
            service.submit_on_behalf,
            _agent(),
            resident,
            draft_id,
            identity_method=identity_method,
            language=current_language(),
            reason=opening["reason"],
            signature=signature,
            phone_order=phone_order,
            signature_page=signature_page,
        )
    except service.InvalidInput as problem:
        if paper_form is None:
            flash(_(str(problem)), "error")
            return redirect(check_url)
        # The answers stay on the draft; only the file has to be chosen again.
        paper_form.signature_page.errors = [_(str(problem))]
        draft = _guarded(service.draft_for_agent, _agent(), resident, draft_id)
        return _render_check(resident, draft, paper_form=paper_form, status=400)
    except filing.DraftNotFound:
        abort(404)
    except filing.DraftIncomplete:
        flash(_("Some answers are missing."), "error")
        return redirect(check_url)
    _forget_signed_draft(draft_id)
    flash(_("Case %(reference)s was filed for the resident.", reference=case.reference), "success")
    return redirect(url_for("contact_center.record", resident_id=resident.id))


@blueprint.get("/residents/<int:resident_id>/cases/<reference>/signature-page")
def case_signature_page(resident_id: int, reference: str) -> Any:
    """The scanned page a resident signed on paper, as a download, for an agent who opened their record."""
    found = _resident_with_opening(resident_id)
    if isinstance(found, WerkzeugResponse):
        return found
    resident, opening = found
    page = _guarded(service.signature_page_for_agent, _agent(), resident, reference, reason=opening["reason"])
    return send_file(
        io.BytesIO(casework.attachment_bytes(page)),
        mimetype=page.content_type,
        as_attachment=True,
        download_name=page.filename,
    )
