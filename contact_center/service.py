"""Public face of `contact_center`: resident lookup, the resident record, contact moments, callback requests,
digital-first guidance and phone BankID, for the agent views, the demo seeder and other packages.

Every read of a resident's record and every action on a resident's behalf is audit-logged with the agent, the
reason and the channel. Access rules live here, not in the views: agents act within their own department's queues.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from flask import current_app
from personnummer import personnummer as personnummer_library
from sqlalchemy import Select, func, select, text

from contact_center import routing
from contact_center.models import (
    AssistedChannel,
    CallbackOutcome,
    CallbackRequest,
    CallbackStatus,
    ContactMoment,
    ContactMomentCase,
    ContactOutcome,
    PreferredTime,
    RoutingRule,
)
from core import audit, clock
from core.config import Settings
from core.db import db
from core.models import Queue, Resident, Role, StaffUser
from eservices import casework, catalogue, cosigning, filing, submission_signing
from eservices import service as eservices
from eservices.models import Case, CaseStatus, Channel, Service, SignatureMethod
from signing import service as signing

__all__ = [
    "AccessDenied",
    "AssistedChannel",
    "CallbackOutcome",
    "CallbackRequest",
    "CallbackStatus",
    "ContactMoment",
    "ContactOutcome",
    "HistoryItem",
    "IdentityMethod",
    "InvalidInput",
    "LookupKind",
    "LookupResult",
    "PreferredTime",
    "ResidentRecord",
    "RoutingRule",
    "SignatureChoice",
    "agents_speaking",
    "callback_for_agent",
    "claim_callback",
    "complete_callback",
    "contact_history",
    "draft_for_agent",
    "eservice_link",
    "filing_services",
    "find_by_case_reference",
    "find_by_email",
    "find_by_name",
    "find_by_personnummer",
    "find_by_phone",
    "has_eservice",
    "log_contact",
    "normalise_phone",
    "open_resident_record",
    "personnummer_candidates",
    "phone_order_for_agent",
    "phone_signed_draft_id",
    "queue_callbacks",
    "queue_for_agent",
    "queues_for_agent",
    "record_phone_bankid_result",
    "request_callback",
    "resident_for_agent",
    "search_residents",
    "send_eservice_link",
    "services_for_guidance",
    "signature_page_for_agent",
    "start_filing_on_behalf",
    "start_phone_bankid",
    "submit_on_behalf",
]

LOOKUP_LIMIT = 25
NOTE_MAX_LENGTH = 1000
_CASE_REFERENCE = re.compile(r"^\d{4}-\d{6}$")
_PERSONNUMMER_SHAPE = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")
GUIDANCE_JOB = "contact_center.eservice_link"
CALLBACK_DONE_JOB = "contact_center.callback_done"


class AccessDenied(Exception):
    """The agent may not see or act on this (403), or it does not exist (404). The refusal is audit-logged."""

    def __init__(self, status: int, subject_kind: str, subject_id: object) -> None:
        super().__init__(f"{subject_kind} {subject_id}: {status}")
        self.status = status
        audit.record("denied", subject_kind, subject_id, details={"status": status})


def N_(message: str) -> str:
    """Mark a message id for extraction: InvalidInput carries it untranslated and the views translate it."""
    return message


class InvalidInput(ValueError):
    """A value an agent or resident gave cannot be used; the message names the problem (an English msgid)."""


def _actor(agent: StaffUser) -> tuple[str, str]:
    return ("staff", str(agent.id))


# ---------------------------------------------------------------------------------------------------------------
# Lookup


class LookupKind:
    PERSONNUMMER = "personnummer"
    CASE_REFERENCE = "case_reference"
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


@dataclass(frozen=True)
class LookupResult:
    kind: str
    residents: list[Resident]
    case: Case | None = None


def personnummer_candidates(raw: str) -> list[str]:
    """The 12-digit personnummer an agent may mean: with or without century and dash (or + for 100 and over).

    Without a century both centuries whose date exists are tried; the check digit is not required, so a typo
    simply finds nobody instead of an error.
    """
    match = _PERSONNUMMER_SHAPE.match(re.sub(r"\s", "", raw))
    if match is None:
        return []
    century, date_part, separator, serial = match.groups()
    if century:
        return [century + date_part + serial]
    if separator:
        try:
            parsed = personnummer_library.parse(date_part + separator + serial)
            return [str(parsed.format(long_format=True))]
        except personnummer_library.PersonnummerException:
            pass
    candidates = []
    for prefix in ("19", "20"):
        try:
            dt.date(int(prefix + date_part[:2]), int(date_part[2:4]), int(date_part[4:6]) % 60)
        except ValueError:
            continue  # an impossible date (coordination numbers add 60 to the day, hence % 60)
        candidates.append(prefix + date_part + serial)
    return candidates


def normalise_phone(raw: str) -> str:
    """E.164 for a valid number (Swedish unless it starts with +); InvalidInput otherwise."""
    try:
        number = phonenumbers.parse(raw.strip(), "SE")
    except phonenumbers.NumberParseException:
        raise InvalidInput(N_("Enter a phone number, like 070-123 45 67 or +46 70 123 45 67.")) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(N_("Enter a phone number, like 070-123 45 67 or +46 70 123 45 67."))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _limited(statement: Select[Resident], limit: int) -> list[Resident]:
    return list(db.scalars(statement.limit(limit)))


def find_by_personnummer(raw: str) -> list[Resident]:
    candidates = personnummer_candidates(raw)
    if not candidates:
        return []
    return list(
        db.scalars(select(Resident).where(Resident.personnummer.in_(candidates)).order_by(Resident.id))
    )


def find_by_case_reference(reference: str) -> tuple[Case | None, list[Resident]]:
    case = db.scalar(select(Case).where(Case.reference == reference.strip()))
    if case is None or case.resident_id is None:
        return case, []
    resident = db.get(Resident, case.resident_id)
    return case, [resident] if resident is not None else []


def find_by_email(raw: str, limit: int = LOOKUP_LIMIT) -> list[Resident]:
    return _limited(
        select(Resident).where(func.lower(Resident.email) == raw.strip().lower()).order_by(Resident.id), limit
    )


def find_by_phone(raw: str, limit: int = LOOKUP_LIMIT) -> list[Resident]:
    try:
        e164 = normalise_phone(raw)
    except InvalidInput:
        return []
    national = "0" + e164[3:] if e164.startswith("+46") else e164
    # Numbers are stored as people typed them before validation existed; the two common spellings are tried.
    return _limited(select(Resident).where(Resident.phone.in_([e164, national])).order_by(Resident.id), limit)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_by_name(raw: str, limit: int = LOOKUP_LIMIT) -> list[Resident]:
    """Residents whose family name starts with the last word and, given two or more words, whose given name
    starts with the first; case-insensitive, in alphabetical order of family and given name."""
    words = raw.strip().lower().split()
    if not words:
        return []
    family_lower = func.lower(Resident.family_name)
    given_lower = func.lower(Resident.given_name)
    statement = select(Resident).where(family_lower.like(_escape_like(words[-1]) + "%", escape="\\"))
    if len(words) > 1:
        statement = statement.where(given_lower.like(_escape_like(words[0]) + "%", escape="\\"))
    if db.get_bind().dialect.name == "postgresql":
        # The order of the text_pattern_ops index, so PostgreSQL reads the first page straight off it.
        statement = statement.order_by(
            text("lower(resident.family_name) USING ~<~"), text("lower(resident.given_name) USING ~<~")
        )
    else:
        statement = statement.order_by(family_lower, given_lower)
    return _limited(statement.order_by(Resident.id), limit)


def search_residents(query: str) -> LookupResult:
    """One search box: a case reference, personnummer, e-mail address, phone number or the start of a name."""
    cleaned = query.strip()
    if _CASE_REFERENCE.match(cleaned):
        case, residents = find_by_case_reference(cleaned)
        return LookupResult(LookupKind.CASE_REFERENCE, residents, case)
    if "@" in cleaned:
        return LookupResult(LookupKind.EMAIL, find_by_email(cleaned))
    compact = re.sub(r"[\s()]", "", cleaned)
    if _PERSONNUMMER_SHAPE.match(compact) and not compact.startswith(("0", "+")):
        return LookupResult(LookupKind.PERSONNUMMER, find_by_personnummer(compact))
    if re.fullmatch(r"\+?[\d-]{6,}", compact):
        return LookupResult(LookupKind.PHONE, find_by_phone(compact))
    return LookupResult(LookupKind.NAME, find_by_name(cleaned))


# ---------------------------------------------------------------------------------------------------------------
# The resident's record


@dataclass(frozen=True)
class HistoryItem:
    """One entry of a resident's contact history, whatever the channel."""

    at: dt.datetime
    channel: str
    kind: str  # "contact", "callback" or "case"
    service_title: dict[str, Any] | None
    topic: str | None = None
    outcome: str | None = None
    note: str | None = None
    agent_name: str | None = None
    case_references: tuple[str, ...] = ()


