"""Tables of the REST API and webhooks: API tokens scoped to departments, and webhook subscriptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base
from core.models import Department, StaffUser

__all__ = ["ApiToken", "Webhook", "api_token_department"]

api_token_department = Table(
    "api_token_department",
    Base.metadata,
    Column("api_token_id", ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)


class ApiToken(Base):
    """A credential of an external case system. Only the SHA-256 of the secret is kept; the secret is shown
    once, when the token is made. A token sees and changes only the cases of its departments."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, so an admin can tell which token a system uses without the secret.
    token_prefix: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    departments: Mapped[list[Department]] = relationship(
        secondary=api_token_department, order_by="Department.name", lazy="selectin"
    )
    created_by: Mapped[StaffUser | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def department_ids(self) -> frozenset[int]:
        return frozenset(department.id for department in self.departments)


class Webhook(Base):
    """An address told about case events of one department, each request signed with the webhook's secret."""

    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    # Kept readable: Kanal signs every delivery with it (HMAC needs the secret itself, not a hash).
    secret: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"), index=True)
    events: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    department: Mapped[Department] = relationship()
