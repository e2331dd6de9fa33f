"""Tables of the contact centre: routing rules, callback requests, contact moments and the cases they touch.

It also declares the expression indexes on `resident` that the agent lookup needs (name prefix, e-mail, phone):
they exist for this package's queries, so they are declared and migrated here.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base
from core.models import Queue, Resident, StaffUser
from eservices.models import Case, Category, Service

__all__ = [
    "AssistedChannel",
    "CallbackOutcome",
    "CallbackRequest",
    "CallbackStatus",
    "ContactMoment",
    "ContactMomentCase",
    "ContactOutcome",
    "PreferredTime",
    "RoutingRule",
]


class AssistedChannel(enum.StrEnum):
    """How a resident reached the contact centre (the self-service channel is the e-services themselves)."""

    PHONE = "phone"
    VISIT = "visit"
    LETTER = "letter"
    EMAIL = "email"


class ContactOutcome(enum.StrEnum):
    ANSWERED = "answered_directly"
    FORWARDED = "forwarded"
    CALLBACK_CREATED = "callback_created"
    ESERVICE_FILED = "eservice_filed"
    GUIDED_TO_ESERVICE = "guided_to_eservice"


class PreferredTime(enum.StrEnum):
    ANY = "any"
    MORNING = "morning"
    AFTERNOON = "afternoon"


class CallbackStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"


class CallbackOutcome(enum.StrEnum):
    RESOLVED = "resolved"
    NO_ANSWER = "no_answer"
    FORWARDED = "forwarded"
    GUIDED_TO_ESERVICE = "guided_to_eservice"
    ESERVICE_FILED = "eservice_filed"


class RoutingRule(Base):
    """One step of the ordered routing: the first active rule whose conditions all hold picks the queue.

    Empty conditions match anything, so a rule with none is a catch-all. `language` makes a rule apply only to
    requests in that language (for example a queue staffed by agents who speak Arabic).
    """

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    language: Mapped[str | None] = mapped_column(String(5))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    service: Mapped[Service | None] = relationship()
    category: Mapped[Category | None] = relationship()
    queue: Mapped[Queue] = relationship()


class CallbackRequest(Base):
    """Someone asked to be called back; it waits in a department queue until an agent has called."""

    __tablename__ = "callback_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    caller_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    preferred_time: Mapped[str] = mapped_column(String(20), default=PreferredTime.ANY.value)
    language: Mapped[str] = mapped_column(String(5), default="sv")
    message: Mapped[str | None] = mapped_column(Text)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queue.id"), index=True)
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("routing_rule.id"))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=CallbackStatus.OPEN.value, index=True)
    created_by_kind: Mapped[str] = mapped_column(String(20))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    due_at: Mapped[dt.datetime]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    claimed_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(40))
    outcome_note: Mapped[str | None] = mapped_column(Text)

    resident: Mapped[Resident | None] = relationship()
    service: Mapped[Service | None] = relationship()
    queue: Mapped[Queue] = relationship()
    routing_rule: Mapped[RoutingRule | None] = relationship()
    claimed_by: Mapped[StaffUser | None] = relationship(foreign_keys=[claimed_by_id])

    def is_overdue(self, at: dt.datetime) -> bool:
        finished = self.completed_at if self.completed_at is not None else at
        return finished > self.due_at


class ContactMoment(Base):
    """One contact with a resident or an anonymous caller, in any assisted channel, and what came of it."""

    __tablename__ = "contact_moment"
    __table_args__ = (Index("ix_contact_moment_resident_started", "resident_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    agent_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    topic: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime]
    note: Mapped[str | None] = mapped_column(Text)
    callback_request_id: Mapped[int | None] = mapped_column(ForeignKey("callback_request.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    agent: Mapped[StaffUser] = relationship()
    resident: Mapped[Resident | None] = relationship()
    service: Mapped[Service | None] = relationship()
    case_links: Mapped[list[ContactMomentCase]] = relationship(
        cascade="all, delete-orphan", order_by="ContactMomentCase.case_id"
    )

    @property
    def cases(self) -> list[Case]:
        return [link.case for link in self.case_links]


class ContactMomentCase(Base):
    """A case a contact was about (or that was filed during it)."""

    __tablename__ = "contact_moment_case"

    contact_moment_id: Mapped[int] = mapped_column(
        ForeignKey("contact_moment.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True, index=True)

    case: Mapped[Case] = relationship()


# The agent lookup's indexes on core's resident table. Names are matched by prefix on lower(...) with LIKE
# 'prefix%' and listed in the same order; on PostgreSQL text_pattern_ops lets the LIKE use the index whatever the
# database's collation, and the lookup orders with that operator class (USING ~<~) so the index also gives the
# order and a page of results is read straight off it (id last, so ties need no sorting either).
Index(
    "ix_resident_name_prefix",
    func.lower(Resident.family_name).label("family_lower"),
    func.lower(Resident.given_name).label("given_lower"),
    Resident.id,
    postgresql_ops={"family_lower": "text_pattern_ops", "given_lower": "text_pattern_ops"},
)
Index("ix_resident_lower_email", func.lower(Resident.email))
Index("ix_resident_phone", Resident.phone)