@dataclass
class ResidentRecord:
    resident: Resident
    cases: list[Case]
    waiting_for_signature: list[Case]
    messages: dict[int, list[Any]]
    history: list[HistoryItem]
    open_callbacks: list[CallbackRequest]
    extras: dict[str, Any] = field(default_factory=dict)
    signature_pages: dict[int, Any] = field(default_factory=dict)
    """Case id → the scanned page the resident signed on paper, for the cases signed so."""


def _require_agent(agent: StaffUser) -> None:
    if not agent.has_role(Role.AGENT):
        raise AccessDenied(403, "contact_center", agent.id)


def resident_for_agent(agent: StaffUser, resident_id: int) -> Resident:
    """The resident, for an agent (404 if unknown). Reading it is not logged here: opening the record is."""
    _require_agent(agent)
    resident = db.get(Resident, resident_id)
    if resident is None:
        raise AccessDenied(404, "resident", resident_id)
    return resident


def open_resident_record(agent: StaffUser, resident_id: int, *, reason: str, channel: str) -> ResidentRecord:
    """Everything the contact centre may show about a resident, with the read audit-logged with its reason."""
    resident = resident_for_agent(agent, resident_id)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("Give the reason for opening the record."))
    if channel not in set(AssistedChannel):
        raise InvalidInput(N_("Choose how the resident contacted us."))
    audit.record(
        "read",
        "resident",
        resident.id,
        resident_id=resident.id,
        reason=reason,
        actor=_actor(agent),
        details={"channel": channel, "view": "contact_center_record"},
    )
    cases = eservices.cases_for_resident(resident.id)
    return ResidentRecord(
        resident=resident,
        cases=cases,
        waiting_for_signature=[case for case in cases if case.status == CaseStatus.DRAFT_SIGNING.value],
        messages={case.id: casework.case_messages(case) for case in cases},
        signature_pages=_signature_pages(cases),
        history=contact_history(resident.id),
        open_callbacks=list(
            db.scalars(
                select(CallbackRequest)
                .where(
                    CallbackRequest.resident_id == resident.id,
                    CallbackRequest.status != CallbackStatus.DONE.value,
                )
                .order_by(CallbackRequest.due_at)
            )
        ),
    )


