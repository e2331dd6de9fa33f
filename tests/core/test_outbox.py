"""The outbox: jobs live and die with their cause, run once, back off when they fail, and never run twice."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from core import clock, outbox
from core.config import PROJECT_ROOT
from core.db import db, unit_of_work
from core.models import Department, OutboxMessage, OutboxStatus
from tests.builders import make_department
from tests.conftest import test_environ
from tests.database import using_postgres

needs_postgres = pytest.mark.skipif(not using_postgres(), reason="needs PostgreSQL row locks")

MAX_ATTEMPTS = 4


@pytest.fixture
def environ(database_url: str, tmp_path: Path) -> dict[str, str]:
    return test_environ(
        database_url, tmp_path, KANAL_OUTBOX_MAX_ATTEMPTS=str(MAX_ATTEMPTS), KANAL_OUTBOX_BACKOFF_SECONDS="30"
    )


@pytest.fixture
def jobs() -> outbox.HandlerRegistry:
    return outbox.HandlerRegistry()


def stored_job(key: str) -> OutboxMessage:
    """The job as the database has it now, as the worker left it (not as this session remembers it)."""
    fresh_view()
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    assert message is not None
    return message


def fresh_view() -> None:
    # Ending the test's transaction lets the worker's commits show on SQLite; expiring forgets loaded rows,
    # which a rollback alone does not when no transaction was open.
    db.rollback()
    db.expire_all()


def job_count() -> int:
    fresh_view()
    return db.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_job_committed_with_its_cause_is_performed_exactly_once(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    performed: list[tuple[str, int]] = []

    @jobs.handler("department.welcome")
    def welcome(payload: dict[str, Any], job: outbox.JobContext) -> None:
        performed.append((payload["code"], job.attempt))
        # A handler's own writes commit together with the job being marked done.
        db.add(Department(code=f"welcomed-{payload['code']}", name="Welcomed"))

    with unit_of_work():
        make_department(code="social")
        outbox.enqueue("department.welcome", {"code": "social"}, "welcome:social")

    assert outbox.process_next("worker-1", jobs) is True
    assert outbox.process_next("worker-1", jobs) is False
    assert outbox.process_next("worker-2", jobs) is False

    assert performed == [("social", 1)]
    job = stored_job("welcome:social")
    assert job.status == OutboxStatus.DONE
    assert job.attempts == 1
    assert job.completed_at is not None
    assert job.locked_by == "worker-1"
    assert db.scalar(select(Department).where(Department.code == "welcomed-social")) is not None


def test_a_job_enqueued_in_a_transaction_that_rolls_back_is_never_performed(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    performed: list[dict[str, Any]] = []
    jobs.register("sms.send", lambda payload, job: performed.append(payload))

    with pytest.raises(RuntimeError), unit_of_work():
        make_department(code="doomed")
        outbox.enqueue("sms.send", {"to": "+46700000000"}, "sms:doomed")
        raise RuntimeError("the cause failed")

    assert outbox.process_next("worker-1", jobs) is False
    assert performed == []
    assert job_count() == 0


def test_a_failing_job_is_retried_with_exponential_backoff_then_given_up_and_can_be_retried(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    attempts_seen: list[int] = []
    smtp_is_down = True

    @jobs.handler("email.send")
    def send(payload: dict[str, Any], job: outbox.JobContext) -> None:
        attempts_seen.append(job.attempt)
        db.add(Department(code=f"sent-{job.attempt}-{len(attempts_seen)}", name="Half-done work"))
        if smtp_is_down:
            raise ConnectionRefusedError("SMTP server refused the connection")

    with unit_of_work():
        outbox.enqueue("email.send", {"to": "anna@example.se"}, "email:receipt:1")

    delays = []
    for attempt in range(1, MAX_ATTEMPTS):
        attempted_at = clock.now()
        assert outbox.process_next("worker-1", jobs) is True
        job = stored_job("email:receipt:1")
        assert job.status == OutboxStatus.PENDING
        assert job.attempts == attempt
        assert job.last_error is not None
        assert job.last_error.startswith("ConnectionRefusedError: SMTP server refused the connection")
        delay = job.available_at - attempted_at
        delays.append(delay)

        clock.advance(delay - dt.timedelta(seconds=2))
        assert outbox.process_next("worker-1", jobs) is False, "a job must wait out its backoff"
        clock.advance(dt.timedelta(seconds=2))

    expected = [dt.timedelta(seconds=30), dt.timedelta(seconds=60), dt.timedelta(seconds=120)]
    for delay, wanted in zip(delays, expected, strict=True):
        assert wanted <= delay < wanted + dt.timedelta(seconds=2)

    assert outbox.process_next("worker-1", jobs) is True
    job = stored_job("email:receipt:1")
    assert job.status == OutboxStatus.FAILED
    assert job.attempts == MAX_ATTEMPTS
    assert [failing.id for failing in outbox.failing_jobs(10)] == [job.id]
    # The failed handler's own writes were undone every time.
    assert db.scalar(select(func.count()).select_from(Department)) == 0

    clock.advance(dt.timedelta(days=30))
    assert outbox.process_next("worker-1", jobs) is False, "a failed job waits for an administrator"

    smtp_is_down = False
    with unit_of_work():
        outbox.retry_job(job.id)
    assert outbox.process_next("worker-1", jobs) is True
    job = stored_job("email:receipt:1")
    assert job.status == OutboxStatus.DONE
    assert attempts_seen == [1, 2, 3, 4, 1]
    assert outbox.failing_jobs(10) == []


def test_a_job_waiting_for_its_next_attempt_is_listed_as_failing(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    def broken(payload: dict[str, Any], job: outbox.JobContext) -> None:
        raise ValueError("template missing")

    jobs.register("letter.print", broken)
    with unit_of_work():
        outbox.enqueue("letter.print", {}, "letter:1")
        outbox.enqueue("letter.print", {}, "letter:2")
    assert outbox.process_next("worker-1", jobs) is True

    failing = outbox.failing_jobs(10)
    assert [job.idempotency_key for job in failing] == ["letter:1"]
    assert failing[0].status == OutboxStatus.PENDING


def test_the_same_idempotency_key_enqueued_twice_gives_one_job(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    performed: list[str] = []
    jobs.register("webhook.post", lambda payload, job: performed.append(job.idempotency_key))

    with unit_of_work():
        first = outbox.enqueue("webhook.post", {"case": 1}, "webhook:case-1:submitted")
        again_in_same_transaction = outbox.enqueue("webhook.post", {"case": 1}, "webhook:case-1:submitted")
    with unit_of_work():
        again_later = outbox.enqueue("webhook.post", {"case": 1}, "webhook:case-1:submitted")

    assert first.id == again_in_same_transaction.id == again_later.id
    assert job_count() == 1
    while outbox.process_next("worker-1", jobs):
        pass
    assert performed == ["webhook:case-1:submitted"]


def test_a_key_taken_by_a_committed_job_keeps_the_callers_own_work(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    with unit_of_work():
        winner = outbox.enqueue("webhook.post", {"case": 7}, "webhook:case-7")

    # The insert that finds the key taken does nothing, so the rest of the transaction still commits.
    with unit_of_work():
        make_department(code="cause-of-the-duplicate")
        duplicate = outbox.enqueue("webhook.post", {"case": 7}, "webhook:case-7")

    assert duplicate.id == winner.id
    assert job_count() == 1
    assert db.scalar(select(Department).where(Department.code == "cause-of-the-duplicate")) is not None


def test_a_job_of_an_unknown_kind_fails_with_a_clear_error(app: Flask, jobs: outbox.HandlerRegistry) -> None:
    with unit_of_work():
        outbox.enqueue("fax.send", {"to": "08-123 456"}, "fax:1")

    assert outbox.process_next("worker-1", jobs) is True
    job = stored_job("fax:1")
    assert job.status == OutboxStatus.FAILED
    assert job.last_error is not None
    assert "No handler is registered for the job kind 'fax.send'" in job.last_error


def test_a_job_whose_worker_died_mid_job_is_performed_by_another_worker_once(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    performed_by: list[str] = []
    dying = True

    @jobs.handler("document.seal")
    def seal(payload: dict[str, Any], job: outbox.JobContext) -> None:
        if dying:
            db.add(Department(code="written-by-the-dying-worker", name="Lost"))
            raise SystemExit("the worker process is going away")
        performed_by.append(job.worker_id)

    with unit_of_work():
        outbox.enqueue("document.seal", {"document": 12}, "seal:12")

    with pytest.raises(SystemExit):
        outbox.process_next("dying-worker", jobs)
    dying = False

    # PostgreSQL hands the job on at once; on SQLite the dead worker's lease has to run out first.
    clock.advance(outbox.DEFAULT_LEASE + dt.timedelta(seconds=1))
    assert outbox.process_next("rescuer", jobs) is True
    assert outbox.process_next("rescuer", jobs) is False
    assert performed_by == ["rescuer"]
    job = stored_job("seal:12")
    assert job.status == OutboxStatus.DONE
    assert job.attempts == 1
    assert db.scalar(select(Department).where(Department.code == "written-by-the-dying-worker")) is None


def test_a_leased_job_is_not_taken_by_another_worker_before_the_lease_runs_out(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    if using_postgres():
        pytest.skip("PostgreSQL claims jobs with row locks, not leases")
    performed_by: list[str] = []
    dying = True

    def seal(payload: dict[str, Any], job: outbox.JobContext) -> None:
        if dying:
            raise SystemExit("the worker process is going away")
        performed_by.append(job.worker_id)

    jobs.register("document.seal", seal)
    with unit_of_work():
        outbox.enqueue("document.seal", {}, "seal:13")
    with pytest.raises(SystemExit):
        outbox.process_next("dying-worker", jobs)
    dying = False

    clock.advance(outbox.DEFAULT_LEASE - dt.timedelta(seconds=1))
    assert outbox.process_next("rescuer", jobs) is False
    clock.advance(dt.timedelta(seconds=2))
    assert outbox.process_next("rescuer", jobs) is True
    assert performed_by == ["rescuer"]


def test_two_workers_performing_200_jobs_never_take_the_same_job(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    performed: dict[int, list[str]] = defaultdict(list)
    guard = threading.Lock()

    @jobs.handler("count")
    def count(payload: dict[str, Any], job: outbox.JobContext) -> None:
        with guard:
            performed[payload["n"]].append(job.worker_id)
        # The unique department code is a second witness: a second performance could not commit.
        db.add(Department(code=f"job-{payload['n']}", name="Counted"))

    with unit_of_work():
        for n in range(200):
            outbox.enqueue("count", {"n": n}, f"count:{n}")

    start_together = threading.Barrier(2)

    def work(worker_id: str) -> int:
        done = 0
        with app.app_context():
            start_together.wait()
            while outbox.process_next(worker_id, jobs):
                done += 1
        return done

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(work, worker_id) for worker_id in ("worker-a", "worker-b")]
        done_by_each = [future.result(timeout=300) for future in futures]

    assert sum(done_by_each) == 200
    assert sorted(performed) == list(range(200))
    assert all(len(workers) == 1 for workers in performed.values())
    if using_postgres():
        # With SKIP LOCKED both really work side by side; SQLite's single writer may let one thread win them all.
        assert {workers[0] for workers in performed.values()} == {"worker-a", "worker-b"}
    fresh_view()
    assert db.scalar(select(func.count()).select_from(Department)) == 200
    assert db.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.DONE)) == 200


# A worker in its own process that takes the one due job and hangs in its handler until it is killed.
SLOW_WORKER = """
import json, sys, threading
from pathlib import Path
from core import outbox
from core.app import create_app

