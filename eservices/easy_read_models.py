"""The `easy_read_summary` table: a plain-language ("lättläst") summary of a service page, per language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base
from eservices.models import Service, Translated

__all__ = ["EasyReadSummary"]


class EasyReadSummary(Base):
    """One service's easy-to-read text: short sentences, everyday words, one idea per paragraph.

    Kept beside the catalogue's service details rather than in them, so the catalogue can change without it.
    """

    __tablename__ = "easy_read_summary"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[Translated] = mapped_column(
        default=dict
    )  # {"sv": "...", "ar": "..."}; paragraphs by blank line
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))

    service: Mapped[Service] = relationship()