def _signature_pages(cases: Iterable[Case]) -> dict[int, Any]:
    pages = {}
    for case in cases:
        if case.signature_method == SignatureMethod.PAPER.value:
            page = casework.signature_page(case)
            if page is not None:
                pages[case.id] = page
    return pages


def contact_history(resident_id: int, limit: int = 200) -> list[HistoryItem]:
    """Every contact with the resident, newest first: assisted contacts, callback requests and the cases they
    filed themselves online, in one list."""
    items: list[HistoryItem] = []
    moments = db.scalars(
        select(ContactMoment)
        .where(ContactMoment.resident_id == resident_id)
        .order_by(ContactMoment.started_at.desc())
        .limit(limit)
    )
    for moment in moments:
        items.append(
            HistoryItem(
                at=moment.started_at,
                channel=moment.channel,
                kind="contact",
                service_title=moment.service.title if moment.service else None,
                topic=moment.topic,
                outcome=moment.outcome,
                note=moment.note,
                agent_name=moment.agent.full_name,
                case_references=tuple(case.reference for case in moment.cases),
            )
        )
    callbacks = db.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.resident_id == resident_id)
        .order_by(CallbackRequest.created_at.desc())
        .limit(limit)
    )
    for callback in callbacks:
        items.append(
            HistoryItem(
                at=callback.created_at,
                channel="callback",
                kind="callback",
                service_title=callback.service.title if callback.service else None,
                outcome=callback.status,
            )
        )
    for case in eservices.cases_for_resident(resident_id)[:limit]:
        items.append(
            HistoryItem(
                at=case.submitted_at or case.created_at,
                channel=case.channel,
                kind="case",
                service_title=case.service.title,
                outcome=case.status,
                case_references=(case.reference,),
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


# ---------------------------------------------------------------------------------------------------------------
# Contact moments


def log_contact(
    agent: StaffUser,
    *,
    channel: str,
    outcome: str,
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    resident_id: int | None = None,
    service: Service | None = None,
    topic: str | None = None,
    note: str | None = None,
    case_ids: Iterable[int] = (),
    callback_request: CallbackRequest | None = None,
    reason: str | None = None,
) -> ContactMoment:
    """Record one contact (also with an anonymous caller: no resident). Linked cases must be the resident's."""
    _require_agent(agent)
    if channel not in set(AssistedChannel):
        raise InvalidInput(N_("Choose how the resident contacted us."))
    if outcome not in set(ContactOutcome):
        raise InvalidInput(N_("Choose the outcome of the contact."))
    ended_at = ended_at or clock.now()
    if ended_at < started_at:
        raise InvalidInput(N_("The contact cannot end before it started."))
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(N_("The note is too long."))
    if service is None and not (topic and topic.strip()):
        raise InvalidInput(N_("Choose a service or write the topic."))
    cases = _cases_of(resident_id, case_ids)
    moment = ContactMoment(
        channel=channel,
        agent_id=agent.id,
        resident_id=resident_id,
        service_id=service.id if service else None,
        topic=(topic or "").strip() or None,
        outcome=outcome,
        started_at=started_at,
        ended_at=ended_at,
        note=(note or "").strip() or None,
        callback_request_id=callback_request.id if callback_request else None,
        created_at=clock.now(),
        case_links=[ContactMomentCase(case_id=case.id) for case in cases],
    )
    db.add(moment)
    db.flush()
    audit.record(
        "create",
        "contact_moment",
        moment.id,
        resident_id=resident_id,
        reason=reason,
        actor=_actor(agent),
        details={"channel": channel, "outcome": outcome, "cases": [case.reference for case in cases]},
    )
    return moment


def _cases_of(resident_id: int | None, case_ids: Iterable[int]) -> list[Case]:
    wanted = sorted(set(case_ids))
    if not wanted:
        return []
    if resident_id is None:
        raise InvalidInput(N_("Only a known resident's contact can be linked to cases."))
    cases = list(db.scalars(select(Case).where(Case.id.in_(wanted), Case.resident_id == resident_id)))
    if len(cases) != len(wanted):
        raise InvalidInput(N_("A linked case does not belong to this resident."))
    return cases


# ---------------------------------------------------------------------------------------------------------------
# Callback requests


def request_callback(
    *,
    phone: str,
    language: str,
    preferred_time: str = PreferredTime.ANY.value,
    service: Service | None = None,
    resident: Resident | None = None,
    caller_name: str | None = None,
    email: str | None = None,
    message: str | None = None,
    agent: StaffUser | None = None,
) -> CallbackRequest:
    """A request to be called back, routed to a queue with its due time. By the resident (logged in or not)
    from a service page, or by an agent on the caller's behalf."""
    if agent is not None:
        _require_agent(agent)
    if preferred_time not in set(PreferredTime):
        raise InvalidInput(N_("Choose when we may call."))
    decision = routing.route(service, language, resident)
    now = clock.now()
    callback = CallbackRequest(
        resident_id=resident.id if resident else None,
        caller_name=(caller_name or "").strip() or None,
        phone=normalise_phone(phone),
        email=(email or "").strip() or None,
        preferred_time=preferred_time,
        language=language,
        message=(message or "").strip() or None,
        service_id=service.id if service else None,
        queue_id=decision.queue.id,
        routing_rule_id=decision.rule.id if decision.rule else None,
        priority=decision.priority,
        status=CallbackStatus.OPEN.value,
        created_by_kind="staff" if agent else ("resident" if resident else "anonymous"),
        created_by_staff_id=agent.id if agent else None,
        created_at=now,
        due_at=routing.due_time(decision.queue, now, priority=decision.priority),
    )
    db.add(callback)
    db.flush()
    audit.record(
        "create",
        "callback_request",
        callback.id,
        resident_id=callback.resident_id,
        actor=_actor(agent) if agent else None,
        details={
            "queue": decision.queue.code,
            "rule": callback.routing_rule_id,
            "priority": callback.priority,
        },
    )
    return callback


def queues_for_agent(agent: StaffUser) -> list[Queue]:
    """The queues of the agent's own department, where their callback requests wait."""
    _require_agent(agent)
    if agent.department_id is None:
        return []
    return list(
        db.scalars(select(Queue).where(Queue.department_id == agent.department_id).order_by(Queue.name))
    )


def queue_for_agent(agent: StaffUser, queue_id: int) -> Queue:
    _require_agent(agent)
    queue = db.get(Queue, queue_id)
    if queue is None:
        raise AccessDenied(404, "queue", queue_id)
    if agent.department_id is None or queue.department_id != agent.department_id:
        raise AccessDenied(403, "queue", queue_id)
    return queue


def queue_callbacks(
    queue: Queue, *, done: bool = False, languages: Sequence[str] | None = None
) -> list[CallbackRequest]:
    """Waiting requests (or the finished ones): priority first, then the earliest due."""
    statement = select(CallbackRequest).where(CallbackRequest.queue_id == queue.id)
    if done:
        statement = statement.where(CallbackRequest.status == CallbackStatus.DONE.value).order_by(
            CallbackRequest.completed_at.desc()
        )
    else:
        statement = statement.where(CallbackRequest.status != CallbackStatus.DONE.value).order_by(
            CallbackRequest.priority.desc(), CallbackRequest.due_at, CallbackRequest.id
        )
    if languages is not None:
        statement = statement.where(CallbackRequest.language.in_(list(languages)))
    return list(db.scalars(statement.limit(500)))


def callback_for_agent(agent: StaffUser, callback_id: int) -> CallbackRequest:
    """A callback request in the agent's department: 404 if unknown, 403 if another department's."""
    _require_agent(agent)
    callback = db.get(CallbackRequest, callback_id)
    if callback is None:
        raise AccessDenied(404, "callback_request", callback_id)
    if agent.department_id is None or callback.queue.department_id != agent.department_id:
        raise AccessDenied(403, "callback_request", callback_id)
    audit.record(
        "read", "callback_request", callback.id, resident_id=callback.resident_id, actor=_actor(agent)
    )
    return callback


def claim_callback(agent: StaffUser, callback: CallbackRequest) -> None:
    """The agent takes the request; one already claimed by someone else stays theirs."""
    if callback.status == CallbackStatus.DONE.value:
        raise InvalidInput(N_("This callback request is already done."))
    if callback.claimed_by_id not in (None, agent.id):
        raise InvalidInput(N_("Another agent has already taken this callback request."))
    callback.status = CallbackStatus.CLAIMED.value
    callback.claimed_by_id = agent.id
    callback.claimed_at = clock.now()
    audit.record(
        "claim", "callback_request", callback.id, resident_id=callback.resident_id, actor=_actor(agent)
    )


_CALLBACK_TO_CONTACT_OUTCOME = {
    CallbackOutcome.RESOLVED.value: ContactOutcome.ANSWERED.value,
    CallbackOutcome.NO_ANSWER.value: ContactOutcome.CALLBACK_CREATED.value,
    CallbackOutcome.FORWARDED.value: ContactOutcome.FORWARDED.value,
    CallbackOutcome.GUIDED_TO_ESERVICE.value: ContactOutcome.GUIDED_TO_ESERVICE.value,
    CallbackOutcome.ESERVICE_FILED.value: ContactOutcome.ESERVICE_FILED.value,
}


def complete_callback(
    agent: StaffUser, callback: CallbackRequest, *, outcome: str, note: str | None = None
) -> ContactMoment:
    """Record how the call went, close the request, log it as a phone contact and tell the caller it is done."""
    if callback.status == CallbackStatus.DONE.value:
        raise InvalidInput(N_("This callback request is already done."))
    if callback.claimed_by_id not in (None, agent.id):
        raise InvalidInput(N_("Another agent has already taken this callback request."))
    if outcome not in _CALLBACK_TO_CONTACT_OUTCOME:
        raise InvalidInput(N_("Choose the outcome of the call."))
    now = clock.now()
    callback.status = CallbackStatus.DONE.value
    callback.claimed_by_id = agent.id
    callback.claimed_at = callback.claimed_at or now
    callback.completed_at = now
    callback.outcome = outcome
    callback.outcome_note = (note or "").strip() or None
    moment = log_contact(
        agent,
        channel=AssistedChannel.PHONE.value,
        outcome=_CALLBACK_TO_CONTACT_OUTCOME[outcome],
        started_at=callback.claimed_at,
        ended_at=now,
        resident_id=callback.resident_id,
        service=callback.service,
        topic=None if callback.service else "callback",
        note=note,
        callback_request=callback,
    )
    audit.record(
        "complete",
        "callback_request",
        callback.id,
        resident_id=callback.resident_id,
        actor=_actor(agent),
        details={"outcome": outcome},
    )
    _queue_callback_done_notice(callback)
    return moment


def _queue_callback_done_notice(callback: CallbackRequest) -> None:
    from contact_center import notifications

    notifications.queue_callback_done(callback)


# ---------------------------------------------------------------------------------------------------------------
# Digital-first guidance


def has_eservice(service: Service | None) -> bool:
    """Whether the service can be done online (in Kanal or on an external site)."""
    return service is not None and service.active and catalogue.e_service_url(service) is not None


def eservice_link(service: Service) -> str | None:
    """The absolute address of the service's e-service, to send to a resident; None without one."""
    found = catalogue.e_service_url(service)
    if found is None:
        return None
    url, external = found
    if external:
        return url
    settings: Settings = current_app.extensions["kanal.settings"]
    return settings.base_url.rstrip("/") + url


def services_for_guidance() -> list[Service]:
    return list(db.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.slug)))


