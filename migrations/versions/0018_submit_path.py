"""submit path: drafts say when they became a case; published versions carry the digest of their definition

`draft.submitted_at` lets a submit (and every page of the flow) see from the locked draft itself that it was
sent already, instead of looking for its case. `form_version.definition_digest` (SHA-256 of the definition's
canonical JSON) lets the engine reuse a checked definition without reading and re-encoding the JSON each time.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-23 01:00:00.000000
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _digest(definition: object) -> str:
    # The same canonical form as forms.models.definition_digest (a migration keeps its own copy of the rule).
    if isinstance(definition, str):
        definition = json.loads(definition)
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_at", core.db.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        'UPDATE draft SET submitted_at = (SELECT "case".created_at FROM "case" WHERE "case".draft_id = draft.id) '
        'WHERE EXISTS (SELECT 1 FROM "case" WHERE "case".draft_id = draft.id)'
    )

    with op.batch_alter_table("form_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("definition_digest", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    versions = sa.table(
        "form_version",
        sa.column("id", sa.Integer),
        sa.column("definition", sa.JSON),
        sa.column("definition_digest"),
    )
    for version_id, definition in connection.execute(sa.select(versions.c.id, versions.c.definition)).all():
        connection.execute(
            versions.update().where(versions.c.id == version_id).values(definition_digest=_digest(definition))
        )
    with op.batch_alter_table("form_version", schema=None) as batch_op:
        batch_op.alter_column("definition_digest", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("form_version", schema=None) as batch_op:
        batch_op.drop_column("definition_digest")
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("submitted_at")
