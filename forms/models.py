"""The form engine's tables: forms with their editable draft definition, immutable published versions, and
drafts (answers in progress), each bound to the exact version it was started on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.clock import now
from core.db import Base

Translated = dict[str, Any]


class Form(Base):
    """A form as form admins edit it; residents only ever see its published versions."""

    __tablename__ = "form"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[Translated] = mapped_column(default=dict)
    draft_definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    versions: Mapped[list[FormVersion]] = relationship(back_populates="form", order_by="FormVersion.version")


class FormVersion(Base):
    """A published definition. Immutable: the ORM refuses to change or delete one, because drafts and cases
    keep using the version they were started on after a newer one is published.
    """

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column()
    # SHA-256 of the definition's canonical JSON, set when the version is stored: the engine keeps checked
    # definitions by it, so using a version costs neither reading nor re-encoding its JSON.
    definition_digest: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(default=now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    change_note: Mapped[str | None] = mapped_column(Text)

    form: Mapped[Form] = relationship(back_populates="versions")


def definition_digest(definition: Any) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@event.listens_for(FormVersion, "before_insert")
def _digest_the_definition(_mapper: Any, _connection: Any, version: FormVersion) -> None:
    version.definition_digest = definition_digest(version.definition)


class Draft(Base):
    """Answers in progress, saved after every page; anonymous drafts are found again by their token."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prefilled: Mapped[dict[str, Any]] = mapped_column(default=dict)
    current_page: Mapped[str | None] = mapped_column(String(80))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20), default="self_service")
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now, index=True)
    # When the draft became a case (co-signed cases included); from then on it keeps no answers and cannot
    # change, and a repeated submit finds the case it made.
    submitted_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    form_version: Mapped[FormVersion] = relationship()


class ImmutableVersionError(RuntimeError):
    """Someone tried to change or delete a published form version."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published_versions(session: Session, _context: Any, _instances: Any) -> None:
    for instance in list(session.dirty) + list(session.deleted):
        if isinstance(instance, FormVersion) and (
            instance in session.deleted or session.is_modified(instance)
        ):
            raise ImmutableVersionError("published form versions cannot be changed; publish a new version")
