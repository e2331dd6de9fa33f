"""Test databases: a migrated SQLite file copied per test, or a migrated PostgreSQL database truncated per test.

`make test` runs the whole suite twice: once on SQLite, once with KANAL_TEST_DATABASE_URL pointing at the private
PostgreSQL 15 that `scripts/postgres.sh` starts. Each pytest-xdist worker gets its own database.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core.audit import GENESIS_HASH
from core.migrate import upgrade

POSTGRES_URL = os.environ.get("KANAL_TEST_DATABASE_URL", "")


def using_postgres() -> bool:
    return POSTGRES_URL.startswith("postgresql")


def worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class SqliteTemplate:
    """A migrated SQLite file; each test gets a fresh copy."""

    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.db"
        upgrade(f"sqlite:///{self.template}")

    def fresh(self, directory: Path) -> str:
        target = directory / "kanal.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"


class PostgresDatabase:
    """One migrated PostgreSQL database per worker; emptied (not dropped) before each test for speed."""

    def __init__(self, suffix: str = "") -> None:
        base = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        # The pid keeps concurrent runs against one cluster (several checkouts, xdist workers) apart.
        name = f"kanal_test_{worker_name()}_{os.getpid()}{suffix}"
        self.name = name
        self._admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.url = base.set(database=name).render_as_string(hide_password=False)
        upgrade(self.url)
        engine = create_engine(self.url)
        self.tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        engine.dispose()
        self._engine = create_engine(self.url, pool_size=1)

    def fresh(self) -> str:
        with self._engine.begin() as connection:
            quoted = ", ".join(f'"{table}"' for table in self.tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            connection.execute(
                text(
                    "INSERT INTO audit_chain_head (id, last_entry_id, last_hash) VALUES (1, NULL, :genesis)"
                ),
                {"genesis": GENESIS_HASH},
            )
        return self.url

    def dispose(self) -> None:
        self._engine.dispose()
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()
