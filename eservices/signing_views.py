"""Signing submissions on the web: the sign step after check-answers, the BankID status page for sign orders,
the applicant's "who has signed" page (remind, withdraw), and the co-signer's pages (`/cosign/<token>`).

Thin views over `eservices.submission_signing` and `eservices.cosigning`; the BankID status page works like the
login's (`signing/views.py`): a Continue button without JavaScript, `bankid.js` polling with it. Every refusal
is a page with a clear message in the person's language, never an error 500.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.auth import current_resident, require_resident
from core.db import db
from core.i18n import current_language, translated
from core.models import Resident
from core.security import limiter
from eservices import cosigning, filing
from eservices import submission_signing as signing
from eservices.models import Case, CaseStatus
from eservices.signing_models import CosignRequest, CosignStatus, SignatureRole
from forms import service as forms
from forms.models import Draft
from signing import service as bankid
from signing.models import BankIDOrder, OrderPurpose, OrderState
from signing.rfa import StartedVia, rfa_for, rfa_message

blueprint = Blueprint("submission_signing", __name__, template_folder="templates")
blueprint.before_request(require_resident())

_SUBJECTS = (signing.APPLICANT_SUBJECT, cosigning.COSIGN_SUBJECT)


def _resident() -> Resident:
    resident = current_resident()
    if resident is None:  # require_resident has already sent anyone else to the login
        abort(403)
    return resident


def _access() -> filing.DraftAccess:
    return filing.DraftAccess(resident_id=_resident().id)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _started_via() -> StartedVia:
    return "autostart" if request.form.get("device") == "this" else "qr"


def _refused(title: str, message: str, status: int) -> tuple[str, int]:
    return render_template("eservices/signing/refused.html", title=title, message=message), status


def _start_error(error: bankid.BankIDError) -> str:
    return rfa_message(rfa_for(error_code=error.error_code), current_language())


# The applicant's sign step --------------------------------------------------------------------------------------


def _draft(draft_id: int) -> Draft:
    try:
        return filing.load_draft(draft_id, _access())
    except filing.DraftNotFound:
        abort(404)


def _after_submission(case: Case) -> str:
    if case.status == CaseStatus.DRAFT_SIGNING.value:
        return url_for("submission_signing.case_signatures", reference=case.reference)
    return url_for("filing.done", draft_id=case.draft_id)


def _render_sign_page(draft: Draft, error: str | None = None, status: int = 200) -> tuple[str, int]:
    language = current_language()
    definition = filing.definition_of(draft)
    answers = filing.final_answers(draft, language)
    cosigners = signing.named_cosigners(definition, answers)
    resident = _resident()
    self_named = resident.personnummer in cosigners
    if self_named and error is None:
        error, status = str(signing.SelfCosign.default_message), 400
    key = signing.cosigner_field(definition)
    return render_template(
        "eservices/signing/sign.html",
        draft=draft,
        service=filing.service_of(draft),
        form_title=forms.label_text(definition.title, language),
        sections=signing.summary_sections(definition, answers, language),
        cosigner_count=len([number for number in cosigners if number != resident.personnummer]),
        error=error,
        self_named=self_named,
        change_url=_change_url(draft, key) if key else None,
        check_url=url_for("filing.check", draft_id=draft.id),
    ), status


def _change_url(draft: Draft, field_key: str) -> str:
    definition = filing.definition_of(draft)
    field = definition.field(field_key)
    page_id = field.page_id
    if definition.settings.get("one_question_per_page"):
        question = field.group_key or field.key
        return url_for("filing.question", draft_id=draft.id, page_id=page_id, field_key=question, change="1")
    return url_for("filing.page", draft_id=draft.id, page_id=page_id, change="1")


def _ready_draft_or_redirect(draft_id: int) -> Draft | Response:
    draft = _draft(draft_id)
    case = filing.submitted_case(draft)
    if case is not None:
        return redirect(_after_submission(case), code=303)
    if not filing.definition_of(draft).requires_signature:
        return redirect(url_for("filing.check", draft_id=draft.id), code=303)
    if filing.check_answers(draft, current_language()).first_problem is not None:
        flash(_("Some answers need your attention before you can send the application."), "error")
        return redirect(url_for("filing.check", draft_id=draft.id), code=303)
    return draft


@blueprint.get("/e/<int:draft_id>/sign")
def sign_page(draft_id: int) -> Any:
    draft = _ready_draft_or_redirect(draft_id)
    if isinstance(draft, Response):
        return draft
    return _render_sign_page(draft)


@blueprint.post("/e/<int:draft_id>/sign")
@limiter.limit("30 per minute")
def start_sign(draft_id: int) -> Any:
    draft = _ready_draft_or_redirect(draft_id)
    if isinstance(draft, Response):
        return draft
    try:
        order = signing.start_applicant_order(
            draft,
            _resident(),
            _started_via(),
            request.remote_addr or "",
            current_language(),
            url_for("submission_signing.sign_page", draft_id=draft.id),
        )
    except signing.SelfCosign as refused:
        return _render_sign_page(draft, str(refused.message), 400)
    except bankid.BankIDError as error:
        return _render_sign_page(draft, _start_error(error), 503 if error.retryable else 400)
    return redirect(url_for("submission_signing.order_page", order_ref=order.order_ref), code=303)


# The BankID status page for sign orders --------------------------------------------------------------------------


def _order_or_404(order_ref: str) -> BankIDOrder:
    order = bankid.find_session_order(order_ref, request.remote_addr)
    if order is None or order.purpose != OrderPurpose.SIGN.value or order.subject_kind not in _SUBJECTS:
        abort(404)  # the same answer for unknown, foreign and forged references
    return order


def _subject_url(order: BankIDOrder) -> str:
    """Where the person started this order: the sign step or the co-sign page."""
    if order.subject_kind == cosigning.COSIGN_SUBJECT:
        cosign_request = db.get(CosignRequest, int(order.subject_id or 0))
        if cosign_request is None:
            abort(404)
        return url_for("submission_signing.cosign_page", token=cosign_request.token)
    return url_for("submission_signing.sign_page", draft_id=int(order.subject_id or 0))


def _finish(order: BankIDOrder) -> str:
    """Accept a completed order and say where to go next; a refusal is flashed on the page it came from."""
    resident = _resident()
    language = current_language()
    try:
        if order.subject_kind == cosigning.COSIGN_SUBJECT:
            cosigning.accept_cosignature(order, resident, language)
            flash(_("Thank you. Your signature has been registered."), "success")
            return _subject_url(order)
        submission = signing.accept_applicant_signature(
            order, _access(), filing.Actor.resident(resident), language
        )
        return _after_submission(submission.case)
    except signing.SigningRefused as refused:
        flash(str(refused.message), "error")
        return _subject_url(order)
    except filing.DraftIncomplete:
        flash(_("Some answers need your attention before you can send the application."), "error")
        return url_for("filing.check", draft_id=int(order.subject_id or 0))
    except filing.DraftNotFound:
        abort(404)


def _used_order(order: BankIDOrder) -> Any:
    """An order already used: back to what it signed if it signed something here, else a clear refusal."""
    signature = signing.signature_for_order(order.order_ref)
    if signature is not None:
        case = db.get(Case, signature.case_id)
        if signature.role == SignatureRole.APPLICANT.value and case is not None:
            return redirect(_after_submission(case))
        return redirect(_subject_url(order))
    return _refused(
        _("This signature has already been used"), str(signing.OrderReplayed.default_message), 409
    )


@blueprint.get("/signing/<order_ref>")
def order_page(order_ref: str) -> Any:
    order = _order_or_404(order_ref)
    if order.state == OrderState.COMPLETE.value:
        return redirect(_finish(order))
    if order.state == OrderState.CONSUMED.value:
        return _used_order(order)
    status = bankid.browser_order_status(order, current_language())
    return render_template(
        "eservices/signing/order.html",
        order=order,
        status=status,
        restart_url=_subject_url(order),
        cosigning=order.subject_kind == cosigning.COSIGN_SUBJECT,
    )


@blueprint.post("/signing/<order_ref>/collect")
@limiter.limit("90 per minute")
def collect(order_ref: str) -> Any:
    order = _order_or_404(order_ref)
    if order.state == OrderState.CONSUMED.value:
        if _wants_json():
            return jsonify({"state": "consumed", "redirect": url_for(".order_page", order_ref=order_ref)})
        return redirect(url_for(".order_page", order_ref=order_ref), code=303)
    bankid.collect_order(order)
    if order.state == OrderState.COMPLETE.value:
        destination = _finish(order)
        if _wants_json():
            return jsonify({"state": "complete", "redirect": destination})
        return redirect(destination, code=303)
    if _wants_json():
        return jsonify(bankid.browser_order_status(order, current_language()).to_json())
    return redirect(url_for(".order_page", order_ref=order.order_ref), code=303)


@blueprint.get("/signing/<order_ref>/qr.svg")
def qr_code(order_ref: str) -> Response:
    order = _order_or_404(order_ref)
    status = bankid.browser_order_status(order, current_language())
    if not status.show_qr:
        abort(404)
    svg = bankid.qr_svg(order, _("QR code to scan with the BankID app"))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@blueprint.post("/signing/<order_ref>/cancel")
def cancel(order_ref: str) -> Response:
    order = _order_or_404(order_ref)
    bankid.cancel_order(order)
    flash(
        _("The signing was cancelled. Nothing has been sent; you can sign again when you are ready."), "info"
    )
    return redirect(_subject_url(order), code=303)


# The applicant: who has signed ----------------------------------------------------------------------------------


def _own_case(reference: str) -> Case:
    case = db.scalar(select(Case).where(Case.reference == reference))
    if case is None or case.resident_id != _resident().id or signing.applicant_signature(case.id) is None:
        abort(404)
    return case


@blueprint.get("/signatures/<reference>")
def case_signatures(reference: str) -> Any:
    case = _own_case(reference)
    progress = cosigning.cosign_progress(case)
    applicant = next(
        (item for item in progress.signatures if item.role == SignatureRole.APPLICANT.value), None
    )
    return render_template(
        "eservices/signing/case_signatures.html",
        case=case,
        service_title=translated(case.service.title),
        progress=progress,
        applicant=applicant,
        awaiting=case.status == CaseStatus.DRAFT_SIGNING.value,
        statuses=CosignStatus,
        unreachable={item.id for item in progress.waiting if not cosigning.reachable(item)},
    )


@blueprint.post("/signatures/<reference>/remind/<int:request_id>")
@limiter.limit("10 per hour")
def remind(reference: str, request_id: int) -> Response:
    case = _own_case(reference)
    try:
        cosigning.remind(case, request_id, _resident())
    except signing.SigningRefused as refused:
        flash(str(refused.message), "error")
    else:
        flash(_("A reminder has been sent."), "success")
    return redirect(url_for(".case_signatures", reference=reference), code=303)


@blueprint.post("/signatures/<reference>/withdraw")
def withdraw(reference: str) -> Response:
    case = _own_case(reference)
    try:
        cosigning.withdraw_submission(case, ("resident", str(_resident().id)))
    except signing.SigningRefused as refused:
        flash(str(refused.message), "error")
    else:
        flash(_("The application has been withdrawn. Nobody else can sign it now."), "info")
    return redirect(url_for(".case_signatures", reference=reference), code=303)


# The co-signer ----------------------------------------------------------------------------------------------------


@blueprint.get("/cosign/")
def cosign_requests() -> str:
    return render_template(
        "eservices/signing/cosign_list.html", requests=cosigning.open_requests_for(_resident())
    )


def _cosign_refusal(cosign_request: CosignRequest, resident: Resident) -> tuple[str, int] | None:
    try:
        cosigning.check_cosigner(cosign_request, resident)
    except signing.SelfCosign as refused:
        return _refused(_("You cannot co-sign this application"), str(refused.message), 403)
    except signing.SignerMismatch:
        return _refused(
            _("This request is for another person"),
            _(
                "Only the person named in the application can sign it, with their own BankID. "
                "If you got this link by mistake, you can ignore it."
            ),
            403,
        )
    except cosigning.RequestExpired as refused:
        return _refused(_("The request has expired"), str(refused.message), 410)
    except cosigning.RequestClosed as refused:
        return _refused(_("The request is closed"), str(refused.message), 410)
    return None


def _cosign_request(token: str) -> CosignRequest:
    found = cosigning.find_request(token)
    if found is None:
        abort(404)
    return found


def _render_cosign_page(cosign_request: CosignRequest, error: str | None = None, status: int = 200) -> Any:
    resident = _resident()
    case = cosign_request.case
    signed_by_me = cosign_request.status == CosignStatus.SIGNED.value and (
        resident.personnummer == cosign_request.personal_number
    )
    if not signed_by_me:
        refusal = _cosign_refusal(cosign_request, resident)
        if refusal is not None:
            return refusal
    language = current_language()
    applicant = signing.applicant_signature(case.id)
    return render_template(
        "eservices/signing/cosign.html",
        request_=cosign_request,
        case=case,
        service_title=translated(case.service.title),
        applicant_name=applicant.signer_name if applicant else "",
        sections=signing.summary_sections(cosigning.case_definition(case), case.answers, language),
        signed=signed_by_me,
        error=error,
    ), status


@blueprint.get("/cosign/<token>")
def cosign_page(token: str) -> Any:
    return _render_cosign_page(_cosign_request(token))


@blueprint.post("/cosign/<token>")
@limiter.limit("30 per minute")
def start_cosign(token: str) -> Any:
    cosign_request = _cosign_request(token)
    resident = _resident()
    refusal = _cosign_refusal(cosign_request, resident)
    if refusal is not None:
        return refusal
    try:
        order = cosigning.start_cosign_order(
            cosign_request,
            resident,
            _started_via(),
            request.remote_addr or "",
            current_language(),
            url_for(".cosign_page", token=token),
        )
    except bankid.BankIDError as error:
        return _render_cosign_page(cosign_request, _start_error(error), 503 if error.retryable else 400)
    return redirect(url_for(".order_page", order_ref=order.order_ref), code=303)


@blueprint.app_context_processor
def signing_context() -> dict[str, Any]:
    """For My pages (`eservices/signing/_my_pages.html`): requests to sign, and own cases waiting for others."""

    def cosign_requests_waiting() -> list[CosignRequest]:
        resident = current_resident()
        return cosigning.open_requests_for(resident) if resident is not None else []

    def cases_awaiting_signatures() -> list[Case]:
        resident = current_resident()
        if resident is None:
            return []
        return list(
            db.scalars(
                select(Case)
                .where(Case.resident_id == resident.id, Case.status == CaseStatus.DRAFT_SIGNING.value)
                .order_by(Case.created_at.desc())
            )
        )

    return {
        "cosign_requests_waiting": cosign_requests_waiting,
        "cases_awaiting_signatures": cases_awaiting_signatures,
    }