def send_eservice_link(
    agent: StaffUser,
    service: Service,
    *,
    via: str,
    address: str,
    language: str,
    channel: str,
    started_at: dt.datetime,
    resident_id: int | None = None,
    reason: str | None = None,
) -> ContactMoment:
    """Send the e-service's link by SMS or e-mail (through the outbox) and log the contact as guided to it."""
    link = eservice_link(service) if service.active else None
    if link is None:
        raise InvalidInput(N_("This service has no e-service to send."))
    if via == "sms":
        address = normalise_phone(address)
    elif via == "email":
        address = address.strip()
        if "@" not in address:
            raise InvalidInput(N_("Enter an e-mail address like name@example.se."))
    else:
        raise InvalidInput(N_("Choose SMS or e-mail."))
    moment = log_contact(
        agent,
        channel=channel,
        outcome=ContactOutcome.GUIDED_TO_ESERVICE.value,
        started_at=started_at,
        resident_id=resident_id,
        service=service,
        reason=reason,
    )
    from contact_center import notifications

    notifications.queue_eservice_link(moment, service, link, via=via, address=address, language=language)
    audit.record(
        "send",
        "eservice_link",
        service.slug,
        resident_id=resident_id,
        reason=reason,
        actor=_actor(agent),
        details={"via": via, "channel": channel, "contact_moment": moment.id},
    )
    return moment


