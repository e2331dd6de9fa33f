"""The tables of case handling: per-service workflows, messages and their attachments, internal notes,
completion requests, decision templates and decisions.

They sit beside `eservices.models` (catalogue and cases) and refer to cases by id; a case's timeline stays in
`case_event`, which every change here appends to.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base
from core.models import StaffUser
from eservices.api_models import ApiToken
from eservices.models import Case, Service
from signing.document_models import Document

__all__ = [
    "AttachmentOwner",
    "AttachmentPurpose",
    "CaseAttachment",
    "CaseDecision",
    "CaseMessage",
    "CaseNote",
    "CompletionRequest",
    "CompletionStatus",
    "DecisionOutcome",
    "DecisionTemplate",
    "MessageDirection",
    "ServiceWorkflow",
]


class MessageDirection(enum.StrEnum):
    TO_RESIDENT = "to_resident"
    FROM_RESIDENT = "from_resident"


class CompletionStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"


class DecisionOutcome(enum.StrEnum):
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    REJECTED = "rejected"


class AttachmentOwner(enum.StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    CASE_SYSTEM = "case_system"


class AttachmentPurpose(enum.StrEnum):
    """What an attachment is, when it is more than a file sent with a message, completion or decision."""

    SIGNATURE_PAGE = "signature_page"  # the scanned page a resident signed on paper, attached by an agent


class ServiceWorkflow(Base):
    """Which status changes a service's cases allow: {"submitted": ["in_progress", ...], ...}.

    A service without a row uses the default workflow in `eservices.casework`.
    """

    __tablename__ = "service_workflow"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), unique=True)
    transitions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    service: Mapped[Service] = relationship()


class CaseMessage(Base):
    """A message between the resident and the case officer; residents see all of these (notes are separate).

    A message to the resident is written by a staff member or sent by a case system through the REST API.
    """

    __tablename__ = "case_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    author_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    author_api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    case: Mapped[Case] = relationship()
    author_staff: Mapped[StaffUser | None] = relationship()
    author_api_token: Mapped[ApiToken | None] = relationship()
    attachments: Mapped[list[CaseAttachment]] = relationship(
        back_populates="message", order_by="CaseAttachment.id"
    )

    @property
    def author_name(self) -> str:
        """Who wrote a message to the resident, as staff and residents read it; empty for the resident's own."""
        if self.author_staff is not None:
            return self.author_staff.full_name
        return self.author_api_token.name if self.author_api_token is not None else ""


class CaseAttachment(Base):
    """A file added to a case after filing, with a message or a completion. The bytes are in file storage under
    a key Kanal chose; the name the uploader gave is only shown, never used as a path."""

    __tablename__ = "case_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("case_message.id"), index=True)
    completion_request_id: Mapped[int | None] = mapped_column(ForeignKey("completion_request.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("case_decision.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(20))  # AttachmentOwner
    uploaded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    purpose: Mapped[str | None] = mapped_column(String(30))  # AttachmentPurpose
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    message: Mapped[CaseMessage | None] = relationship(back_populates="attachments")


class CaseNote(Base):
    """An internal note by staff. Residents never see notes, on any page or in any document."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    author_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    author_staff: Mapped[StaffUser] = relationship()


class CompletionRequest(Base):
    """What an officer needs before deciding: a description, the answers the resident may change, whether
    files may be added, and when by."""

    __tablename__ = "completion_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    description: Mapped[str] = mapped_column(Text)
    field_keys: Mapped[list[Any]] = mapped_column(default=list)
    wants_attachments: Mapped[bool] = mapped_column(Boolean, default=False)
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=CompletionStatus.OPEN.value)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    completed_at: Mapped[dt.datetime | None]

    case: Mapped[Case] = relationship()
    requested_by: Mapped[StaffUser] = relationship()


class DecisionTemplate(Base):
    """Reasoning text an officer starts a decision from; for one service or, without a service, for all."""

    __tablename__ = "decision_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))  # DecisionOutcome, or None for any outcome
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    service: Mapped[Service | None] = relationship()


class CaseDecision(Base):
    """The decision on a case: outcome, reasoning as sent, who decided (a staff member, or a case system through
    the REST API), the sealed decision document, and any files that came with it (a case system's own PDF)."""

    __tablename__ = "case_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reasoning: Mapped[str] = mapped_column(Text)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("decision_template.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    decided_by_api_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_token.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime] = mapped_column(default=now)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    decided_by: Mapped[StaffUser | None] = relationship()
    decided_by_api_token: Mapped[ApiToken | None] = relationship()
    document: Mapped[Document | None] = relationship()
    attachments: Mapped[list[CaseAttachment]] = relationship(order_by="CaseAttachment.id")

    @property
    def decider_name(self) -> str:
        """The officer who decided, or the case system whose token recorded the decision."""
        if self.decided_by is not None:
            return self.decided_by.full_name
        return self.decided_by_api_token.name if self.decided_by_api_token is not None else ""
