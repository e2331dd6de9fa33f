"""Tables of submission signing: each BankID signature on a submission with its evidence, and co-sign requests."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base
from eservices.models import Case


class SignatureRole(enum.StrEnum):
    APPLICANT = "applicant"
    COSIGNER = "cosigner"


class CosignStatus(enum.StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class CosignRequest(Base):
    """One person named in the submission (by personnummer) who must sign it before it reaches the queue.

    The token makes the link in the notification; the link alone never lets anyone sign: the co-signer logs in
    with BankID, and both the login and the signature must be by the personnummer named here.
    """

    __tablename__ = "cosign_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    personal_number: Mapped[str] = mapped_column(String(12), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CosignStatus.PENDING.value, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    last_reminder_at: Mapped[dt.datetime | None]
    expiry_reminder_sent_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    case: Mapped[Case] = relationship()


class Signature(Base):
    """A BankID signature on a submission, with BankID's evidence kept as it came (completionData).

    `signed_digest` is the SHA-256 (hex) of the canonical submission that was sent as userNonVisibleData and
    found again inside the signature XML; `visible_text` is the summary the signer read in the BankID app.
    """

    __tablename__ = "submission_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    cosign_request_id: Mapped[int | None] = mapped_column(ForeignKey("cosign_request.id"), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20), default="bankid")
    personal_number: Mapped[str] = mapped_column(String(12))
    signer_name: Mapped[str] = mapped_column(String(400))
    # One BankID order signs one thing once; the unique reference refuses a replay even across processes.
    order_ref: Mapped[str] = mapped_column(String(64), unique=True)
    signed_digest: Mapped[str] = mapped_column(String(64))
    visible_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))
    signature_xml: Mapped[str] = mapped_column(Text)
    ocsp_response: Mapped[str] = mapped_column(Text)
    ocsp_produced_at: Mapped[dt.datetime | None]
    device: Mapped[dict[str, Any]] = mapped_column(default=dict)
    bank_id_issue_date: Mapped[str | None] = mapped_column(String(20))
    signed_at: Mapped[dt.datetime] = mapped_column(default=now)
