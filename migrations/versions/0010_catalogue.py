"""catalogue: service details and channels, the search index, life events, saved checklists and offers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 19:46:16.211598
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Trigram similarity for misspelt searches; pg_trgm ships with PostgreSQL's contrib and is trusted, so
        # the database owner may create it. It is left in place on downgrade: other schemas may come to use it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "life_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_event")),
        sa.UniqueConstraint("slug", name=op.f("uq_life_event_slug")),
    )
    op.create_table(
        "life_event_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("life_event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("hint", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["life_event_id"],
            ["life_event.id"],
            name=op.f("fk_life_event_question_life_event_id_life_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_event_question")),
        sa.UniqueConstraint("life_event_id", "key", name=op.f("uq_life_event_question_life_event_id_key")),
    )
    with op.batch_alter_table("life_event_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_life_event_question_life_event_id"), ["life_event_id"], unique=False
        )

    op.create_table(
        "saved_checklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("life_event_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("saved_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["life_event_id"],
            ["life_event.id"],
            name=op.f("fk_saved_checklist_life_event_id_life_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_saved_checklist_resident_id_resident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_saved_checklist_saved_by_staff_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_checklist")),
    )
    with op.batch_alter_table("saved_checklist", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_checklist_life_event_id"), ["life_event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_saved_checklist_resident_id"), ["resident_id"], unique=False)

    op.create_table(
        "life_event_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("life_event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("timing", sa.JSON(), nullable=False),
        sa.Column("agency", sa.JSON(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("external_url", sa.String(length=500), nullable=True),
        sa.Column("show_when", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["life_event_id"],
            ["life_event.id"],
            name=op.f("fk_life_event_step_life_event_id_life_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_life_event_step_service_id_service"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_event_step")),
        sa.UniqueConstraint("life_event_id", "key", name=op.f("uq_life_event_step_life_event_id_key")),
    )
    with op.batch_alter_table("life_event_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_life_event_step_life_event_id"), ["life_event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_life_event_step_service_id"), ["service_id"], unique=False)

    op.create_table(
        "offer_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_offer_rule_service_id_service"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_rule")),
        sa.UniqueConstraint("key", name=op.f("uq_offer_rule_key")),
    )
    with op.batch_alter_table("offer_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_rule_service_id"), ["service_id"], unique=False)

    op.create_table(
        "service_details",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("who_can_apply", sa.JSON(), nullable=False),
        sa.Column("what_you_need", sa.JSON(), nullable=False),
        sa.Column("processing_time", sa.JSON(), nullable=False),
        sa.Column("cost", sa.JSON(), nullable=False),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.Column("external_url", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("phone_hours", sa.JSON(), nullable=False),
        sa.Column("visit_address", sa.String(length=300), nullable=True),
        sa.Column("opening_hours", sa.JSON(), nullable=False),
        sa.Column("postal_address", sa.String(length=300), nullable=True),
        sa.Column("printable_form_url", sa.String(length=500), nullable=True),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_details_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service_details")),
    )
    op.create_table(
        "service_search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("document", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_search_entry_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_search_entry")),
        sa.UniqueConstraint(
            "service_id", "language", name=op.f("uq_service_search_entry_service_id_language")
        ),
    )
    with op.batch_alter_table("service_search_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_search_entry_document", ["document"], unique=False, postgresql_using="gin"
        )
        batch_op.create_index(batch_op.f("ix_service_search_entry_service_id"), ["service_id"], unique=False)

    op.create_table(
        "service_search_word",
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("word", sa.String(length=80), nullable=False),
        sa.Column("folded", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("language", "word", name=op.f("pk_service_search_word")),
    )
    with op.batch_alter_table("service_search_word", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_search_word_folded_trgm",
            ["folded"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"folded": "gin_trgm_ops"},
        )

    op.create_table(
        "service_search_term",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=80), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["service_search_entry.id"],
            name=op.f("fk_service_search_term_entry_id_service_search_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "term", name=op.f("pk_service_search_term")),
    )
    with op.batch_alter_table("service_search_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_search_term_term"), ["term"], unique=False)

    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=60), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_offer_case_id_case"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_offer_resident_id_resident"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["offer_rule.id"], name=op.f("fk_offer_rule_id_offer_rule"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
        sa.UniqueConstraint(
            "resident_id", "rule_id", "subject_key", name=op.f("uq_offer_resident_id_rule_id_subject_key")
        ),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "saved_checklist_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("timing", sa.JSON(), nullable=False),
        sa.Column("agency", sa.JSON(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("external_url", sa.String(length=500), nullable=True),
        sa.Column("done_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=20), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_saved_checklist_step_case_id_case"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["saved_checklist.id"],
            name=op.f("fk_saved_checklist_step_checklist_id_saved_checklist"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_saved_checklist_step_service_id_service"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["life_event_step.id"],
            name=op.f("fk_saved_checklist_step_step_id_life_event_step"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_checklist_step")),
    )
    with op.batch_alter_table("saved_checklist_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saved_checklist_step_checklist_id"), ["checklist_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_saved_checklist_step_service_id"), ["service_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_checklist_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_checklist_step_service_id"))
        batch_op.drop_index(batch_op.f("ix_saved_checklist_step_checklist_id"))

    op.drop_table("saved_checklist_step")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_rule_id"))
        batch_op.drop_index(batch_op.f("ix_offer_resident_id"))

    op.drop_table("offer")
    with op.batch_alter_table("service_search_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_search_term_term"))

    op.drop_table("service_search_term")
    with op.batch_alter_table("service_search_word", schema=None) as batch_op:
        batch_op.drop_index("ix_service_search_word_folded_trgm")

    op.drop_table("service_search_word")
    with op.batch_alter_table("service_search_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_search_entry_service_id"))
        batch_op.drop_index("ix_service_search_entry_document", postgresql_using="gin")

    op.drop_table("service_search_entry")
    op.drop_table("service_details")
    with op.batch_alter_table("offer_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_rule_service_id"))

    op.drop_table("offer_rule")
    with op.batch_alter_table("life_event_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_life_event_step_service_id"))
        batch_op.drop_index(batch_op.f("ix_life_event_step_life_event_id"))

    op.drop_table("life_event_step")
    with op.batch_alter_table("saved_checklist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_checklist_resident_id"))
        batch_op.drop_index(batch_op.f("ix_saved_checklist_life_event_id"))

    op.drop_table("saved_checklist")
    with op.batch_alter_table("life_event_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_life_event_question_life_event_id"))

    op.drop_table("life_event_question")
    op.drop_table("life_event")
