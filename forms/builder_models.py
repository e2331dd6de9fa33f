"""The form builder's tables: what each submission of a form looked like (for form statistics) and residents'
one-question satisfaction ratings from the confirmation page.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import now
from core.db import Base


class FormSubmissionRecord(Base):
    """One submitted draft, remembered for statistics even after the draft itself is deleted.

    The filing flow reports each submission through `forms.builder_statistics.record_submission`; the form
    package cannot see cases, so this is how it learns which drafts were finished.
    """

    __tablename__ = "form_submission_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"), index=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    # No foreign key: drafts are deleted when their retention ends, the record stays.
    draft_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="self_service")
    started_at: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    prefilled_count: Mapped[int] = mapped_column(Integer, default=0)


class FormRating(Base):
    """A resident's answer to "How easy was it?" (1 = very hard … 5 = very easy), anonymous by design."""

    __tablename__ = "form_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"), index=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
