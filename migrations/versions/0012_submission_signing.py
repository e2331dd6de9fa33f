"""submission signing: BankID signatures on submissions with their evidence, and co-sign requests

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 20:10:14.647272
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cosign_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_reminder_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expiry_reminder_sent_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_cosign_request_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cosign_request")),
        sa.UniqueConstraint("token", name=op.f("uq_cosign_request_token")),
    )
    with op.batch_alter_table("cosign_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cosign_request_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cosign_request_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cosign_request_personal_number"), ["personal_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cosign_request_status"), ["status"], unique=False)

    op.create_table(
        "submission_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("cosign_request_id", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("signer_name", sa.String(length=400), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=False),
        sa.Column("signed_digest", sa.String(length=64), nullable=False),
        sa.Column("visible_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("signature_xml", sa.Text(), nullable=False),
        sa.Column("ocsp_response", sa.Text(), nullable=False),
        sa.Column("ocsp_produced_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("device", sa.JSON(), nullable=False),
        sa.Column("bank_id_issue_date", sa.String(length=20), nullable=True),
        sa.Column("signed_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_submission_signature_case_id_case")),
        sa.ForeignKeyConstraint(
            ["cosign_request_id"],
            ["cosign_request.id"],
            name=op.f("fk_submission_signature_cosign_request_id_cosign_request"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_submission_signature_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_signature")),
        sa.UniqueConstraint("cosign_request_id", name=op.f("uq_submission_signature_cosign_request_id")),
        sa.UniqueConstraint("order_ref", name=op.f("uq_submission_signature_order_ref")),
    )
    with op.batch_alter_table("submission_signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_signature_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_submission_signature_resident_id"), ["resident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("submission_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_signature_resident_id"))
        batch_op.drop_index(batch_op.f("ix_submission_signature_case_id"))

    op.drop_table("submission_signature")
    with op.batch_alter_table("cosign_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cosign_request_status"))
        batch_op.drop_index(batch_op.f("ix_cosign_request_personal_number"))
        batch_op.drop_index(batch_op.f("ix_cosign_request_expires_at"))
        batch_op.drop_index(batch_op.f("ix_cosign_request_case_id"))

    op.drop_table("cosign_request")
