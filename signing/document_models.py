"""The `document` table: every receipt and decision Kanal issues, its content until sealing, and the sealed file.

The case reference is kept here as well as the case id, so that `signing` can say which case a document
belongs to without reaching into the case domain (which may import `signing`, never the other way round).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base

__all__ = ["Document"]


class Document(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    case_reference: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # DocumentKind: receipt | decision
    language: Mapped[str] = mapped_column(String(5))
    filename: Mapped[str] = mapped_column(String(200))
    # What the document shows (DocumentContent as JSON), fixed when it was requested: sealing renders this,
    # not whatever the case looks like by the time the worker gets to it.
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    storage_key: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    sealed_at: Mapped[dt.datetime | None]
