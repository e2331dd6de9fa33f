"""`flask worker`: the command that performs outbox jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from core import clock, outbox
from core.db import db, unit_of_work
from core.models import OutboxMessage, OutboxStatus

performed: list[str] = []


@pytest.fixture
def greeting_handler() -> Iterator[None]:
    """A handler in the default registry, which the command uses; removed again after the test."""

    def greet(payload: dict[str, Any], job: outbox.JobContext) -> None:
        performed.append(payload["name"])

    performed.clear()
    outbox.registry.register("test.greet", greet)
    yield
    outbox.registry.unregister("test.greet")


def test_worker_once_performs_the_due_jobs_and_exits_successfully(
    app: Flask, runner: FlaskCliRunner, greeting_handler: None
) -> None:
    with unit_of_work():
        outbox.enqueue("test.greet", {"name": "Anna"}, "greet:anna")
        outbox.enqueue("test.greet", {"name": "Bo"}, "greet:bo")
        outbox.enqueue(
            "test.greet", {"name": "Later"}, "greet:later", not_before=clock.now() + dt.timedelta(hours=1)
        )

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "performed 2 jobs" in result.output
    assert performed == ["Anna", "Bo"]
    db.rollback()
    db.expire_all()
    statuses = dict(db.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status)).all())
    assert statuses == {
        "greet:anna": OutboxStatus.DONE,
        "greet:bo": OutboxStatus.DONE,
        "greet:later": OutboxStatus.PENDING,
    }


def test_worker_stops_after_its_batch_limit(
    app: Flask, runner: FlaskCliRunner, greeting_handler: None
) -> None:
    with unit_of_work():
        for name in ("Anna", "Bo", "Cecilia"):
            outbox.enqueue("test.greet", {"name": name}, f"greet:{name}")

    result = runner.invoke(args=["worker", "--batch-limit", "2", "--poll-interval", "0.01"])

    assert result.exit_code == 0, result.output
    assert performed == ["Anna", "Bo"]


def test_worker_names_itself_after_host_and_process(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "performed 0 jobs" in result.output
    worker_id = result.output.split()[1]
    host, pid = worker_id.rsplit(":", 1)
    assert host and pid.isdigit()
