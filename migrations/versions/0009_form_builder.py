"""form builder: submission records for form statistics, and satisfaction ratings

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 19:44:12.769522
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["form_id"], ["form.id"], name=op.f("fk_form_rating_form_id_form")),
        sa.ForeignKeyConstraint(
            ["form_version_id"], ["form_version.id"], name=op.f("fk_form_rating_form_version_id_form_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_rating")),
    )
    with op.batch_alter_table("form_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_rating_form_id"), ["form_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_form_rating_form_version_id"), ["form_version_id"], unique=False)

    op.create_table(
        "form_submission_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("started_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer_count", sa.Integer(), nullable=False),
        sa.Column("prefilled_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["form.id"], name=op.f("fk_form_submission_record_form_id_form")
        ),
        sa.ForeignKeyConstraint(
            ["form_version_id"],
            ["form_version.id"],
            name=op.f("fk_form_submission_record_form_version_id_form_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submission_record")),
        sa.UniqueConstraint("draft_id", name=op.f("uq_form_submission_record_draft_id")),
    )
    with op.batch_alter_table("form_submission_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_submission_record_form_id"), ["form_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_form_submission_record_form_version_id"), ["form_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_form_submission_record_submitted_at"), ["submitted_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("form_submission_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_submission_record_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_form_submission_record_form_version_id"))
        batch_op.drop_index(batch_op.f("ix_form_submission_record_form_id"))

    op.drop_table("form_submission_record")
    with op.batch_alter_table("form_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_rating_form_version_id"))
        batch_op.drop_index(batch_op.f("ix_form_rating_form_id"))

    op.drop_table("form_rating")