# ---------------------------------------------------------------------------------------------------------------
# Phone BankID: the resident on the line confirms in their own app (callInitiator "RP")


PHONE_SUBJECT = "contact_center_resident"


def start_phone_bankid(
    agent: StaffUser,
    resident: Resident,
    *,
    sign_text: str | None,
    end_user_ip: str,
    reason: str | None,
    channel: str,
    next_url: str | None = None,
) -> signing.BankIDOrder:
    """Start a phone auth (identify the caller) or, with `sign_text`, a phone sign. Raises BankIDError."""
    _require_agent(agent)
    purpose = signing.OrderPurpose.PHONE_SIGN if sign_text else signing.OrderPurpose.PHONE_AUTH
    order = signing.start_order(
        purpose,
        "phone",
        end_user_ip,
        personal_number=resident.personnummer,
        user_visible_data=sign_text or None,
        subject=(PHONE_SUBJECT, str(resident.id)),
        staff_user_id=agent.id,
        next_url=next_url,
    )
    audit.record(
        "start_phone_bankid",
        "resident",
        resident.id,
        resident_id=resident.id,
        reason=reason,
        actor=_actor(agent),
        details={"purpose": purpose.value, "order_ref": order.order_ref, "channel": channel},
    )
    return order


def phone_order_for_agent(agent: StaffUser, order_ref: str, end_user_ip: str | None) -> signing.BankIDOrder:
    """A phone order this agent started in this browser session (404 for anything else)."""
    _require_agent(agent)
    order = signing.find_session_order(order_ref, end_user_ip)
    if (
        order is None
        or order.staff_user_id != agent.id
        or order.subject_kind != PHONE_SUBJECT
        or order.purpose not in (signing.OrderPurpose.PHONE_AUTH.value, signing.OrderPurpose.PHONE_SIGN.value)
    ):
        raise AccessDenied(404, "bankid_order", order_ref)
    return order


