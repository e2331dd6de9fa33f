"""Single-row Core statements for hot paths (`get_row`, `insert_row`, `insert_unless_taken`, `update_row`): the row
is read or written in one statement, and the object in the session reads exactly as the database holds it, with
nothing left to flush."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine

from core import clock
from core.db import db, get_row, insert_row, insert_unless_taken, update_row
from core.models import Department, OutboxMessage, OutboxStatus
from tests.builders import make_department


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def job_values(key: str) -> dict[str, Any]:
    now = clock.now()
    return {
        "kind": "test.job",
        "payload": {"n": 1},
        "idempotency_key": key,
        "available_at": now,
        "created_at": now,
    }


def test_an_inserted_row_is_one_statement_and_a_clean_object_with_the_columns_defaults(app: Flask) -> None:
    with statements() as seen:
        job = insert_row(OutboxMessage, job_values("first"))

    assert len(seen) == 1
    assert job.id is not None
    # Defaults the caller left out came back from the database with the row.
    assert (job.status, job.attempts, job.payload) == (OutboxStatus.PENDING.value, 0, {"n": 1})
    assert job in db and job not in db.dirty and job not in db.new
    assert db.get(OutboxMessage, job.id) is job  # the session knows it: no second copy, no query
    stored = db.execute(
        text("SELECT kind, idempotency_key FROM outbox_message WHERE id = :id"), {"id": job.id}
    )
    assert tuple(stored.one()) == ("test.job", "first")


def test_a_row_read_by_its_key_is_one_statement_and_the_session_s_own_object(app: Flask) -> None:
    department_id = make_department(name="Socialtjänsten").id
    db.expunge_all()

    with statements() as seen:
        department = get_row(Department, department_id)
        again = get_row(Department, department_id)

    assert len(seen) == 1  # the second look-up found it in the session
    assert department is again and department is not None
    assert department.name == "Socialtjänsten"
    assert department in db and department not in db.dirty
    assert db.get(Department, department_id) is department
    assert get_row(Department, department_id + 1000) is None


def test_changes_pending_in_the_session_reach_the_database_before_the_new_row(app: Flask) -> None:
    department = make_department(name="Förr")
    department.name = "Nu"  # pending, not flushed

    insert_row(OutboxMessage, job_values("after"))

    stored = db.execute(
        text("SELECT name FROM department WHERE id = :id"), {"id": department.id}
    ).scalar_one()
    assert stored == "Nu" and department not in db.dirty


def test_a_taken_key_inserts_nothing_and_leaves_the_transaction_usable(app: Flask) -> None:
    first = insert_unless_taken(OutboxMessage, job_values("taken"), OutboxMessage.idempotency_key)
    second = insert_unless_taken(OutboxMessage, job_values("taken"), OutboxMessage.idempotency_key)

    assert first is not None and second is None
    assert db.scalars(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == "taken")).all() == [
        first.id
    ]


def test_an_updated_row_changes_in_one_statement_and_the_object_reads_the_new_values(app: Flask) -> None:
    department = make_department(name="Förr")
    db.commit()

    with statements() as seen:
        update_row(department, {"name": "Nu"})

    assert len(seen) == 1
    assert department.name == "Nu" and department not in db.dirty
    db.expire_all()
    assert db.get(Department, department.id).name == "Nu"  # type: ignore[union-attr]
