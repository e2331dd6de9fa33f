"""Public face of `eservices`: the catalogue and the case lifecycle, for views, other packages and commands."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.attributes import set_committed_value

from core import audit, clock, outbox
from core.db import db, independent_transaction, insert_row
from eservices import events
from eservices.actors import Actor
from eservices.models import (
    Case,
    CaseEvent,
    CaseReferenceCounter,
    CaseStatus,
    Category,
    Channel,
    Service,
    SignatureMethod,
)
from forms import service as forms

__all__ = [
    "Actor",
    "CaseAccessDenied",
    "CaseRuleError",
    "Upload",
    "add_case_event",
    "allocate_case_reference",
    "case_for_officer",
    "case_for_resident",
    "cases_for_resident",
    "categories",
    "create_case",
    "decide_case",
    "find_category",
    "find_service",
    "popular_services",
    "request_completion",
    "send_message_to_resident",
    "submit_completion",
    "timeline",
]


def categories() -> list[Category]:
    return list(db.scalars(select(Category).order_by(Category.position, Category.slug)))


def find_category(slug: str) -> Category | None:
    return db.scalar(select(Category).where(Category.slug == slug))


def find_service(slug: str) -> Service | None:
    return db.scalar(select(Service).where(Service.slug == slug, Service.active.is_(True)))


def popular_services(limit: int = 6) -> list[Service]:
    return list(
        db.scalars(
            select(Service)
            .where(Service.popular.is_(True), Service.active.is_(True))
            .order_by(Service.slug)
            .limit(limit)
        )
    )


def cases_for_resident(resident_id: int) -> list[Case]:
    """The resident's own cases, newest first. Callers pass the logged-in resident's id, never one from a URL."""
    return list(
        db.scalars(
            select(Case)
            .where(Case.resident_id == resident_id)
            .order_by(Case.created_at.desc(), Case.id.desc())
        )
    )


def allocate_case_reference(year: int | None = None) -> str:
    """The next reference for the year, like 2026-000123: unique under concurrency, gaps allowed.

    On PostgreSQL each year has a sequence (`case_reference_<year>`, made by the year's first case): `nextval`
    neither waits for nor holds a lock and is never rolled back, so concurrent submissions do not queue behind
    each other, and one that rolls back leaves a gap — references must be unique, not gapless. SQLite has a
    single writer anyway, so there the year's row in `case_reference_counter` moves inside the caller's
    transaction.
    """
    year = year or clock.now().year
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        return f"{year}-{connection.scalar(_NEXT_COUNTER_VALUE, {'year': year}):06d}"
    name = _year_sequence(year)
    number = connection.scalar(_NEXT_SEQUENCE_VALUE, {"sequence": name})
    if number is None:  # no sequence yet, as far as this transaction can tell: the year's first case
        number = _next_from_new_year_sequence(name)
    return f"{year}-{number:06d}"


def _year_sequence(year: int) -> str:
    if not 1000 <= year <= 9999:
        raise ValueError(f"a case reference year has four digits: {year}")
    return f"case_reference_{year}"


def _next_from_new_year_sequence(name: str) -> int:
    """Create the year's sequence unless it exists, and take a number from it, on a connection of its own.

    The creation commits at once, so every later transaction finds the sequence. The transaction that missed it
    keeps missing it (PostgreSQL remembers for the rest of a transaction that a name was not found) and comes
    here for each number it takes. The sequence is owned by `case_reference_counter.year`: emptying that table
    with RESTART IDENTITY (as the test suite does) starts the numbering over, and dropping it drops them.
    """
    with independent_transaction() as connection:
        try:
            connection.exec_driver_sql(
                f"CREATE SEQUENCE IF NOT EXISTS {name} OWNED BY case_reference_counter.year"
            )
        except DBAPIError:
            # A concurrent first case of the year created it in the same instant: that is all we wanted.
            if connection.scalar(text("SELECT to_regclass(:sequence)"), {"sequence": name}) is None:
                raise
        return int(connection.scalar(_NEXT_SEQUENCE_VALUE, {"sequence": name}))


# Built once: making a statement costs more than running it, and every submission runs one of these.
_NEXT_SEQUENCE_VALUE = text("SELECT nextval(to_regclass(:sequence))")  # NULL when the sequence does not exist
_NEXT_COUNTER_VALUE = (
    sqlite.insert(CaseReferenceCounter)
    .values(year=bindparam("year"), last_value=1)
    .on_conflict_do_update(index_elements=["year"], set_={"last_value": CaseReferenceCounter.last_value + 1})
    .returning(CaseReferenceCounter.last_value)
)


def add_case_event(
    case: Case,
    kind: str,
    *,
    actor: tuple[str, str | None] = ("system", None),
    data: dict[str, Any] | None = None,
    visible_to_resident: bool = True,
) -> CaseEvent:
    """Append to the case's timeline (events are never changed afterwards)."""
    event = CaseEvent(
        case=case,
        kind=kind,
        actor_kind=actor[0],
        actor_id=actor[1],
        data=data or {},
        visible_to_resident=visible_to_resident,
        at=clock.now(),
    )
    db.add(event)
    return event


def create_case(
    service: Service,
    resident_id: int | None,
    answers: dict[str, Any],
    *,
    channel: Channel = Channel.SELF_SERVICE,
    actor: tuple[str, str | None] = ("system", None),
    assisted_by_id: int | None = None,
    identity_method: str | None = None,
    signature_method: SignatureMethod | None = None,
    form_version_id: int | None = None,
    draft_id: int | None = None,
    status: CaseStatus = CaseStatus.SUBMITTED,
    form_statistics: dict[str, Any] | None = None,
) -> Case:
    """Create a case with its reference, queue from the service, first timeline event and audit entry.

    `assisted_by_id` is the agent who filed it on the resident's behalf and `signature_method` how the applicant
    signed (None: not signed); both are set before the case is flushed, so the timeline, the audit entry and
    whoever listens to `case_submitted` (receipts, webhooks) see the case complete.
    `form_version_id` is the form version the answers were given on; `draft_id` the draft they came from (one
    case per draft, enforced by a unique constraint). A case created waiting for co-signers
    (`CaseStatus.DRAFT_SIGNING`) is not submitted yet: `case_submitted` is sent when the last signature is in.
    `form_statistics` (`forms.submission_statistics` of the draft) is recorded by the follow-up job of a
    submitted case, and at once for a case that waits for co-signers.
    """
    now = clock.now()
    submitted = status is CaseStatus.SUBMITTED
    reference = allocate_case_reference(now.year)
    event_data: dict[str, Any] = {"channel": channel.value}
    details: dict[str, Any] = {"reference": reference}
    if signature_method is not None:
        event_data["signature_method"] = details["signature_method"] = signature_method.value
    if assisted_by_id is not None:
        details["assisted_by"] = assisted_by_id
    # Two single-row inserts rather than a flush: every submission comes this way (see core.db.insert_row).
    case = insert_row(
        Case,
        {
            "reference": reference,
            "service_id": service.id,
            "resident_id": resident_id,
            "queue_id": service.queue_id,
            "status": status.value,
            "channel": channel.value,
            "assisted_by_id": assisted_by_id,
            "identity_method": identity_method,
            "signature_method": signature_method.value if signature_method is not None else None,
            "answers": answers,
            "form_version_id": form_version_id,
            "draft_id": draft_id,
            "submitted_at": now if submitted else None,
            "created_at": now,
            "updated_at": now,
        },
    )
    set_committed_value(case, "service", service)  # the caller's object: reading it costs no query
    insert_row(
        CaseEvent,
        {
            "case_id": case.id,
            "at": now,
            "kind": "submitted",
            "actor_kind": actor[0],
            "actor_id": actor[1],
            "visible_to_resident": True,
            "data": event_data,
        },
    )
    audit.record("create", "case", case.id, resident_id=resident_id, actor=actor, details=details)
    if submitted:
        announce_submission(case, form_statistics=form_statistics)
    elif form_statistics is not None:
        forms.record_submission(form_statistics)
    return case


SUBMITTED_JOB = "case.submitted"


def announce_submission(case: Case, *, form_statistics: dict[str, Any] | None = None, **extra: Any) -> None:
    """The case is submitted now: followers that must act at once run in this transaction, the rest in a job.

    The job (one row, committed with the case) records the form's statistics and sends
    `case_submission_committed` from the worker, so the receipt, webhooks, notifications and statistics cost the
    submit request nothing and cannot be lost.
    """
    events.case_submitted.send(case, **extra)
    payload: dict[str, Any] = {"case_id": case.id}
    if form_statistics is not None:
        payload["form_statistics"] = form_statistics
    outbox.enqueue(SUBMITTED_JOB, payload, f"{SUBMITTED_JOB}:{case.id}")


@outbox.handler(SUBMITTED_JOB)
def follow_up_submission(payload: dict[str, Any], _job: outbox.JobContext) -> None:
    if "form_statistics" in payload:
        forms.record_submission(payload["form_statistics"])  # kept even if the case is gone since
    case = db.get(Case, int(payload["case_id"]))
    if case is None:
        return  # deleted since (a test resident, or erased on request): nobody left to tell
    events.case_submission_committed.send(case)


# Case handling lives in its own module; its main entry points are part of this public face too.
from eservices.casework import (  # noqa: E402
    CaseAccessDenied,
    CaseRuleError,
    Upload,
    case_for_officer,
    case_for_resident,
    decide_case,
    request_completion,
    send_message_to_resident,
    submit_completion,
    timeline,
)
