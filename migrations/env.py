"""Alembic environment: the only way Kanal's schema is created or changed."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from core.config import database_url_from_environment
from core.db import make_engine
from migrations.metadata import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

url = config.attributes.get("database_url") or database_url_from_environment()


def run_migrations_offline() -> None:
    context.configure(
        url=url, target_metadata=metadata, literal_binds=True, render_as_batch=url.startswith("sqlite")
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(url, pooled=False)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite changes a column by copying the table and dropping the old one, which foreign keys that point
        # at the table refuse while they are enforced. They are switched off for the migration (SQLite allows
        # that only outside a transaction, so on the raw connection before Alembic begins one) and every
        # reference is checked once the migration has run.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration left rows whose references are broken: {broken[:5]}")
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
