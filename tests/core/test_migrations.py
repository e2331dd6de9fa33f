"""The schema comes only from Alembic: migrating an empty database must give exactly what the models describe."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.migrate import downgrade, upgrade
from forms.models import definition_digest
from migrations.metadata import metadata
from tests.database import POSTGRES_URL, using_postgres


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, on the backend this run tests."""
    if not using_postgres():
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    base = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"kanal_test_migrations_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_migrating_an_empty_database_gives_exactly_the_schema_the_models_describe(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    assert _differences(empty_database_url) == []
    assert _tables(empty_database_url) == set(metadata.tables)


def test_a_model_change_without_a_migration_is_noticed(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE department ADD COLUMN phone VARCHAR(40)"))
    engine.dispose()
    assert _differences(empty_database_url) != []


def test_the_migrations_can_be_undone_completely_and_applied_again(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == set()
    upgrade(empty_database_url)
    assert _differences(empty_database_url) == []


def test_a_fresh_database_starts_the_audit_chain_at_the_genesis_hash(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        head = connection.execute(text("SELECT id, last_entry_id, last_hash FROM audit_chain_head")).all()
    engine.dispose()
    assert [tuple(row) for row in head] == [(1, None, "0" * 64)]


def insert_a_service(connection: Connection) -> None:
    """Service 1 with its department, queue 1 and category, for tests that start from an older revision."""
    tables = metadata.tables
    connection.execute(tables["department"].insert().values(id=1, code="env", name="Miljö"))
    connection.execute(tables["queue"].insert().values(id=1, department_id=1, code="env", name="Miljö"))
    connection.execute(tables["category"].insert().values(id=1, slug="environment"))
    connection.execute(tables["service"].insert().values(id=1, slug="permit", category_id=1, queue_id=1))


def test_cases_signed_with_bankid_before_0016_keep_how_they_were_signed(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0015")
    tables = metadata.tables
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        insert_a_service(connection)
        for number, identity_method in enumerate(["bankid", "bankid_phone", "id_document", None], start=1):
            connection.execute(
                tables["case"]
                .insert()
                .values(
                    id=number,
                    reference=f"2026-00000{number}",
                    service_id=1,
                    queue_id=1,
                    identity_method=identity_method,
                )
            )
    upgrade(empty_database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text('SELECT identity_method, signature_method FROM "case" ORDER BY id')
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("bankid", "bankid"),
        ("bankid_phone", "bankid_phone"),
        ("id_document", None),
        (None, None),
    ]


def test_versions_get_their_digest_and_submitted_drafts_their_time_in_0018_and_counters_continue_in_0019(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url, "0017")
    tables = metadata.tables
    definition = {"key": "permit", "title": {"sv": "Tillstånd"}, "pages": []}
    submitted_at = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        insert_a_service(connection)
        connection.execute(tables["form"].insert().values(id=1, key="permit", draft_definition=definition))
        connection.execute(
            tables["form_version"].insert().values(id=1, form_id=1, version=1, definition=definition)
        )
        for draft_id in (1, 2):
            connection.execute(
                tables["draft"].insert().values(id=draft_id, form_version_id=1, actor_kind="resident")
            )
        connection.execute(
            tables["case"]
            .insert()
            .values(
                id=1, reference="2026-000041", service_id=1, queue_id=1, draft_id=1, created_at=submitted_at
            )
        )
        connection.execute(tables["case_reference_counter"].insert().values(year=2026, last_value=41))

    upgrade(empty_database_url)

    with engine.connect() as connection:
        digest = connection.execute(text("SELECT definition_digest FROM form_version")).scalar_one()
        drafts = connection.execute(text("SELECT id, submitted_at FROM draft ORDER BY id")).all()
        next_number = (
            connection.execute(text("SELECT nextval('case_reference_2026')")).scalar_one()
            if using_postgres()
            else None
        )
    engine.dispose()
    assert digest == definition_digest(definition)
    assert [row[0] for row in drafts] == [1, 2]
    assert drafts[1][1] is None  # never submitted
    stored = drafts[0][1]
    stored = dt.datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    assert stored.replace(tzinfo=None) == submitted_at.replace(tzinfo=None)
    if using_postgres():
        assert next_number == 42  # the year's counter became a sequence that carries on after it
