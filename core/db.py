"""The database: declarative base, engine set-up for PostgreSQL and SQLite, and the per-request session.

One transaction per request: views and services never commit; the request boundary commits when the response is
not a server error and rolls back otherwise. Commands use `unit_of_work()` for the same guarantee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, ClassVar, TypeVar, cast

from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    MetaData,
    RowMapping,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Session,
    make_transient_to_detached,
    sessionmaker,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both PostgreSQL and SQLite (which forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use core.clock.now()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine with the settings Kanal relies on for each dialect; unpooled for one-off tools like Alembic."""
    pool_args: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **pool_args)
        _configure_sqlite(engine)
        return engine
    if pooled:
        pool_args = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
    return create_engine(url, **pool_args)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; let SQLAlchemy emit it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A deferred transaction that reads first and writes later cannot wait for a concurrent writer: SQLite
        # fails it at once with "database is locked", busy_timeout or not. So transactions that may write (web
        # requests, units of work) take the write lock up front and wait in line for it instead; other reads stay
        # deferred, so they never hold up a writer.
        if connection.get_execution_options().get(WRITE_INTENT):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


WRITE_INTENT = "kanal_write_intent"
"""Execution option marking a transaction that may write; on SQLite it begins with BEGIN IMMEDIATE."""


class _DatabaseState:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writing_engine = engine.execution_options(**{WRITE_INTENT: True})
        self.session_factory = sessionmaker(bind=engine, expire_on_commit=False)
        # A small pool of its own, so a request holding a pooled connection can always get one here too. Its
        # statements commit one by one (autocommit): one round trip each, no BEGIN and COMMIT around them.
        # Nothing is left to roll back when one is returned to the pool, so none is sent.
        self.side_engine = (
            create_engine(
                engine.url,
                pool_size=2,
                max_overflow=8,
                pool_pre_ping=True,
                isolation_level="AUTOCOMMIT",
                skip_autocommit_rollback=True,
                pool_reset_on_return=None,
            )
            if engine.dialect.name == "postgresql"
            else None
        )


def init_app(app: Flask, url: str) -> None:
    state = _DatabaseState(make_engine(url))
    app.extensions["kanal.db"] = state

    @app.after_request
    def commit_unless_failed(response: Response) -> Response:
        session: Session | None = g.get("db_session")
        if session is not None:
            try:
                # The session stays current while it commits: before-commit work (the audit chain, receipts)
                # that goes through `db` must land in this transaction, not open a second one.
                if response.status_code < 500:
                    session.commit()
                else:
                    session.rollback()
            finally:
                g.pop("db_session", None)
                session.close()
        return response

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def engine() -> Engine:
    return cast(_DatabaseState, current_app.extensions["kanal.db"]).engine


def get_session() -> Session:
    """The session of the current request or command; created on first use."""
    if "db_session" not in g:
        state = cast(_DatabaseState, current_app.extensions["kanal.db"])
        # A request is one transaction that may write anywhere along the way.
        g.db_session = (
            state.session_factory(bind=state.writing_engine)
            if has_request_context()
            else state.session_factory()
        )
    return cast(Session, g.db_session)


db = cast(Session, LocalProxy(get_session))

