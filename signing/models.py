"""Tables of `signing`: BankID orders, kept in the database so any app process can collect any order."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base


class OrderPurpose(enum.StrEnum):
    LOGIN = "login"
    SIGN = "sign"
    PHONE_AUTH = "phone_auth"
    PHONE_SIGN = "phone_sign"


class OrderState(enum.StrEnum):
    PENDING = "pending"
    FAILED = "failed"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    CONSUMED = "consumed"  # a completed order whose result has been used; it can never be used again


class BankIDOrder(Base):
    """One BankID order, bound to the browser session that started it and the end user's IP address."""

    __tablename__ = "bankid_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_ref: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    started_via: Mapped[str] = mapped_column(String(20))
    session_binding: Mapped[str] = mapped_column(String(64), index=True)
    end_user_ip: Mapped[str | None] = mapped_column(String(64))
    auto_start_token: Mapped[str | None] = mapped_column(String(64))
    qr_start_token: Mapped[str | None] = mapped_column(String(64))
    qr_start_secret: Mapped[str | None] = mapped_column(String(64))
    started_at_epoch: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime]
    state: Mapped[str] = mapped_column(String(20), default=OrderState.PENDING.value, index=True)
    hint_code: Mapped[str | None] = mapped_column(String(40))
    error_code: Mapped[str | None] = mapped_column(String(40))
    personal_number: Mapped[str | None] = mapped_column(String(12))
    completion_data: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    user_visible_data: Mapped[str | None] = mapped_column(Text)
    user_non_visible_data: Mapped[str | None] = mapped_column(String(200))
    next_url: Mapped[str | None] = mapped_column(String(500))
    subject_kind: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    last_collected_at: Mapped[dt.datetime | None]
    consumed_at: Mapped[dt.datetime | None]
