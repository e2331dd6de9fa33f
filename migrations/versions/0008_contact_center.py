"""contact centre: routing rules, callback requests, contact moments, and the agent lookup's resident indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 19:40:08.876865
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routing_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_routing_rule_category_id_category")
        ),
        sa.ForeignKeyConstraint(["queue_id"], ["queue.id"], name=op.f("fk_routing_rule_queue_id_queue")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_routing_rule_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule")),
    )
    with op.batch_alter_table("routing_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_rule_position"), ["position"], unique=False)

    op.create_table(
        "callback_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("caller_name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("preferred_time", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("routing_rule_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_kind", sa.String(length=20), nullable=False),
        sa.Column("created_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"], ["staff_user.id"], name=op.f("fk_callback_request_claimed_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_callback_request_created_by_staff_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(["queue_id"], ["queue.id"], name=op.f("fk_callback_request_queue_id_queue")),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_callback_request_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(
            ["routing_rule_id"],
            ["routing_rule.id"],
            name=op.f("fk_callback_request_routing_rule_id_routing_rule"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_callback_request_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_request")),
    )
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_request_claimed_by_id"), ["claimed_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_callback_request_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_request_queue_id"), ["queue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_request_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_request_service_id"), ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_request_status"), ["status"], unique=False)

    op.create_table(
        "contact_moment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("started_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("callback_request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["staff_user.id"], name=op.f("fk_contact_moment_agent_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["callback_request_id"],
            ["callback_request.id"],
            name=op.f("fk_contact_moment_callback_request_id_callback_request"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_contact_moment_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_contact_moment_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_moment")),
    )
    with op.batch_alter_table("contact_moment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_moment_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_moment_callback_request_id"), ["callback_request_id"], unique=False
        )
        batch_op.create_index(
            "ix_contact_moment_resident_started", ["resident_id", "started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_moment_service_id"), ["service_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_moment_started_at"), ["started_at"], unique=False)

    op.create_table(
        "contact_moment_case",
        sa.Column("contact_moment_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_contact_moment_case_case_id_case")),
        sa.ForeignKeyConstraint(
            ["contact_moment_id"],
            ["contact_moment.id"],
            name=op.f("fk_contact_moment_case_contact_moment_id_contact_moment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_moment_id", "case_id", name=op.f("pk_contact_moment_case")),
    )
    with op.batch_alter_table("contact_moment_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_moment_case_case_id"), ["case_id"], unique=False)

    # The lookup's expression indexes on resident. On PostgreSQL text_pattern_ops serves LIKE 'prefix%' whatever
    # the collation (and the lookup orders with ~<~ to read results off the index); SQLite needs no operator class.
    postgres = op.get_bind().dialect.name == "postgresql"
    pattern_ops = " text_pattern_ops" if postgres else ""
    op.create_index(
        "ix_resident_name_prefix",
        "resident",
        [
            sa.text(f"lower(family_name){pattern_ops}"),
            sa.text(f"lower(given_name){pattern_ops}"),
            sa.text("id"),
        ],
    )
    op.create_index("ix_resident_lower_email", "resident", [sa.text("lower(email)")])
    op.create_index("ix_resident_phone", "resident", ["phone"])


def downgrade() -> None:
    op.drop_index("ix_resident_phone", table_name="resident")
    op.drop_index("ix_resident_lower_email", table_name="resident")
    op.drop_index("ix_resident_name_prefix", table_name="resident")
    op.drop_table("contact_moment_case")
    op.drop_table("contact_moment")
    op.drop_table("callback_request")
    op.drop_table("routing_rule")
