"""The outbox: side effects (e-mail, SMS, webhooks, sealing) saved as jobs with their cause, and the worker.

`enqueue()` adds a job to the current transaction, so the job exists if and only if its cause was committed.
Workers (`flask worker`, any number on any machine) take due jobs one at a time, run the handler registered
for the job's kind, and retry failures with exponential backoff. Handlers register themselves with
`@outbox.handler("kind")` in the default registry; tests pass a registry of their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from core import clock
from core.config import Settings
from core.db import db, get_session, insert_unless_taken
from core.models import OutboxMessage, OutboxStatus

__all__ = [
    "DEFAULT_LEASE",
    "Handler",
    "HandlerRegistry",
    "JobContext",
    "WorkerReport",
    "WorkerStop",
    "enqueue",
    "failing_jobs",
    "handler",
    "process_next",
    "registry",
    "retry_delay",
    "retry_job",
    "run_worker",
]

logger = logging.getLogger(__name__)

# On SQLite a claimed job is leased to its worker for this long; if the worker dies, another may take the
# job once the lease has run out. Handlers must finish well within it (PostgreSQL needs no lease).
DEFAULT_LEASE = dt.timedelta(minutes=10)
MAX_ERROR_LENGTH = 4000
MAX_KIND_LENGTH = 60  # the width of outbox_message.kind
MAX_KEY_LENGTH = 200  # the width of outbox_message.idempotency_key
# The worker's updates go straight to the rows; its session is thrown away after each job, so there are no
# loaded objects worth keeping in step.
_UNSYNCHRONIZED = {"synchronize_session": False}


@dataclasses.dataclass(frozen=True)
class JobContext:
    """What a handler knows about the job it performs, besides its payload."""

    message_id: int
    kind: str
    idempotency_key: str
    attempt: int  # 1 on the first try
    worker_id: str


Handler = Callable[[dict[str, Any], JobContext], None]


class HandlerRegistry:
    """Which function performs each kind of job.

    A handler must be idempotent towards the outside world: a job may run again after a failure, or if its
    worker died after the side effect but before the commit. `JobContext.idempotency_key` is there to pass on
    to services that deduplicate (an SMTP Message-ID, an `Idempotency-Key` header).
    """

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def handler(self, kind: str) -> Callable[[Handler], Handler]:
        """Decorator: `@registry.handler("email.send")` registers the function for that kind."""

        def decorate(function: Handler) -> Handler:
            self.register(kind, function)
            return function

        return decorate

    def register(self, kind: str, function: Handler) -> None:
        if not kind or len(kind) > MAX_KIND_LENGTH:
            raise ValueError(f"a job kind has 1 to {MAX_KIND_LENGTH} characters: {kind!r}")
        existing = self._handlers.get(kind)
        if existing is not None and existing is not function:
            # Two handlers for one kind would make which one runs depend on import order.
            raise ValueError(f"a handler for {kind!r} is already registered: {existing!r}")
        self._handlers[kind] = function

    def unregister(self, kind: str) -> None:
        self._handlers.pop(kind, None)

    def get(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._handlers)

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers


registry = HandlerRegistry()
handler = registry.handler


def enqueue(
    kind: str,
    payload: dict[str, Any],
    idempotency_key: str,
    *,
    not_before: dt.datetime | None = None,
) -> OutboxMessage:
    """Add a job to the current transaction; it is performed only if that transaction commits.

    A job with the same idempotency key, committed earlier or by a concurrent transaction, is returned instead
    of adding a second one. The payload must be JSON (it is stored as such and handed to the handler).
    """
    if not kind or len(kind) > MAX_KIND_LENGTH:
        raise ValueError(f"a job kind has 1 to {MAX_KIND_LENGTH} characters: {kind!r}")
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValueError(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters")
    # Fail here, at the cause, rather than in the worker long after the request that made the mistake.
    json.dumps(payload)

    now = clock.now()
    values = {
        "kind": kind,
        "payload": payload,
        "idempotency_key": idempotency_key,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "available_at": not_before or now,
        "created_at": now,
    }
    inserted = insert_unless_taken(OutboxMessage, values, OutboxMessage.idempotency_key)
    if inserted is not None:
        return inserted
    winner = _job_with_key(idempotency_key)
    if winner is None:
        raise RuntimeError(f"an outbox job with key {idempotency_key!r} was neither added nor found")
    return winner


def _job_with_key(idempotency_key: str) -> OutboxMessage | None:
    return db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))


def retry_delay(attempts: int, backoff_seconds: int) -> dt.timedelta:
    """How long to wait after the given number of failed attempts: the backoff, doubled for every attempt.

    A plain formula rather than tenacity: tenacity retries a call inside one process, whereas here the wait is
    stored in the row so that any worker may make the next attempt.
    """
    return dt.timedelta(seconds=backoff_seconds * 2 ** (attempts - 1))


def failing_jobs(limit: int = 50) -> list[OutboxMessage]:
    """Jobs that gave up (failed) or whose last attempt failed and will be retried, most recent first."""
    statement = (
        select(OutboxMessage)
        .where(
            or_(
                OutboxMessage.status == OutboxStatus.FAILED.value,
                and_(
                    OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.last_error.is_not(None)
                ),
            )
        )
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(db.scalars(statement))


def retry_job(message_id: int) -> OutboxMessage:
    """Make a failed or waiting job due now with a fresh set of attempts (in the current transaction).

    Raises LookupError for an unknown job and ValueError for a job already done.
    """
    message = db.get(OutboxMessage, message_id)
    if message is None:
        raise LookupError(f"no outbox job {message_id}")
    if message.status == OutboxStatus.DONE.value:
        raise ValueError(f"outbox job {message_id} is already done")
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.available_at = clock.now()
    message.locked_by = None
    message.locked_until = None
    db.flush()
    return message


def process_next(
    worker_id: str, jobs: HandlerRegistry | None = None, *, lease: dt.timedelta = DEFAULT_LEASE
) -> bool:
    """Perform at most one due job; return whether there was one.

    Needs an application context; the job gets a fresh one of its own, so a handler's writes through
    `core.db.db` commit in the same transaction that marks the job done.
    """
    chosen = jobs if jobs is not None else registry
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.app_context():
        settings: Settings = app.extensions["kanal.settings"]
        session = get_session()
        if session.get_bind().dialect.name == "postgresql":
            return _process_with_row_lock(session, worker_id, chosen, settings)
        return _process_with_lease(session, worker_id, chosen, settings, lease)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return and_(OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.available_at <= now)


def _process_with_row_lock(
    session: Session, worker_id: str, jobs: HandlerRegistry, settings: Settings
) -> bool:
    # The row lock is the claim: it lasts exactly as long as this transaction, so a worker that dies mid-job
    # (its connection closes, the transaction rolls back) hands the job on untouched, and SKIP LOCKED lets
    # other workers take the next job instead of waiting.
    statement = (
        select(OutboxMessage)
        .where(_due(clock.now()))
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    try:
        message = session.scalars(statement).first()
        if message is None:
            session.rollback()
            return False
        _perform(session, message, worker_id, jobs, settings, OutboxMessage.id == message.id)
    except BaseException:
        session.rollback()
        raise
    return True


def _process_with_lease(
    session: Session, worker_id: str, jobs: HandlerRegistry, settings: Settings, lease: dt.timedelta
) -> bool:
    # SQLite has no row locks, so a job is claimed by writing a lease into it, in a short transaction of its
    # own; one UPDATE is atomic because SQLite runs one writer at a time.
    now = clock.now()
    free = or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until <= now)
    candidate = select(OutboxMessage.id).where(_due(now), free).order_by(OutboxMessage.id).limit(1)
    try:
        message_id = session.scalar(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate.scalar_subquery(), _due(now), free)
            .values(locked_by=worker_id, locked_until=now + lease)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if message_id is None:
            return False

        ours = and_(OutboxMessage.id == message_id, OutboxMessage.locked_by == worker_id)
        # Writing first makes this transaction SQLite's writer right away, so nobody can take over the lease
        # while the handler runs, and the handler's own reads cannot go stale before its writes.
        confirmed = session.execute(
            update(OutboxMessage).where(ours, _due(now)).values(locked_until=now + lease),
            execution_options=_UNSYNCHRONIZED,
        )
        if _rowcount(confirmed) != 1:
            session.rollback()
            logger.warning("Outbox job %s: lease lost before it could run; another worker has it", message_id)
            return True
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None
        _perform(session, message, worker_id, jobs, settings, ours)
    except BaseException:
        session.rollback()
        raise
    return True


def _perform(
    session: Session,
    message: OutboxMessage,
    worker_id: str,
    jobs: HandlerRegistry,
    settings: Settings,
    still_ours: ColumnElement[bool],
) -> None:
    """Run the handler and record the outcome in the claiming transaction, then commit."""
    context = JobContext(
        message_id=message.id,
        kind=message.kind,
        idempotency_key=message.idempotency_key,
        attempt=message.attempts + 1,
        worker_id=worker_id,
    )
    function = jobs.get(message.kind)
    if function is None:
        # Retrying cannot help until a handler is deployed; an admin retries the job then.
        error = f"No handler is registered for the job kind {message.kind!r} on worker {worker_id}."
        logger.error("Outbox job %s: %s", message.id, error)
        outcome = _failure_values(context, error, settings, give_up=True)
    else:
        outcome = _run_handler(session, function, dict(message.payload), context, settings)
    try:
        recorded = session.execute(
            update(OutboxMessage).where(still_ours).values(**outcome), execution_options=_UNSYNCHRONIZED
        )
        if _rowcount(recorded) != 1:
            raise RuntimeError(f"outbox job {message.id} was taken over by another worker")
        session.commit()
    except Exception as error:
        # The transaction itself failed (commit refused, connection trouble): none of the handler's work is
        # kept, and the failure is recorded on its own so the job backs off instead of retrying at once.
        session.rollback()
        logger.exception(
            "Outbox job %s (%s): could not commit attempt %s",
            context.message_id,
            context.kind,
            context.attempt,
        )
        _record_failure_separately(session, context, error, settings)


def _run_handler(
    session: Session, function: Handler, payload: dict[str, Any], context: JobContext, settings: Settings
) -> dict[str, Any]:
    try:
        # The savepoint undoes a failing handler's writes while this transaction keeps its claim on the job.
        with session.begin_nested():
            function(payload, context)
    except Exception as error:
        logger.warning(
            "Outbox job %s (%s) failed on attempt %s",
            context.message_id,
            context.kind,
            context.attempt,
            exc_info=error,
        )
        return _failure_values(context, _describe(error), settings, give_up=False)
    return {
        "status": OutboxStatus.DONE.value,
        "attempts": context.attempt,
        "completed_at": clock.now(),
        "locked_by": context.worker_id,  # kept to show who performed the job
        "locked_until": None,
    }


def _failure_values(context: JobContext, error: str, settings: Settings, *, give_up: bool) -> dict[str, Any]:
    attempts = context.attempt
    exhausted = give_up or attempts >= settings.outbox_max_attempts
    if exhausted and not give_up:
        logger.error(
            "Outbox job %s (%s) failed %s times; giving up", context.message_id, context.kind, attempts
        )
    return {
        "status": OutboxStatus.FAILED.value if exhausted else OutboxStatus.PENDING.value,
        "attempts": attempts,
        "last_error": error[:MAX_ERROR_LENGTH],
        "available_at": clock.now() + retry_delay(attempts, settings.outbox_backoff_seconds),
        "locked_by": None,
        "locked_until": None,
    }


def _record_failure_separately(
    session: Session, context: JobContext, error: Exception, settings: Settings
) -> None:
    # Only if the job is still as this attempt found it: another worker may have taken it in the meantime.
    unchanged = and_(
        OutboxMessage.id == context.message_id,
        OutboxMessage.status == OutboxStatus.PENDING.value,
        OutboxMessage.attempts == context.attempt - 1,
        or_(OutboxMessage.locked_by.is_(None), OutboxMessage.locked_by == context.worker_id),
    )
    try:
        values = _failure_values(context, _describe(error), settings, give_up=False)
        session.execute(
            update(OutboxMessage).where(unchanged).values(**values), execution_options=_UNSYNCHRONIZED
        )
        session.commit()
    except Exception:
        session.rollback()
        raise


def _describe(error: BaseException) -> str:
    summary = "".join(traceback.format_exception_only(error)).strip()
    details = "".join(traceback.format_exception(error))
    return f"{summary}\n\n{details}"


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


@dataclasses.dataclass
class WorkerReport:
    performed: int = 0
    errors: int = 0


class WorkerStop:
    """A request to stop after the current job, from a signal handler or another thread.

    A plain flag rather than threading.Event: Event.set() takes a lock, which a signal handler must not do.
    """

    def __init__(self) -> None:
        self.requested = False

    def request(self, *_args: object) -> None:
        self.requested = True

    @contextmanager
    def on_signals(self) -> Iterator[None]:
        """While inside, SIGTERM and SIGINT ask for a stop instead of interrupting a job halfway."""

        def handle(signum: int, _frame: FrameType | None) -> None:
            logger.info("Worker received %s; stopping after the current job", signal.Signals(signum).name)
            self.request()

        previous = {number: signal.signal(number, handle) for number in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for number, old in previous.items():
                signal.signal(number, old)

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(remaining, 0.1))


def run_worker(
    worker_id: str,
    jobs: HandlerRegistry | None = None,
    *,
    poll_interval: float = 1.0,
    batch_limit: int | None = None,
    once: bool = False,
    stop: WorkerStop | None = None,
) -> WorkerReport:
    """Perform due jobs until stopped, `batch_limit` jobs are done, or (with `once`) none is due.

    A failing handler is not an error here (the job is retried later); an error is the outbox itself failing,
    e.g. the database being unreachable, which is logged and tried again after the poll interval.
    """
    stopper = stop or WorkerStop()
    report = WorkerReport()
    logger.info("Outbox worker %s started", worker_id)
    while not stopper.requested and (batch_limit is None or report.performed < batch_limit):
        try:
            performed = process_next(worker_id, jobs)
        except Exception:
            logger.exception("Outbox worker %s could not take a job", worker_id)
            report.errors += 1
            performed = False
        if performed:
            report.performed += 1
            continue
        if once:
            break
        stopper.wait(poll_interval)
    logger.info("Outbox worker %s stopped after %s jobs", worker_id, report.performed)
    return report
