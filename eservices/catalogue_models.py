"""The catalogue's own tables: service details and channels, the search index, life events with their questions
and steps, saved checklists, and proactive-offer rules with the offers they made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base
from eservices.models import Service, Translated

TranslatedList = dict[str, Any]
"""Lists of words per language: {"sv": ["dagis", "förskoleplats"], "en": ["nursery"]}."""


class ServiceDetails(Base):
    """What a service page says in plain language, and every channel a resident can use besides the e-service."""

    __tablename__ = "service_details"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    description: Mapped[Translated] = mapped_column(default=dict)
    who_can_apply: Mapped[Translated] = mapped_column(default=dict)
    what_you_need: Mapped[Translated] = mapped_column(default=dict)
    processing_time: Mapped[Translated] = mapped_column(default=dict)
    cost: Mapped[Translated] = mapped_column(default=dict)
    synonyms: Mapped[TranslatedList] = mapped_column(default=dict)
    # A service run by someone else (or an e-service outside Kanal) links there instead of to a Kanal form.
    external_url: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_hours: Mapped[Translated] = mapped_column(default=dict)
    visit_address: Mapped[str | None] = mapped_column(String(300))
    opening_hours: Mapped[Translated] = mapped_column(default=dict)
    postal_address: Mapped[str | None] = mapped_column(String(300))
    printable_form_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    service: Mapped[Service] = relationship()


class ServiceSearchEntry(Base):
    """One service's searchable text in one language, rebuilt whenever the service or its details change.

    On PostgreSQL `document` is a weighted tsvector built with the language's text-search configuration; on
    SQLite it holds the Snowball stems, and `service_search_term` is the inverted index.
    """

    __tablename__ = "service_search_entry"
    __table_args__ = (
        UniqueConstraint("service_id", "language"),
        Index("ix_service_search_entry_document", "document", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    document: Mapped[str] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), default="")


class ServiceSearchWord(Base):
    """PostgreSQL's vocabulary for misspellings: every word of the catalogue per language, with a trigram index
    on its folded form (lower case, no diacritics). A misspelt query word is corrected to the words it resembles
    before the full-text search, as the pg_trgm documentation suggests; stale words only cost a little."""

    __tablename__ = "service_search_word"
    __table_args__ = (
        Index(
            "ix_service_search_word_folded_trgm",
            "folded",
            postgresql_using="gin",
            postgresql_ops={"folded": "gin_trgm_ops"},
        ),
    )

    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    word: Mapped[str] = mapped_column(String(80), primary_key=True)
    folded: Mapped[str] = mapped_column(String(80))


class ServiceSearchTerm(Base):
    """SQLite's inverted index: one stem of one entry with the weight of the field it came from."""

    __tablename__ = "service_search_term"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("service_search_entry.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
    weight: Mapped[float] = mapped_column(default=1.0)


class LifeEvent(Base):
    """A situation in life ("Moving to the municipality") with a short questionnaire and the steps it leads to."""

    __tablename__ = "life_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[Translated] = mapped_column(default=dict)
    summary: Mapped[Translated] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    questions: Mapped[list[LifeEventQuestion]] = relationship(
        order_by="LifeEventQuestion.position", cascade="all, delete-orphan", back_populates="life_event"
    )
    steps: Mapped[list[LifeEventStep]] = relationship(
        order_by="LifeEventStep.position", cascade="all, delete-orphan", back_populates="life_event"
    )


class LifeEventQuestion(Base):
    """A yes/no or one-of-several question. `options` is [{"value": "...", "label": {lang: text}}]."""

    __tablename__ = "life_event_question"
    __table_args__ = (UniqueConstraint("life_event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    life_event_id: Mapped[int] = mapped_column(ForeignKey("life_event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[Translated] = mapped_column(default=dict)
    hint: Mapped[Translated] = mapped_column(default=dict)
    options: Mapped[list[Any]] = mapped_column(default=list)

    life_event: Mapped[LifeEvent] = relationship(back_populates="questions")


class LifeEventStep(Base):
    """One thing to do, at the municipality (`service_id`) or at another agency (`external_url`).

    `show_when` is the rule mapping answers to this step: a list of {"question": key, "in": [values]}, all of
    which must hold; an empty list means every checklist gets the step.
    """

    __tablename__ = "life_event_step"
    __table_args__ = (UniqueConstraint("life_event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    life_event_id: Mapped[int] = mapped_column(ForeignKey("life_event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[Translated] = mapped_column(default=dict)
    description: Mapped[Translated] = mapped_column(default=dict)
    timing: Mapped[Translated] = mapped_column(default=dict)
    agency: Mapped[Translated] = mapped_column(default=dict)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"), index=True)
    external_url: Mapped[str | None] = mapped_column(String(500))
    show_when: Mapped[list[Any]] = mapped_column(default=list)

    life_event: Mapped[LifeEvent] = relationship(back_populates="steps")
    service: Mapped[Service | None] = relationship()


class SavedChecklist(Base):
    """A resident's personalised checklist for a life event: the answers given and the steps they led to."""

    __tablename__ = "saved_checklist"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    life_event_id: Mapped[int] = mapped_column(ForeignKey("life_event.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # An agent who walked the resident through the questionnaire on the phone; None when the resident did it.
    saved_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    life_event: Mapped[LifeEvent] = relationship()
    steps: Mapped[list[SavedChecklistStep]] = relationship(
        order_by="SavedChecklistStep.position", cascade="all, delete-orphan", back_populates="checklist"
    )


class SavedChecklistStep(Base):
    """A step on a saved checklist and whether it is done. The step's texts are kept, so the checklist still
    reads the same after an admin edits or removes the life event's step."""

    __tablename__ = "saved_checklist_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("saved_checklist.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int | None] = mapped_column(ForeignKey("life_event_step.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[Translated] = mapped_column(default=dict)
    timing: Mapped[Translated] = mapped_column(default=dict)
    agency: Mapped[Translated] = mapped_column(default=dict)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"), index=True)
    external_url: Mapped[str | None] = mapped_column(String(500))
    done_at: Mapped[dt.datetime | None]
    # What ticked it: "resident", "agent" or "case" (a case filed for the step's service).
    done_by: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))

    checklist: Mapped[SavedChecklist] = relationship(back_populates="steps")
    service: Mapped[Service | None] = relationship()


class OfferRule(Base):
    """A proactive-offer rule over register data. `kind` names the check in `eservices.life_events.OFFER_CHECKS`
    and `parameters` tunes it (e.g. {"age_years": 1, "within_months": 3})."""

    __tablename__ = "offer_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    title: Mapped[Translated] = mapped_column(default=dict)
    text: Mapped[Translated] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service] = relationship()


class Offer(Base):
    """An offer a rule made to one resident about one subject (e.g. a child), made and notified once."""

    __tablename__ = "offer"
    __table_args__ = (UniqueConstraint("resident_id", "rule_id", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("offer_rule.id", ondelete="CASCADE"), index=True)
    subject_key: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    dismissed_at: Mapped[dt.datetime | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="SET NULL"))

    rule: Mapped[OfferRule] = relationship()