_Row = TypeVar("_Row", bound="Base")


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for a command or a worker job: committed on success, rolled back on any error.

    It uses the same session as `db`, so services called inside it need no session argument.
    """
    session = get_session()
    if not session.in_transaction():
        session.connection(execution_options={WRITE_INTENT: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def independent_transaction() -> Iterator[Connection]:
    """A connection of its own on PostgreSQL whose every statement commits at once (autocommit), whatever the
    caller's transaction does.

    For what every other transaction must see at once, whether or not the caller's commits: today the creation
    of a year's case-reference sequence (`eservices.service.allocate_case_reference`). Only PostgreSQL has this:
    on SQLite a second connection would wait for the caller's write lock.
    """
    state = cast(_DatabaseState, current_app.extensions["kanal.db"])
    if state.side_engine is None:
        raise RuntimeError("independent transactions need PostgreSQL")
    with state.side_engine.connect() as connection:
        yield connection


def get_row(model: type[_Row], row_id: int) -> _Row | None:
    """The row with this primary key, as `Session.get` gives it, with one prebuilt Core statement.

    For the look-up every request makes (the logged-in resident): `Session.get` costs about twice its
    statement in ORM machinery. The object is persistent and clean in the current session, and an object the
    session already holds is returned without a query. Only for models without eager-loaded relationships.
    """
    known = db.identity_map.get(db.identity_key(model, (row_id,)))
    if known is not None:
        return cast(_Row, known)
    db.flush()  # as Session.get's query would
    row = db.connection().execute(_select_by_primary_key(_table_of(model)), {"kanal_row_id": row_id}).first()
    return _persistent(model, row._mapping) if row is not None else None


def insert_row(model: type[_Row], values: dict[str, Any]) -> _Row:
    """Insert one row (`values` by column name) with a single Core statement; the row, persistent in the current
    session.

    For the rows a hot path creates and does not change afterwards (a case, its first event, an outbox job):
    the unit of work's bookkeeping (flush planning, attribute history, a second statement to learn the id)
    costs several times the statement itself. Column defaults apply as in any insert; ORM flush events do not
    run for these rows.
    """
    db.flush()  # as a query would (autoflush): the session's pending changes are written first, in order
    row = db.connection().execute(_insert_returning_row(_table_of(model)), values).one()
    return _persistent(model, row._mapping)


def insert_unless_taken(
    model: type[_Row], values: dict[str, Any], unique: InstrumentedAttribute[Any]
) -> _Row | None:
    """Insert a row in one statement, or nothing when `unique` already holds the value; the new row or None.

    `INSERT … ON CONFLICT DO NOTHING RETURNING`: unlike a look-up followed by an insert, there is no gap for a
    concurrent transaction to slip into, and a taken key does not spoil the caller's transaction. A key held by
    a concurrent transaction makes the insert wait until that one ends (PostgreSQL and SQLite alike). Like
    `insert_row`, a Core statement whose row becomes persistent in the current session.
    """
    statement = _insert_unless_taken_returning_row(_table_of(model), unique.key, db.get_bind().dialect.name)
    db.flush()
    row = db.connection().execute(statement, values).one_or_none()
    return _persistent(model, row._mapping) if row is not None else None


def update_row(instance: Base, values: dict[str, Any]) -> None:
    """Change columns (by name) of one loaded row with a single Core statement, and the object with it.

    The counterpart of `insert_row` for a hot path's one change to a row it loaded: no flush, and the object
    reads as if it had been loaded after the change. Flush events do not run for this change.
    """
    table = _table_of(type(instance))
    (key_column,) = table.primary_key
    row_id = getattr(instance, key_column.key)
    db.connection().execute(_update_by_primary_key(table), {**values, "kanal_row_id": row_id})
    for key, value in values.items():
        set_committed_value(instance, key, value)


# Statements are built once per table: building one (and its cache key) costs more than running it.
@cache
def _insert_returning_row(table: Table) -> Any:
    return insert(table).returning(*table.c)


@cache
def _select_by_primary_key(table: Table) -> Any:
    (key_column,) = table.primary_key
    return select(table).where(key_column == bindparam("kanal_row_id"))


@cache
def _update_by_primary_key(table: Table) -> Any:
    (key_column,) = table.primary_key
    return update(table).where(key_column == bindparam("kanal_row_id"))


@cache
def _insert_unless_taken_returning_row(table: Table, unique_column: str, dialect_name: str) -> Any:
    dialect_insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=[unique_column]).returning(*table.c)


def _table_of(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _persistent(model: type[_Row], row: RowMapping) -> _Row:
    """The inserted row as a clean object of the current session, as if a query had loaded it."""
    identity = db.identity_key(model, tuple(row[column.key] for column in _table_of(model).primary_key))
    known = db.identity_map.get(identity)
    if known is not None:
        return cast(_Row, known)
    mapper = sa_inspect(model)
    instance = mapper.class_manager.new_instance()  # as loading does: no constructor, no attribute events
    sa_inspect(instance).dict.update({prop.key: row[prop.columns[0].key] for prop in mapper.column_attrs})
    make_transient_to_detached(instance)  # committed as they are: nothing for a flush to write
    db.add(instance)
    return cast(_Row, instance)


def dispose_engines(app: Flask) -> None:
    """Close every pooled connection of `app` (tests and short-lived tools call this when they are done)."""
    state = cast(_DatabaseState, app.extensions["kanal.db"])
    state.engine.dispose()
    if state.side_engine is not None:
        state.side_engine.dispose()
