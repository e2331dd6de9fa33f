"""filing: service → form link, case.form_version_id and case.draft_id, attachment table

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_service_form_id"), ["form_id"])
        batch_op.create_foreign_key(batch_op.f("fk_service_form_id_form"), "form", ["form_id"], ["id"])

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("draft_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_form_version_id"), ["form_version_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_case_draft_id"), ["draft_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_case_form_version_id_form_version"), "form_version", ["form_version_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_draft_id_draft"), "draft", ["draft_id"], ["id"], ondelete="SET NULL"
        )

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("field_path", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_attachment_case_id_case")),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["draft.id"], name=op.f("fk_attachment_draft_id_draft"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_attachment_storage_key")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_draft_id"), ["draft_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_draft_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_case_id"))
    op.drop_table("attachment")

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_draft_id_draft"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_case_form_version_id_form_version"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_case_draft_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_case_form_version_id"))
        batch_op.drop_column("draft_id")
        batch_op.drop_column("form_version_id")

    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_service_form_id_form"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_service_form_id"), type_="unique")
        batch_op.drop_column("form_id")
