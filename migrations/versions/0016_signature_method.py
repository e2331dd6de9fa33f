"""signature method: how a case's submission was signed, and scanned signature pages among case attachments

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature_method", sa.String(length=20), nullable=True))
    with op.batch_alter_table("case_attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=30), nullable=True))
    # Until now the identity method also said how a case was signed: BankID by the resident themself, or BankID on
    # the resident's phone while an agent filed it. Cases filed without a signature keep None.
    op.execute(
        sa.text(
            'UPDATE "case" SET signature_method = identity_method '
            "WHERE identity_method IN ('bankid', 'bankid_phone')"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("case_attachment", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("signature_method")