environ, started = json.loads(sys.argv[1]), Path(sys.argv[2])
app = create_app(environ)
jobs = outbox.HandlerRegistry()

@jobs.handler("document.seal")
def seal(payload, job):
    started.write_text(job.worker_id)
    threading.Event().wait()

with app.app_context():
    outbox.process_next("doomed-worker", jobs)
"""


@pytest.mark.postgres_only
@needs_postgres
def test_a_worker_killed_mid_job_leaves_the_job_to_another_worker(
    app: Flask, jobs: outbox.HandlerRegistry, environ: dict[str, str], tmp_path: Path
) -> None:
    performed_by: list[str] = []
    jobs.register("document.seal", lambda payload, job: performed_by.append(job.worker_id))
    with unit_of_work():
        outbox.enqueue("document.seal", {"document": 99}, "seal:99")

    started = tmp_path / "started"
    doomed = subprocess.Popen(
        [sys.executable, "-c", SLOW_WORKER, json.dumps(environ), str(started)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    try:
        wait_for(lambda: started.exists() or doomed.poll() is not None, "the doomed worker to start its job")
        assert doomed.poll() is None, "the doomed worker exited early"
        assert outbox.process_next("rescuer", jobs) is False, "a job being performed is skipped, not taken"
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)

    # The server notices the dead connection, rolls its transaction back and so releases the row lock.
    wait_for(lambda: outbox.process_next("rescuer", jobs), "the job to be handed on")
    assert outbox.process_next("rescuer", jobs) is False
    assert performed_by == ["rescuer"]
    job = stored_job("seal:99")
    assert job.status == OutboxStatus.DONE
    assert job.attempts == 1


def test_the_worker_loop_stops_after_its_batch_limit(app: Flask, jobs: outbox.HandlerRegistry) -> None:
    jobs.register("count", lambda payload, job: None)
    with unit_of_work():
        for n in range(5):
            outbox.enqueue("count", {"n": n}, f"count:{n}")

    report = outbox.run_worker("worker-1", jobs, batch_limit=3)
    assert report.performed == 3
    report = outbox.run_worker("worker-1", jobs, once=True)
    assert report.performed == 2
    assert report.errors == 0


def test_a_stop_request_ends_the_worker_loop_before_the_next_job(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    stop = outbox.WorkerStop()

    def count_then_stop(payload: dict[str, Any], job: outbox.JobContext) -> None:
        stop.request()

    jobs.register("count", count_then_stop)
    with unit_of_work():
        for n in range(3):
            outbox.enqueue("count", {"n": n}, f"count:{n}")

    report = outbox.run_worker("worker-1", jobs, stop=stop, poll_interval=60)
    assert report.performed == 1


def test_sigterm_lets_the_current_job_finish_and_then_stops_the_worker(
    app: Flask, jobs: outbox.HandlerRegistry
) -> None:
    performed: list[int] = []

    def terminated_midway(payload: dict[str, Any], job: outbox.JobContext) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        performed.append(payload["n"])

    jobs.register("count", terminated_midway)
    with unit_of_work():
        for n in range(3):
            outbox.enqueue("count", {"n": n}, f"count:{n}")

    stop = outbox.WorkerStop()
    previous = signal.getsignal(signal.SIGTERM)
    with stop.on_signals():
        report = outbox.run_worker("worker-1", jobs, stop=stop, poll_interval=60)

    assert report.performed == 1
    assert performed == [0]
    assert stored_job("count:0").status == OutboxStatus.DONE
    assert stored_job("count:1").status == OutboxStatus.PENDING
    assert signal.getsignal(signal.SIGTERM) == previous


def test_a_second_handler_for_the_same_kind_is_refused(jobs: outbox.HandlerRegistry) -> None:
    jobs.register("email.send", lambda payload, job: None)
    with pytest.raises(ValueError, match="already registered"):
        jobs.register("email.send", lambda payload, job: None)


def test_a_payload_that_is_not_json_is_refused_when_enqueued(app: Flask) -> None:
    with pytest.raises(TypeError):
        outbox.enqueue("email.send", {"when": dt.datetime.now(dt.UTC)}, "email:bad")


@pytest.fixture(autouse=True)
def _no_leftover_default_handlers() -> Iterator[None]:
    before = outbox.registry.kinds()
    yield
    assert outbox.registry.kinds() == before, "register test handlers in a test registry"
