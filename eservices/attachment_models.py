"""The attachment table: files residents upload to a draft, kept with the case the draft becomes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base


class Attachment(Base):
    """One uploaded file. The bytes live in the storage backend under `storage_key`; this row says what they are.

    `filename` is the sanitised name the resident's file had (shown back, never used as a path) and
    `content_type` is what the content's magic bytes say, not what the browser claimed.
    """

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Drafts are purged after some weeks; the attachment then stays with its case, or goes with the draft.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    field_path: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=now)
