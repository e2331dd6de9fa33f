"""Core tables: residents, staff and their roles, departments and queues, the audit log and the outbox."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base


class Role(enum.StrEnum):
    AGENT = "agent"
    CASE_OFFICER = "case_officer"
    FORM_ADMIN = "form_admin"
    SYSTEM_ADMIN = "system_admin"


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    queues: Mapped[list[Queue]] = relationship(back_populates="department", order_by="Queue.name")


class Queue(Base):
    """Where work waits: cases and callback requests are routed to a department's queue."""

    __tablename__ = "queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sla_hours: Mapped[int] = mapped_column(Integer, default=72)

    department: Mapped[Department] = relationship(back_populates="queues")


class Resident(Base):
    """A person, identified by personnummer (12 digits, YYYYMMDDNNNN)."""

    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    personnummer: Mapped[str] = mapped_column(String(12), unique=True)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str] = mapped_column(String(5), default="sv")
    street_address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    needs_extra_support: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_login_at: Mapped[dt.datetime | None]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class StaffUser(Base):
    """A municipal employee who logs in with e-mail, password and optionally a TOTP code."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The TOTP time step (Unix time // 30) of the last code accepted, so no code is accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    department: Mapped[Department | None] = relationship()
    role_rows: Mapped[list[StaffRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class StaffRole(Base):
    __tablename__ = "staff_role"
    __table_args__ = (UniqueConstraint("staff_user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))


class AuditEntry(Base):
    """One read or change of personal data. Append-only; each entry's hash covers the previous one's."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    subject_kind: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    resident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """A single row pointing at the newest audit entry; locking it serialises appends to the chain."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_entry_id: Mapped[int | None]
    last_hash: Mapped[str] = mapped_column(String(64))


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxMessage(Base):
    """A side effect (e-mail, SMS, webhook, sealing) committed with its cause and performed by a worker."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    completed_at: Mapped[dt.datetime | None]


class AccessibilityStatement(Base):
    """The accessibility statement (tillgänglighetsredogörelse) the DOS law requires; one row, edited by admins.

    Free texts are {language: text} so the statement reads in every language Kanal offers.
    """

    __tablename__ = "accessibility_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_name: Mapped[dict[str, Any]] = mapped_column(default=dict)
    compliance: Mapped[str] = mapped_column(String(20), default="partly")
    shortcomings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assessment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assessed_on: Mapped[dt.date | None]
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
