"""Where the CPU of benchmark b's submit request goes, measured in-process: the figures behind the analysis of
"Submit throughput" in docs/benchmarks.md.

Three medians of CPU per request (this thread's CPU, so waiting for PostgreSQL does not count), in one run on
one private database:

- the submit: `POST /e/<draft>/submit` of the preschool-placement form through Flask's test client, exactly as
  benchmark b sends it (same app settings, same resident session and CSRF token);
- a logged-in POST that does nothing (a route added for this run, behind the same CSRF check, session, resident
  loading, idle timeout, rate limiter and locale): what any request of a logged-in resident costs;
- the bound: the submit's database work as bare Core statements built once, on one connection, without the ORM
  or Flask — the least Python any implementation of the same guarantees could spend on it.

Run: .venv/bin/python benchmarks/submit_breakdown.py [--requests N] [--database-url URL]
Without --database-url a private PostgreSQL cluster is started with scripts/postgres.sh (and stopped after).
Prints only; nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import bindparam, insert, select, text, update  # noqa: E402

from benchmarks.submit_throughput import (  # noqa: E402
    USER_AGENT,
    fresh_database,
    kanal_environment,
    prepare_kanal,
    private_cluster,
)

NOOP_PATH = "/benchmark/logged-in-noop"


def median_cpu_ms(action: Callable[[int], None], items: list[int]) -> float:
    """The median CPU time of this thread per call of `action`, in milliseconds."""
    spent = []
    for item in items:
        started = time.thread_time()
        action(item)
        spent.append(time.thread_time() - started)
    return statistics.median(spent) * 1000


def add_noop_route(app: Flask) -> None:
    from core.auth import current_resident

    def logged_in_noop() -> tuple[str, int, dict[str, str]]:
        if current_resident() is None:
            return "not logged in", 403, {}
        return "", 303, {"Location": "/"}

    app.add_url_rule(NOOP_PATH, "benchmark_logged_in_noop", logged_in_noop, methods=["POST"])


def bare_core_submit(app: Flask) -> Callable[[int], None]:
    """The submit's statements as bare Core on one connection: load the resident, lock the draft with its
    version and service, take a reference, empty the draft, insert the case, its event and its follow-up job,
    look up checklists and offers, chain the audit entry, commit."""
    from core import audit, clock
    from core.models import OutboxMessage, Resident
    from eservices import life_events
    from eservices.models import Case, CaseEvent, Service
    from eservices.service import allocate_case_reference
    from forms.models import Draft, FormVersion

    resident, draft, version, service = (
        Resident.__table__,
        Draft.__table__,
        FormVersion.__table__,
        Service.__table__,
    )
    load_resident = select(resident).where(resident.c.id == bindparam("resident_id"))
    lock = (
        select(draft, version.c.definition_digest, service.c.id.label("service_id"), service.c.queue_id)
        .join(version, version.c.id == draft.c.form_version_id)
        .join(service, service.c.form_id == version.c.form_id)
        .where(draft.c.id == bindparam("draft_id"))
        .with_for_update(of=draft)
    )
    empty_draft = (
        update(draft)
        .where(draft.c.id == bindparam("row_id"))
        .values(answers={}, prefilled={}, current_page=None)
    )
    insert_case = insert(Case.__table__).returning(Case.__table__.c.id)
    insert_event = insert(CaseEvent.__table__)
    insert_job = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)
    year = clock.now().year
    next_number = text(f"SELECT nextval('case_reference_{year}')")
    with app.test_request_context():
        allocate_case_reference(year)  # makes the year's sequence, as the year's first case does
        from core.db import db

        db.commit()
    engine = app.extensions["kanal.db"].engine

    def submit(draft_id: int) -> None:
        with engine.connect() as connection:
            resident_row = connection.execute(load_resident, {"resident_id": 1}).one()
            row = connection.execute(lock, {"draft_id": draft_id}).one()
            number = connection.scalar(next_number)
            now = clock.now()
            connection.execute(empty_draft, {"row_id": draft_id})
            case_id = connection.scalar(
                insert_case,
                {
                    "reference": f"{year}-{number:06d}",
                    "service_id": row.service_id,
                    "resident_id": resident_row.id,
                    "queue_id": row.queue_id,
                    "status": "submitted",
                    "channel": "self_service",
                    "answers": row.answers,
                    "form_version_id": row.form_version_id,
                    "draft_id": draft_id,
                    "submitted_at": now,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            connection.execute(
                insert_event,
                {
                    "case_id": case_id,
                    "at": now,
                    "kind": "submitted",
                    "actor_kind": "resident",
                    "actor_id": str(resident_row.id),
                    "visible_to_resident": True,
                    "data": {"channel": "self_service"},
                },
            )
            # The same prebuilt statements Kanal runs (module internals, read here on purpose).
            connection.execute(
                life_events._OPEN_STEPS_AND_OFFERS,
                {"resident_id": resident_row.id, "service_id": row.service_id},
            ).all()
            connection.scalar(
                insert_job,
                {
                    "kind": "case.submitted",
                    "payload": {"case_id": case_id},
                    "idempotency_key": f"bare-core:{case_id}",
                    "status": "pending",
                    "attempts": 0,
                    "available_at": now,
                    "created_at": now,
                },
            )
            content = {
                "at": now,
                "actor_kind": "resident",
                "actor_id": str(resident_row.id),
                "action": "create",
                "subject_kind": "case",
                "subject_id": str(case_id),
                "resident_id": resident_row.id,
                "reason": None,
                "details": {"reference": f"{year}-{number:06d}"},
                "ip_address": "127.0.0.1",
            }
            connection.scalar(
                audit._APPEND_ENTRY_POSTGRESQL, {**content, "canonical": audit._canonical(content)}
            )
            connection.commit()

    return submit


def measure(database_url: str, requests: int) -> dict[str, float]:
    warmup = 30
    with tempfile.TemporaryDirectory() as storage:
        environ = kanal_environment(database_url, Path(storage))
        draft_ids, cookie, token = prepare_kanal(environ, 2 * (requests + warmup))
        os.environ.update(environ)
        from core.app import create_app
        from core.db import dispose_engines

        app = create_app(environ)
        logging.getLogger().setLevel(logging.WARNING)
        add_noop_route(app)
        client = app.test_client()
        client.set_cookie("kanal_session", cookie)

        def post(path: str) -> None:
            response = client.post(
                path,
                data={"csrf_token": token},
                headers={"User-Agent": USER_AGENT},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},
            )
            if response.status_code != 303:
                raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:200]}")

        def submit(draft_id: int) -> None:
            post(f"/e/{draft_id}/submit")

        def noop(_item: int) -> None:
            post(NOOP_PATH)

        submits, bound_drafts = draft_ids[: requests + warmup], draft_ids[requests + warmup :]
        for draft_id in submits[:warmup]:
            submit(draft_id)
        for _ in range(warmup):
            noop(0)
        bare = bare_core_submit(app)
        for draft_id in bound_drafts[:warmup]:
            bare(draft_id)
        result = {
            "submit": median_cpu_ms(submit, submits[warmup:]),
            "noop": median_cpu_ms(noop, list(range(requests))),
            "bound": median_cpu_ms(bare, bound_drafts[warmup:]),
        }
        dispose_engines(app)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server URL; default: a private cluster"
    )
    arguments = parser.parse_args()
    with contextlib.ExitStack() as stack:
        server = arguments.database_url or stack.enter_context(
            private_cluster(Path(tempfile.mkdtemp(prefix="kanal-bench-pg-")))
        )
        database_url = fresh_database(server, f"kanal_submit_breakdown_{os.getpid()}")
        result = measure(database_url, arguments.requests)
    print(f"Submit request, in-process:              {result['submit']:6.2f} ms CPU (median)")
    print(f"Logged-in POST that does nothing:        {result['noop']:6.2f} ms CPU")
    print(f"  so the submit's own work:              {result['submit'] - result['noop']:6.2f} ms CPU")
    print(f"Bound: its statements as bare Core:      {result['bound']:6.2f} ms CPU")


if __name__ == "__main__":
    main()