def record_phone_bankid_result(agent: StaffUser, order: signing.BankIDOrder) -> bool:
    """Use a completed phone order once: True (and audit-logged) if BankID vouched for the expected resident."""
    if not signing.consume_completed_order(order):
        return False
    resident = db.get(Resident, int(order.subject_id or 0))
    user = (order.completion_data or {}).get("user", {})
    verified = resident is not None and str(user.get("personalNumber", "")) == resident.personnummer
    audit.record(
        "verify_identity" if order.purpose == signing.OrderPurpose.PHONE_AUTH.value else "phone_sign",
        "resident",
        order.subject_id,
        resident_id=resident.id if resident else None,
        actor=_actor(agent),
        details={"method": "bankid_phone", "order_ref": order.order_ref, "verified": verified},
    )
    return verified


def agents_speaking(language: str, queue: Queue) -> list[StaffUser]:
    """The queue's department's agents who speak `language`: who should take a request in it."""
    return routing.agents_speaking(language, queue.department_id)


# ---------------------------------------------------------------------------------------------------------------
# Filing on behalf: the resident's own filing flow, with the agent as actor and the contact's channel


class IdentityMethod:
    """How the agent knows who the resident is; recorded on the case."""

    BANKID_PHONE = "bankid_phone"  # the resident signed with BankID on their own phone
    ID_DOCUMENT = "id_document"  # identity document shown at the desk
    KNOWN_EARLIER = "known_earlier"  # verified in an earlier contact

    ALL = (BANKID_PHONE, ID_DOCUMENT, KNOWN_EARLIER)
    WITHOUT_SIGNATURE = (ID_DOCUMENT, KNOWN_EARLIER)


