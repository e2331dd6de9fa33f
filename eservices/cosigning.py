"""Multi-party signing: co-signers named by personnummer sign the applicant's submission with their own BankID
before the case reaches the officers' queue.

Each named person gets a `CosignRequest` with a random token for the link in their notification; the link only
leads to the page, and signing needs a BankID login and a BankID signature by exactly the personnummer named (an
e-mail address never identifies anyone, Open Forms #3257), and never the applicant's own (#5598). Until every
request is signed the case is "awaiting_signatures", which every queue leaves out. The applicant sees who has
signed, can remind (at most once a day per person) or withdraw; unsigned requests get a reminder before they
expire after `COSIGN_EXPIRY_DAYS`, and an expired request withdraws the case (`flask expire-cosign-requests`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import click
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit, clock
from core.db import db, unit_of_work
from core.models import Resident
from core.residents import find_resident
from eservices import events, filing, notifications
from eservices import submission_signing as signing
from eservices.models import Case, CaseEvent, CaseStatus
from eservices.service import add_case_event, announce_submission
from eservices.signing_models import CosignRequest, CosignStatus, Signature, SignatureRole
from forms.service import FormDefinition
from signing import service as bankid

__all__ = [
    "COSIGN_EXPIRY_DAYS",
    "COSIGN_SUBJECT",
    "EXPIRY_REMINDER_BEFORE",
    "REMINDER_INTERVAL",
    "CosignProgress",
    "ReminderTooSoon",
    "RequestClosed",
    "RequestExpired",
    "accept_cosignature",
    "case_definition",
    "commands",
    "cosign_progress",
    "expire_cosign_requests",
    "find_request",
    "open_requests_for",
    "queue_visible",
    "reachable",
    "release_case",
    "remind",
    "request_cosignatures",
    "start_cosign_order",
    "withdraw_submission",
]

COSIGN_SUBJECT = "cosign"
"""`subject_kind` of a co-signer's BankID order; its `subject_id` is the CosignRequest id."""

COSIGN_EXPIRY_DAYS = 14
EXPIRY_REMINDER_BEFORE = dt.timedelta(days=3)
REMINDER_INTERVAL = dt.timedelta(hours=24)


class RequestExpired(signing.SigningRefused):
    default_message = _l(
        "This request to sign has expired. The applicant can start a new application if it is still needed."
    )


class RequestClosed(signing.SigningRefused):
    default_message = _l("This request to sign is no longer open: it was signed already or withdrawn.")


class ReminderTooSoon(signing.SigningRefused):
    default_message = _l("A reminder was sent recently. You can send another one tomorrow.")


def _expiry_days() -> int:
    # A deployment may set `cosign_expiry_days` in its settings; the 14 days otherwise.
    settings = current_app.extensions["kanal.settings"]
    return int(getattr(settings, "cosign_expiry_days", COSIGN_EXPIRY_DAYS))


def queue_visible(statement: Any) -> Any:
    """Leave cases still waiting for signatures out of a `select(Case)` (for queue and API queries)."""
    return statement.where(Case.status != CaseStatus.DRAFT_SIGNING.value)


# Requests ------------------------------------------------------------------------------------------------------


def _notify(case: Case, request: CosignRequest, event: CaseEvent | None = None) -> bool:
    """Tell the co-signer through `cosign_requested`, if Kanal knows them (else they find it on My pages)."""
    recipient = find_resident(request.personal_number)
    if recipient is None:
        return False
    extra: dict[str, Any] = {"recipient": recipient, "request": request}
    if event is not None:
        db.flush()
        extra["event"] = event  # a reminder is a new occurrence, so the outbox sends it again
    events.cosign_requested.send(case, **extra)
    return True


def reachable(request: CosignRequest) -> bool:
    """Whether Kanal can notify the person named in the request: known to Kanal, with an address to write to.
    Otherwise only the link the applicant shares brings them to the request."""
    person = find_resident(request.personal_number)
    return person is not None and notifications.can_reach(person)


def request_cosignatures(case: Case, personal_numbers: list[str]) -> list[CosignRequest]:
    """Put the case on hold and ask each person to co-sign; in the caller's transaction."""
    now = clock.now()
    expires = now + dt.timedelta(days=_expiry_days())
    old_status = case.status
    case.status = CaseStatus.DRAFT_SIGNING.value
    event = (
        add_case_event(
            case, "status_changed", actor=("system", None), data={"from": old_status, "to": case.status}
        )
        if old_status != case.status
        else None
    )
    requests = []
    for personal_number in personal_numbers:
        request = CosignRequest(
            case_id=case.id,
            personal_number=personal_number,
            token=secrets.token_urlsafe(32),
            status=CosignStatus.PENDING.value,
            created_at=now,
            expires_at=expires,
        )
        db.add(request)
        requests.append(request)
    db.flush()
    if event is not None:
        events.case_status_changed.send(case, old_status=old_status, new_status=case.status, event=event)
    for request in requests:
        _notify(case, request)
    audit.record(
        "cosign.requested",
        "case",
        case.id,
        resident_id=case.resident_id,
        actor=("system", None),
        details={"requests": [request.id for request in requests]},
    )
    return requests


