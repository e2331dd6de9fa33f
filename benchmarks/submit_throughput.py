"""Benchmark (b) of issue 4: throughput of the final submit request under gunicorn with PostgreSQL.

Kanal's `POST /e/<draft>/submit` (lock the draft, re-validate every page on the draft's form version, record the
form's statistics, allocate a case reference, insert the case, its timeline event and audit entry, tick the
resident's checklists, queue the follow-up job that makes the receipt and sends webhooks and notifications, hand
over the files) is measured against a floor: a minimal Flask endpoint that inserts one row into the same database.
Both run under gunicorn with Kanal's gunicorn.conf.py and the same number of sync workers, and the same client
(a bounded loop of requests from a few threads on loopback, each with an httpx client made before the first
round) drives both, in alternating rounds of the same run. Target: Kanal at least 0.5× the floor.

Each submit needs a complete draft of its own: the preschool-placement form (two children prefilled from the
population register) is filled in once through the filing service and copied into as many drafts as requests.

Run: .venv/bin/python benchmarks/submit_throughput.py [--requests N] [--workers W] [--clients C]
     [--rounds R] [--database-url URL] [--no-write]
Without --database-url a private PostgreSQL cluster is started with scripts/postgres.sh (and stopped after).
Appends the result to docs/benchmarks.md, section "Submit throughput".
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import platform
import pwd
import queue
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from flask import Flask, session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

TARGET_RATIO = 0.5
RESULTS_FILE = ROOT / "docs" / "benchmarks.md"
SECTION = "## Submit throughput"
USER_AGENT = "kanal-submit-benchmark"
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
FATIMA = "198512308480"
CHILD = {
    "start_date": "2030-08-01",
    "hours_per_week": "30",
    "preferred_preschool": "solrosen",
    "has_sibling": "no",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def private_cluster(directory: Path) -> Iterator[str]:
    started = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres.sh"), "start", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "postgres.sh"), "stop", str(directory)], check=False)


def fresh_database(server_url: str, name: str) -> str:
    base = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def kanal_environment(database_url: str, storage: Path) -> dict[str, str]:
    return {
        "KANAL_ENV": "production",
        "KANAL_SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "KANAL_BANKID_URL": "http://127.0.0.1:9",
        "KANAL_STORAGE_DIR": str(storage),
        "KANAL_RATE_LIMIT_STORAGE_URL": "memory://",
    }


def prepare_kanal(environ: dict[str, str], drafts: int) -> tuple[list[int], str, str]:
    """Migrate, publish the preschool form, and make `drafts` complete drafts for one logged-in resident.

    Returns the draft ids, a session cookie of that resident (as BankID login leaves it) and its CSRF token.
    """
    from core.app import create_app
    from core.db import db, dispose_engines, unit_of_work
    from core.migrate import upgrade
    from core.models import Department, Queue, Resident
    from eservices import filing
    from eservices.models import Category, Channel, Service
    from forms import service as forms
    from forms.models import Draft, Form, FormVersion

    upgrade(environ["DATABASE_URL"])
    app = create_app(environ)
    with app.app_context(), unit_of_work():
        definition = forms.example_definitions()["preschool-placement"]
        # The submit request is what is measured; BankID signing (its own round trips to BankID) is not.
        definition["settings"]["requires_signature"] = False
        department = Department(code="education", name="Förskola")
        queue_row = Queue(code="admissions", name="Placering", sla_hours=72, department=department)
        category = Category(slug="school", title={"sv": "Skola"})
        form = Form(key=definition["key"], title=definition["title"], draft_definition=definition)
        db.add_all([department, queue_row, category, form])
        db.flush()
        db.add(FormVersion(form_id=form.id, version=1, definition=definition))
        service = Service(
            slug="preschool-placement", category=category, queue=queue_row, title=definition["title"]
        )
        service.form_id = form.id
        resident = Resident(
            personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi", preferred_language="sv"
        )
        db.add_all([service, resident])
        db.flush()
        template = filing.start_draft(
            service, filing.Actor.resident(resident), Channel.SELF_SERVICE, resident
        )
        pages: list[tuple[str, dict[str, Any]]] = [
            ("guardian", {"email": "fatima@example.se"}),
            (
                "children",
                {
                    "children": [
                        {"child_name": "Layla Ahmadi", "child_personnummer": "201909202424", **CHILD},
                        {"child_name": "Adam Ahmadi", "child_personnummer": "202201112337", **CHILD},
                    ]
                },
            ),
            ("needs", {"special_needs": "no", "home_languages": ["arabic"]}),
            ("confirm", {"truthful": "yes"}),
        ]
        for page_id, raw in pages:
            outcome = filing.save_page(template, filing.Step(page_id), raw, {}, "sv")
            if outcome.errors:
                raise RuntimeError(f"the benchmark's answers do not validate on {page_id}: {outcome.errors}")
        row = {
            "form_version_id": template.form_version_id,
            "resident_id": resident.id,
            "answers": template.answers,
            "prefilled": template.prefilled,
            "current_page": template.current_page,
            "actor_kind": "resident",
            "actor_id": str(resident.id),
            "channel": "self_service",
        }
        db.execute(insert(Draft), [row] * drafts)
        draft_ids = [
            draft_id
            for draft_id in db.scalars(select(Draft.id).order_by(Draft.id))
            if draft_id != template.id
        ]
        resident_id = resident.id
    cookie, token = resident_session(app, resident_id)
    dispose_engines(app)
    return draft_ids, cookie, token


def resident_session(app: Flask, resident_id: int) -> tuple[str, str]:
    """A signed session cookie of a logged-in resident and a CSRF token that goes with it."""
    from core.db import db
    from core.models import Resident

    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        resident = db.get(Resident, resident_id)
        assert resident is not None
        from core.auth import log_in_resident

        log_in_resident(resident)
        token = generate_csrf()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        cookie = serializer.dumps(dict(session))
        db.rollback()
    return str(cookie), str(token)


BASELINE_TABLE = "benchmark_floor"
INSERT_FLOOR_ROW = "INSERT INTO benchmark_floor (payload, created_at) VALUES (:payload, now()) RETURNING id"


def baseline_app() -> Flask:
    """The floor: one POST that inserts one row into the same database and redirects, as the submit does."""
    engine = create_engine(os.environ["DATABASE_URL"], pool_size=5)
    app = Flask("floor")

    @app.post("/insert")
    def insert_row() -> tuple[str, int, dict[str, str]]:
        with engine.begin() as connection:
            new_id = connection.execute(
                text(INSERT_FLOOR_ROW),
                {"payload": "case"},
            ).scalar_one()
        return "", 303, {"Location": f"/done/{new_id}"}

    return app


def prepare_baseline(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} "
                "(id serial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL)"
            )
        )
    engine.dispose()


@contextlib.contextmanager
def gunicorn(app_spec: str, environ: dict[str, str], workers: int) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, **environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            # Kanal's production settings (gunicorn.conf.py) for both servers, like the number of workers.
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/", timeout=2)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {app_spec} did not start") from None
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _processes() -> Iterator[tuple[int, int, int, float]]:
    """(pid, parent pid, owner uid, CPU seconds used so far) of every process /proc shows."""
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            owner = os.stat(f"/proc/{entry}").st_uid
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        yield int(entry), int(fields[1]), owner, (int(fields[11]) + int(fields[12])) / ticks


def server_cpu(master_pid: int) -> tuple[float, float]:
    """CPU seconds used so far by a gunicorn master and its workers, and by every PostgreSQL process."""
    postgres_uid = pwd.getpwnam("postgres").pw_uid
    app = database = 0.0
    for pid, parent, owner, seconds in _processes():
        if pid == master_pid or parent == master_pid:
            app += seconds
        elif owner == postgres_uid:
            database += seconds
    return app, database


def http_clients(count: int, cookies: dict[str, str] | None = None) -> list[httpx.Client]:
    """`count` clients that keep their cookies as a browser does: `cookies` to start with, then what is set.

    Made before any round is timed: making an httpx client costs about 20 ms of CPU (its TLS context), which
    in a round would count against whichever server answers faster.
    """
    return [
        httpx.Client(timeout=30, headers={"User-Agent": USER_AGENT}, cookies=cookies) for _ in range(count)
    ]


def drive(requests: list[Callable[[httpx.Client], httpx.Response]], clients: list[httpx.Client]) -> float:
    """Send every request from one thread per client (each its own connection); requests per second."""
    work: queue.Queue[Callable[[httpx.Client], httpx.Response]] = queue.Queue()
    for request in requests:
        work.put(request)
    failures: list[str] = []

    def client_loop(client: httpx.Client) -> None:
        while True:
            try:
                request = work.get_nowait()
            except queue.Empty:
                return
            response = request(client)
            if response.status_code != 303:
                failures.append(f"{response.status_code}: {response.text[:200]}")

    threads = [threading.Thread(target=client_loop, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} request(s) failed, e.g. {failures[0]}")
    return len(requests) / elapsed


def measure(database_url: str, requests: int, workers: int, clients: int, rounds: int) -> dict[str, Any]:
    """Requests per second of Kanal and of the floor, in `rounds` alternating batches; medians and their ratio.

    Alternating batches (both servers stay up) expose both to the same background load, and the ratio of each
    round is taken before the median, so a busy moment on a shared machine cannot favour either side.
    """
    warmup = max(20, workers * 5)
    per_round = max(1, requests // rounds)
    with tempfile.TemporaryDirectory() as storage:
        environ = kanal_environment(database_url, Path(storage))
        draft_ids, cookie, token = prepare_kanal(environ, per_round * rounds + warmup)
        # create_app set up INFO logging in this process; a line per request would slow the client down.
        logging.getLogger().setLevel(logging.WARNING)
        prepare_baseline(database_url)
        kanal_http = http_clients(clients, {"kanal_session": cookie})
        floor_http = http_clients(clients)

        def submit(draft_id: int) -> Callable[[httpx.Client], httpx.Response]:
            return lambda client: client.post(f"{kanal_url}/e/{draft_id}/submit", data={"csrf_token": token})

        def floor(client: httpx.Client) -> httpx.Response:
            return client.post(f"{floor_url}/insert", data={"csrf_token": token})

        kanal_rates: list[float] = []
        floor_rates: list[float] = []
        # CPU per request of the app workers and PostgreSQL (which the shared client does not blur), and of the
        # client itself (this process), which takes its share of the same cores.
        kanal_cpu: list[tuple[float, float, float]] = []
        floor_cpu: list[tuple[float, float, float]] = []

        def measured(
            master: int, batch: list[Callable[[httpx.Client], httpx.Response]], http: list[httpx.Client]
        ) -> tuple[float, ...]:
            app_before, database_before = server_cpu(master)
            client_before = time.process_time()
            rate = drive(batch, http)
            client_after = time.process_time()
            app_after, database_after = server_cpu(master)
            per_request = 1000 / len(batch)
            return (
                rate,
                (app_after - app_before) * per_request,
                (database_after - database_before) * per_request,
                (client_after - client_before) * per_request,
            )

        with (
            gunicorn("wsgi:app", environ, workers) as (kanal_url, kanal_master),
            gunicorn("benchmarks.submit_throughput:baseline_app()", environ, workers) as (
                floor_url,
                floor_master,
            ),
        ):
            drive([submit(draft_id) for draft_id in draft_ids[:warmup]], kanal_http)
            drive([floor] * warmup, floor_http)
            batches = [
                draft_ids[warmup + n * per_round : warmup + (n + 1) * per_round] for n in range(rounds)
            ]
            for batch in batches:
                rate, app_ms, database_ms, client_ms = measured(
                    kanal_master, [submit(draft_id) for draft_id in batch], kanal_http
                )
                kanal_rates.append(rate)
                kanal_cpu.append((app_ms, database_ms, client_ms))
                rate, app_ms, database_ms, client_ms = measured(floor_master, [floor] * per_round, floor_http)
                floor_rates.append(rate)
                floor_cpu.append((app_ms, database_ms, client_ms))
        for client in kanal_http + floor_http:
            client.close()
        engine = create_engine(database_url)
        with engine.connect() as connection:
            cases = connection.execute(text('SELECT count(*) FROM "case"')).scalar_one()
        engine.dispose()
    if cases != per_round * rounds + warmup:
        raise RuntimeError(f"expected {per_round * rounds + warmup} cases, found {cases}")
    ratios = [kanal / floor_rate for kanal, floor_rate in zip(kanal_rates, floor_rates, strict=True)]
    return {
        "kanal": statistics.median(kanal_rates),
        "floor": statistics.median(floor_rates),
        "ratio": statistics.median(ratios),
        "requests": per_round * rounds,
        "kanal_cpu": tuple(statistics.median(part) for part in zip(*kanal_cpu, strict=True)),
        "floor_cpu": tuple(statistics.median(part) for part in zip(*floor_cpu, strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="alternating batches of Kanal and the floor")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server URL; default: a private cluster"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    arguments = parser.parse_args()

    with contextlib.ExitStack() as stack:
        server = arguments.database_url or stack.enter_context(
            private_cluster(Path(tempfile.mkdtemp(prefix="kanal-bench-pg-")))
        )
        database_url = fresh_database(server, f"kanal_submit_benchmark_{os.getpid()}")
        result = measure(
            database_url, arguments.requests, arguments.workers, arguments.clients, arguments.rounds
        )
        version = stack.enter_context(contextlib.closing(create_engine(database_url).connect()))
        server_version = re.sub(r" \(.*", "", str(version.execute(text("SHOW server_version")).scalar_one()))

    within = result["ratio"] >= TARGET_RATIO
    print(f"Kanal submit:           {result['kanal']:8.1f} requests/s (median of {arguments.rounds} rounds)")
    print(f"Floor (insert one row): {result['floor']:8.1f} requests/s")
    verdict = "yes" if within else "NO"
    for name, (app_ms, database_ms, client_ms) in (
        ("Kanal submit", result["kanal_cpu"]),
        ("Floor", result["floor_cpu"]),
    ):
        print(
            f"{name} CPU per request: app {app_ms:.1f} ms + PostgreSQL {database_ms:.1f} ms; "
            f"client {client_ms:.1f} ms"
        )
    print(
        f"Ratio (median of the rounds' ratios): {result['ratio']:.2f}× (target ≥ {TARGET_RATIO:g}×: {verdict})"
    )
    if not arguments.no_write:
        record(
            f"| {dt.date.today().isoformat()} | Python {platform.python_version()} | PostgreSQL {server_version} "
            f"| {arguments.workers} sync | {arguments.clients} | {result['requests']} in {arguments.rounds} rounds "
            f"| {result['kanal']:.1f}/s | {result['floor']:.1f}/s | {result['ratio']:.2f}× | "
            f"{'yes' if within else 'no'} | {cpu_cell(result['kanal_cpu'])} | {cpu_cell(result['floor_cpu'])} |"
        )


HEADER = (
    f"{SECTION}\n\n"
    "`benchmarks/submit_throughput.py`: the final submit request of the preschool-placement e-service "
    "(`POST /e/<draft>/submit`: re-validation on the draft's form version, case with reference, timeline event, "
    "audit entry and follow-up job in one transaction) under gunicorn with PostgreSQL. Floor, measured in the "
    "same run with the same gunicorn workers and client: a minimal Flask endpoint that inserts one row into the "
    f"same database. Target: ratio ≥ {TARGET_RATIO:g}×.\n\n"
    "| date | Python | database | gunicorn workers | client threads | requests | Kanal submit | floor "
    "| ratio | within target | Kanal CPU per request (app + PostgreSQL; client) | floor CPU per request |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def cpu_cell(cpu: tuple[float, float, float]) -> str:
    return f"{cpu[0]:.1f} + {cpu[1]:.1f} ms; client {cpu[2]:.1f} ms"


def record(row: str) -> None:
    """Add a row under the last one of the "Submit throughput" table (notes below the table stay below it),
    creating the file or the section when missing."""
    content = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else "# Benchmarks\n\n"
    if SECTION not in content:
        content = content.rstrip("\n") + "\n\n" + HEADER
    start = content.index(SECTION)
    following = content.find("\n## ", start + len(SECTION))
    end = len(content) if following == -1 else following + 1
    lines = content[start:end].split("\n")
    last_row = max(index for index, line in enumerate(lines) if line.startswith("|"))
    lines.insert(last_row + 1, row)
    content = content[:start] + "\n".join(lines) + content[end:]
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