def filing_services() -> list[Service]:
    """Services with a form in Kanal, which an agent can file for a resident."""
    return [item for item in services_for_guidance() if filing.published_version(item) is not None]


def _agent_actor(agent: StaffUser) -> filing.Actor:
    return filing.Actor("staff", str(agent.id))


def start_filing_on_behalf(
    agent: StaffUser, resident: Resident, service: Service, *, channel: str, reason: str
) -> Any:
    """A draft of the resident's own (it shows on their My pages), started by the agent in the contact's channel."""
    _require_agent(agent)
    if channel not in set(AssistedChannel):
        raise InvalidInput(N_("Choose how the resident contacted us."))
    try:
        draft = filing.start_draft(service, _agent_actor(agent), Channel(channel), resident)
    except filing.FilingError:
        raise InvalidInput(N_("This service has no e-service to send.")) from None
    audit.record(
        "file_on_behalf",
        "draft",
        draft.id,
        resident_id=resident.id,
        reason=reason,
        actor=_actor(agent),
        details={"service": service.slug, "channel": channel},
    )
    return draft


def draft_for_agent(agent: StaffUser, resident: Resident, draft_id: int) -> Any:
    """One of the resident's drafts; 404 for anybody else's (the agent has opened this resident's record)."""
    _require_agent(agent)
    try:
        return filing.load_draft(draft_id, filing.DraftAccess(resident_id=resident.id))
    except filing.DraftNotFound:
        raise AccessDenied(404, "draft", draft_id) from None


class SignatureChoice:
    """How the resident signs what the agent files for them, when the form requires a signature."""

    BANKID_PHONE = SignatureMethod.BANKID_PHONE.value  # BankID on the resident's own phone, during the call
    PAPER = SignatureMethod.PAPER.value  # on paper; the agent attaches the scanned signature page

    ALL = (BANKID_PHONE, PAPER)


def phone_signed_draft_id(order: signing.BankIDOrder) -> int | None:
    """The draft a phone sign order was started for: its next page is that draft's check page."""
    parts = (order.next_url or "").split("?", 1)[0].rstrip("/").split("/")
    if len(parts) >= 2 and parts[-1] == "check" and parts[-2].isdigit():
        return int(parts[-2])
    return None


def _phone_signature_holds(
    agent: StaffUser, resident: Resident, draft: Any, order: signing.BankIDOrder | None
) -> bool:
    """Whether `order` is this agent's phone sign order for this draft, used, signed by this resident, and no
    answer has changed since the order was started (the resident confirmed the answers read to them then)."""
    if order is None:
        return False
    user = (order.completion_data or {}).get("user", {})
    return (
        order.purpose == signing.OrderPurpose.PHONE_SIGN.value
        and order.state == signing.OrderState.CONSUMED.value
        and order.staff_user_id == agent.id
        and order.subject_kind == PHONE_SUBJECT
        and order.subject_id == str(resident.id)
        and str(user.get("personalNumber", "")) == resident.personnummer
        and phone_signed_draft_id(order) == draft.id
        and draft.updated_at <= order.created_at
    )


def _scan_upload(scan: casework.Upload) -> casework.Upload:
    """The scanned signature page, checked by its content before anything is filed (CaseRuleError → InvalidInput)."""
    try:
        casework.check_upload(scan)
    except casework.CaseRuleError as problem:
        raise InvalidInput(str(problem)) from None
    return scan