def find_request(token: str) -> CosignRequest | None:
    if not token or len(token) > 64:
        return None
    return db.scalar(select(CosignRequest).where(CosignRequest.token == token))


def _expired(request: CosignRequest) -> bool:
    return request.status == CosignStatus.EXPIRED.value or (
        request.status == CosignStatus.PENDING.value and clock.now() >= request.expires_at
    )


def open_requests_for(resident: Resident) -> list[CosignRequest]:
    """Requests waiting for this person's signature (for their My pages)."""
    return list(
        db.scalars(
            select(CosignRequest)
            .join(Case, Case.id == CosignRequest.case_id)
            .where(
                CosignRequest.personal_number == resident.personnummer,
                CosignRequest.status == CosignStatus.PENDING.value,
                CosignRequest.expires_at > clock.now(),
                Case.status == CaseStatus.DRAFT_SIGNING.value,
            )
            .order_by(CosignRequest.created_at)
        )
    )


def check_cosigner(request: CosignRequest, resident: Resident) -> None:
    """Whether `resident` may sign `request` now; raises SelfCosign, SignerMismatch, RequestExpired, RequestClosed."""
    case = request.case
    if case.resident_id == resident.id:
        raise signing.SelfCosign(f"resident {resident.id} tried to co-sign their own case {case.id}")
    if resident.personnummer != request.personal_number:
        raise signing.SignerMismatch(
            f"resident {resident.id} is not the person named in request {request.id}"
        )
    if _expired(request):
        raise RequestExpired(f"request {request.id} has expired")
    if request.status != CosignStatus.PENDING.value or case.status != CaseStatus.DRAFT_SIGNING.value:
        raise RequestClosed(f"request {request.id} is {request.status}, its case {case.status}")


def case_definition(case: Case) -> FormDefinition:
    if case.form_version is None:
        raise RequestClosed(f"case {case.id} has no form version to sign")
    return filing.definition_for_version(case.form_version)


def start_cosign_order(
    request: CosignRequest,
    resident: Resident,
    started_via: Any,
    end_user_ip: str,
    language: str,
    next_url: str,
) -> bankid.BankIDOrder:
    """Start the co-signer's BankID order: the same summary (in their language) and the applicant's digest."""
    check_cosigner(request, resident)
    case = request.case
    applicant = signing.applicant_signature(case.id)
    if applicant is None or case.form_version is None:
        raise RequestClosed(f"case {case.id} has no applicant signature")
    definition = case_definition(case)
    title = signing.service_title(case.service.title, language)
    return bankid.start_order(
        bankid.OrderPurpose.SIGN,
        started_via,
        end_user_ip,
        personal_number=request.personal_number,
        user_visible_data=signing.visible_summary(
            title, signing.summary_sections(definition, case.answers, language)
        ),
        user_non_visible_data=applicant.signed_digest,
        next_url=next_url,
        subject=(COSIGN_SUBJECT, str(request.id)),
    )


