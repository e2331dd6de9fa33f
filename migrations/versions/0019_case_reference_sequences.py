"""case references on PostgreSQL: one sequence per year instead of a counter row updated on its own connection

`nextval` takes no lock and needs no connection of its own, so a submission gets its number inside its own
transaction without queueing behind others. Each year's counter so far becomes a sequence that continues after
its last number; the sequences are owned by `case_reference_counter.year` (SQLite keeps using the table).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-23 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    counters = connection.execute(sa.text("SELECT year, last_value FROM case_reference_counter")).all()
    for year, last_value in counters:
        connection.exec_driver_sql(
            f"CREATE SEQUENCE IF NOT EXISTS case_reference_{int(year)} START {int(last_value) + 1} "
            "OWNED BY case_reference_counter.year"
        )


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    sequences = connection.execute(
        sa.text("SELECT relname FROM pg_class WHERE relkind = 'S' AND relname ~ '^case_reference_[0-9]{4}$'")
    ).scalars()
    for name in list(sequences):
        year = int(name.rsplit("_", 1)[1])
        # Back to the counter table: each year continues after the sequence's last number.
        # The name matched ^case_reference_[0-9]{4}$ above: nothing else can reach this statement.
        last_value = connection.execute(sa.text(f"SELECT last_value, is_called FROM {name}")).one()  # noqa: S608
        number = last_value[0] if last_value[1] else last_value[0] - 1
        connection.execute(
            sa.text(
                "INSERT INTO case_reference_counter (year, last_value) VALUES (:year, :number) "
                "ON CONFLICT (year) DO UPDATE SET last_value = GREATEST(case_reference_counter.last_value, :number)"
            ),
            {"year": year, "number": number},
        )
        connection.exec_driver_sql(f"DROP SEQUENCE {name}")
