"""case actors: decisions and messages by a case system's API token, and files that come with a decision

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_decision", schema=None) as batch_op:
        batch_op.alter_column("decided_by_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("decided_by_api_token_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_decision_decided_by_api_token_id_api_token"),
            "api_token",
            ["decided_by_api_token_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_api_token_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_message_author_api_token_id_api_token"),
            "api_token",
            ["author_api_token_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("case_attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_attachment_decision_id_case_decision"),
            "case_decision",
            ["decision_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_case_attachment_decision_id"), ["decision_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_attachment_decision_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_case_attachment_decision_id_case_decision"), type_="foreignkey"
        )
        batch_op.drop_column("decision_id")
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_message_author_api_token_id_api_token"), type_="foreignkey"
        )
        batch_op.drop_column("author_api_token_id")
    with op.batch_alter_table("case_decision", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_decision_decided_by_api_token_id_api_token"), type_="foreignkey"
        )
        batch_op.drop_column("decided_by_api_token_id")
        batch_op.alter_column("decided_by_id", existing_type=sa.Integer(), nullable=False)