def accept_cosignature(order: bankid.BankIDOrder, resident: Resident, language: str) -> Signature:
    """Record a co-signer's completed order; releases the case when it was the last signature.

    Raises SigningRefused (SignatureInvalid, SignerMismatch, SelfCosign, OrderReplayed, RequestExpired, ...).
    """
    if order.subject_kind != COSIGN_SUBJECT or order.subject_id is None or not order.subject_id.isdigit():
        raise signing.SigningRefused(f"order {order.order_ref} does not co-sign anything")
    request = db.scalar(
        select(CosignRequest)
        .where(CosignRequest.id == int(order.subject_id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise RequestClosed(f"request {order.subject_id} is gone")
    if signing.signature_for_order(order.order_ref) is not None or not bankid.consume_completed_order(order):
        raise signing.OrderReplayed(f"order {order.order_ref} was already used")
    check_cosigner(request, resident)
    evidence = signing.read_signature_evidence(order)
    if evidence.personal_number != request.personal_number:
        raise signing.SignerMismatch(
            f"order {order.order_ref} was signed by someone not named in the request"
        )
    case = request.case
    applicant = signing.applicant_signature(case.id)
    if (
        applicant is None
        or case.form_version is None
        or evidence.signed_non_visible_data != applicant.signed_digest
        or signing.submission_digest(case.form_version, case.answers) != applicant.signed_digest
    ):
        raise signing.AnswersChanged(f"case {case.id} is not what its applicant signed")
    signature = signing.record_signature(
        case,
        order,
        evidence,
        SignatureRole.COSIGNER,
        resident_id=resident.id,
        language=language,
        cosign_request_id=request.id,
    )
    request.status = CosignStatus.SIGNED.value
    request.closed_at = clock.now()
    add_case_event(
        case, "cosigned", actor=("resident", str(resident.id)), data={"signer_name": evidence.name}
    )
    db.flush()
    if not signing.pending_requests(case.id):
        release_case(case)
    return signature


def release_case(case: Case) -> None:
    """Everyone has signed: the case is submitted to its queue now."""
    old_status = case.status
    now = clock.now()
    case.status = CaseStatus.SUBMITTED.value
    case.submitted_at = now
    event = add_case_event(case, "status_changed", data={"from": old_status, "to": case.status})
    db.flush()
    audit.record("cosign.complete", "case", case.id, resident_id=case.resident_id, actor=("system", None))
    # Only now is the application submitted: the resident hears it has been received, webhooks say so, and
    # the receipt lists every signature.
    announce_submission(case, event=event)


# The applicant's side ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CosignProgress:
    case: Case
    signatures: list[Signature]
    requests: list[CosignRequest]

    @property
    def signed(self) -> list[CosignRequest]:
        return [request for request in self.requests if request.status == CosignStatus.SIGNED.value]

    @property
    def waiting(self) -> list[CosignRequest]:
        return [request for request in self.requests if request.status == CosignStatus.PENDING.value]

    def signer_name(self, request: CosignRequest) -> str | None:
        return next(
            (item.signer_name for item in self.signatures if item.cosign_request_id == request.id), None
        )


def cosign_progress(case: Case) -> CosignProgress:
    requests = list(
        db.scalars(select(CosignRequest).where(CosignRequest.case_id == case.id).order_by(CosignRequest.id))
    )
    return CosignProgress(case, signing.signatures_for_case(case.id), requests)


def remind(case: Case, request_id: int, resident: Resident) -> CosignRequest:
    """The applicant reminds one co-signer; at most once per REMINDER_INTERVAL. Raises SigningRefused."""
    request = db.scalar(
        select(CosignRequest).where(CosignRequest.id == request_id, CosignRequest.case_id == case.id)
    )
    if request is None or request.status != CosignStatus.PENDING.value or _expired(request):
        raise RequestClosed(f"request {request_id} is not waiting")
    now = clock.now()
    if request.last_reminder_at is not None and now - request.last_reminder_at < REMINDER_INTERVAL:
        raise ReminderTooSoon(f"request {request.id} was reminded at {request.last_reminder_at}")
    request.last_reminder_at = now
    event = add_case_event(
        case,
        "cosign_reminder",
        actor=("resident", str(resident.id)),
        data={"request": request.id},
        visible_to_resident=False,
    )
    _notify(case, request, event)
    return request


def withdraw_submission(case: Case, actor: tuple[str, str | None], reason: str = "withdrawn") -> None:
    """Withdraw a case still waiting for signatures; its open requests close with it."""
    if case.status != CaseStatus.DRAFT_SIGNING.value:
        raise RequestClosed(f"case {case.id} is {case.status}")
    now = clock.now()
    for request in signing.pending_requests(case.id):
        request.status = CosignStatus.EXPIRED.value if reason == "expired" else CosignStatus.WITHDRAWN.value
        request.closed_at = now
    old_status = case.status
    case.status = CaseStatus.WITHDRAWN.value
    case.closed_at = now
    event = add_case_event(
        case, "status_changed", actor=actor, data={"from": old_status, "to": case.status, "reason": reason}
    )
    db.flush()
    audit.record(
        "cosign.withdrawn", "case", case.id, resident_id=case.resident_id, actor=actor, reason=reason
    )
    events.case_status_changed.send(case, old_status=old_status, new_status=case.status, event=event)


# Expiry (the worker or cron runs it) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryRun:
    reminded: int
    expired: int


def expire_cosign_requests() -> ExpiryRun:
    """Remind co-signers whose request expires within EXPIRY_REMINDER_BEFORE, and expire overdue requests
    (their case is withdrawn: without every signature it can never reach the queue)."""
    now = clock.now()
    reminded = 0
    due_soon = db.scalars(
        select(CosignRequest).where(
            CosignRequest.status == CosignStatus.PENDING.value,
            CosignRequest.expiry_reminder_sent_at.is_(None),
            CosignRequest.expires_at > now,
            CosignRequest.expires_at <= now + EXPIRY_REMINDER_BEFORE,
        )
    ).all()
    for request in due_soon:
        request.expiry_reminder_sent_at = now
        event = add_case_event(
            request.case,
            "cosign_reminder",
            data={"request": request.id, "expiry": True},
            visible_to_resident=False,
        )
        _notify(request.case, request, event)
        reminded += 1
    overdue = db.scalars(
        select(CosignRequest).where(
            CosignRequest.status == CosignStatus.PENDING.value, CosignRequest.expires_at <= now
        )
    ).all()
    expired = 0
    for request in overdue:
        if request.status != CosignStatus.PENDING.value:
            continue  # closed together with an earlier request of the same case
        expired += 1
        if request.case.status == CaseStatus.DRAFT_SIGNING.value:
            withdraw_submission(request.case, ("system", None), reason="expired")
        else:
            request.status = CosignStatus.EXPIRED.value
            request.closed_at = now
    return ExpiryRun(reminded, expired)


@click.command("expire-cosign-requests")
def expire_cosign_requests_command() -> None:
    """Remind co-signers before their request expires, and expire unsigned requests (run daily)."""
    with unit_of_work():
        run = expire_cosign_requests()
    click.echo(f"Reminded {run.reminded} co-signer(s); expired {run.expired} request(s).")


commands = [expire_cosign_requests_command]
