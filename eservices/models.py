"""The case domain's tables: catalogue categories and services, cases, their timeline and reference counters."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from core.clock import now
from core.db import Base
from core.models import Queue, Resident
from forms.models import Form, FormVersion

Translated = dict[str, Any]
"""Text in several languages, keyed by language code: {"sv": "...", "en": "..."}."""


class CaseStatus(enum.StrEnum):
    DRAFT_SIGNING = "awaiting_signatures"
    SUBMITTED = "submitted"
    IN_PROGRESS = "in_progress"
    AWAITING_COMPLETION = "awaiting_completion"
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Channel(enum.StrEnum):
    SELF_SERVICE = "self_service"
    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    EMAIL = "email"


class SignatureMethod(enum.StrEnum):
    """How the applicant signed the submission that became a case; a case without a signature has None."""

    BANKID = "bankid"  # the resident signed the answers themself with BankID (self-service)
    BANKID_PHONE = "bankid_phone"  # an agent filed it and the resident signed with BankID on their own phone
    PAPER = "paper"  # an agent filed it and attached the scanned page the resident signed on paper


class Category(Base):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[Translated] = mapped_column(default=dict)
    description: Mapped[Translated] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)

    services: Mapped[list[Service]] = relationship(back_populates="category", order_by="Service.slug")


class Service(Base):
    """A catalogue entry: something a resident can get done, by e-service or another channel."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"), index=True)
    title: Mapped[Translated] = mapped_column(default=dict)
    summary: Mapped[Translated] = mapped_column(default=dict)
    popular: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The e-service residents file; its newest published version is the one new drafts start on. One service
    # per form, so a draft always knows which service (and queue) its case goes to.
    form_id: Mapped[int | None] = mapped_column(ForeignKey("form.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    category: Mapped[Category] = relationship(back_populates="services")
    queue: Mapped[Queue] = relationship()
    form: Mapped[Form | None] = relationship()


class CaseReferenceCounter(Base):
    """SQLite: the last case number handed out per year, incremented in the filing's transaction.

    On PostgreSQL the numbers come from one sequence per year (`eservices.service.allocate_case_reference`),
    owned by this table's `year` column.
    """

    __tablename__ = "case_reference_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """An errand (ärende) a resident has started; always belongs to the resident, whoever filed it."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    status: Mapped[str] = mapped_column(String(40), default=CaseStatus.SUBMITTED.value, index=True)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.SELF_SERVICE.value)
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    identity_method: Mapped[str | None] = mapped_column(String(40))
    signature_method: Mapped[str | None] = mapped_column(String(20))  # SignatureMethod, None when unsigned
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The exact form version the answers were given on; a newer version never reinterprets them.
    form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_version.id"), index=True)
    # The draft it was submitted from: unique, so a double click or a browser retry cannot make a second case.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now, index=True)
    submitted_at: Mapped[dt.datetime | None]
    first_action_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    service: Mapped[Service] = relationship()
    resident: Mapped[Resident | None] = relationship()
    queue: Mapped[Queue] = relationship()
    form_version: Mapped[FormVersion | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id", back_populates="case")


class CaseEvent(Base):
    """One entry in a case's timeline. Append-only: the ORM refuses to change or delete one."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=now)
    kind: Mapped[str] = mapped_column(String(60))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    visible_to_resident: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class AppendOnlyError(RuntimeError):
    """Someone tried to change history."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_history(session: Session, _context: Any, _instances: Any) -> None:
    for instance in list(session.dirty) + list(session.deleted):
        if isinstance(instance, CaseEvent) and (instance in session.deleted or session.is_modified(instance)):
            raise AppendOnlyError("case events are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_history(state: ORMExecuteState) -> None:
    # `update(CaseEvent)` and `delete(CaseEvent)` statements bypass the flush, so they are checked here.
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is CaseEvent:
        raise AppendOnlyError("case events are append-only")