def submit_on_behalf(
    agent: StaffUser,
    resident: Resident,
    draft_id: int,
    *,
    identity_method: str,
    language: str,
    reason: str,
    started_at: dt.datetime | None = None,
    signature: str | None = None,
    phone_order: signing.BankIDOrder | None = None,
    signature_page: casework.Upload | None = None,
) -> Case:
    """Submit the resident's draft as their case, assisted by the agent, and log the contact as e-service filed.

    `signature` says how the resident signed: `SignatureChoice.BANKID_PHONE` with the used `phone_order` the agent
    started for this draft, or `SignatureChoice.PAPER` with the scanned `signature_page`. A form that requires a
    signature is never filed without one, and people the form names as co-signers are asked to sign with their own
    BankID (the case waits for them). Everything is checked before the case is made, so a refusal leaves the
    draft as it was. Raises filing.DraftIncomplete when answers are missing and InvalidInput (with a message for
    the agent) for an unknown identity method, a missing or unusable signature, or a scan that is not a PDF,
    PNG or JPEG file.
    """
    _require_agent(agent)
    if identity_method not in IdentityMethod.ALL:
        raise InvalidInput(N_("Choose how the resident's identity was verified."))
    access = filing.DraftAccess(resident_id=resident.id)
    draft = draft_for_agent(agent, resident, draft_id)
    existing = filing.submitted_case(draft)
    if existing is not None:
        return existing  # a double click: the first click filed it
    if signature is None and identity_method == IdentityMethod.BANKID_PHONE:
        signature = SignatureChoice.BANKID_PHONE
    signature_method: SignatureMethod | None = None
    scan: casework.Upload | None = None
    if signature == SignatureChoice.BANKID_PHONE:
        if not _phone_signature_holds(agent, resident, draft, phone_order):
            raise InvalidInput(N_("The resident has not signed with BankID yet."))
        signature_method = SignatureMethod.BANKID_PHONE
    elif signature == SignatureChoice.PAPER:
        if identity_method not in IdentityMethod.WITHOUT_SIGNATURE:
            raise InvalidInput(N_("Choose how the resident's identity was verified."))
        if signature_page is None or not signature_page.data:
            raise InvalidInput(N_("Attach the scanned page the resident signed on paper."))
        scan = _scan_upload(signature_page)
        signature_method = SignatureMethod.PAPER
    elif signature is not None:
        raise InvalidInput(N_("Choose how the resident signed."))
    elif identity_method not in IdentityMethod.WITHOUT_SIGNATURE:
        raise InvalidInput(N_("The resident has not signed with BankID yet."))
    cosigners: list[str] = []
    if signature_method is not None:
        # Whoever else the form names must still co-sign with their own BankID, as when a resident files it.
        cosigners = submission_signing.named_cosigners(
            filing.definition_of(draft), filing.final_answers(draft, language)
        )
        if resident.personnummer in cosigners:
            raise InvalidInput(
                N_("The resident cannot co-sign their own application. Name the other person who must sign.")
            )
    try:
        submission = filing.submit_draft(
            draft_id,
            access,
            _agent_actor(agent),
            language,
            identity_method=identity_method,
            signature_method=signature_method,
            assisted_by_id=agent.id,
            status=CaseStatus.DRAFT_SIGNING if cosigners else CaseStatus.SUBMITTED,
        )
    except filing.SignatureRequired:
        raise InvalidInput(
            N_(
                "This e-service must be signed: ask the resident to sign with BankID on their phone, or attach "
                "the page they signed on paper."
            )
        ) from None
    case = submission.case
    if not submission.created:
        return case
    details: dict[str, Any] = {
        "reference": case.reference,
        "channel": case.channel,
        "identity_method": identity_method,
        "signature_method": case.signature_method,
    }
    if phone_order is not None and signature_method is SignatureMethod.BANKID_PHONE:
        details["order_ref"] = phone_order.order_ref
    if scan is not None:
        page = casework.attach_signature_page(case, agent, scan)
        details["signature_page"] = {"attachment": page.id, "sha256": page.sha256}
    if cosigners:
        cosigning.request_cosignatures(case, cosigners)
        details["cosigners"] = len(cosigners)
    audit.record(
        "submit_on_behalf",
        "case",
        case.id,
        resident_id=resident.id,
        reason=reason,
        actor=_actor(agent),
        details=details,
    )
    log_contact(
        agent,
        channel=case.channel,
        outcome=ContactOutcome.ESERVICE_FILED.value,
        started_at=started_at or case.created_at,
        resident_id=resident.id,
        service=case.service,
        case_ids=[case.id],
        reason=reason,
    )
    return case


def signature_page_for_agent(agent: StaffUser, resident: Resident, reference: str, *, reason: str) -> Any:
    """The scanned signature page of one of the resident's cases, for an agent who opened their record.

    404 (logged) for a case that is not this resident's or has no signature page; the read is audit-logged with
    the record's reason.
    """
    _require_agent(agent)
    case = db.scalar(select(Case).where(Case.reference == reference[:20]))
    if case is None or case.resident_id != resident.id:
        raise AccessDenied(404, "case", reference)
    page = casework.signature_page(case)
    if page is None:
        raise AccessDenied(404, "case_attachment", reference)
    audit.record(
        "read",
        "case_attachment",
        page.id,
        resident_id=resident.id,
        reason=reason,
        actor=_actor(agent),
        details={"reference": case.reference, "purpose": page.purpose},
    )
    return page
