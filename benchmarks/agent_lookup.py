"""Benchmark of issue 7: the contact centre's resident lookup on a municipality-sized PostgreSQL database.

Seeds 1 million residents, 5 million cases and 5 million contact moments with COPY into a fresh, migrated
database, then times the agent lookup through `contact_center.service`: by personnummer (typed without century,
with a dash), by case reference and by name prefix ("and", "anna and"). Each is reported with its ratio to a bare
indexed SELECT of the same rows with psycopg, measured in the same run. Target: median ≤ 5 ms, p95 ≤ 20 ms.

Run: /tmp/venv/bin/python benchmarks/agent_lookup.py [--residents N] [--cases N] [--contacts N] [--runs N]
     [--database-url URL] [--no-write]
Without --database-url it starts a private PostgreSQL cluster with scripts/postgres.sh and stops it afterwards;
the benchmark database is dropped at the end either way. Appends to docs/benchmarks.md, section "Agent lookup".
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.migrate import upgrade  # noqa: E402

TARGET_MEDIAN_MS = 5.0
TARGET_P95_MS = 20.0
RESULTS_FILE = ROOT / "docs" / "benchmarks.md"
SECTION = "## Agent lookup"
CHUNK = 200_000

FAMILY_STEMS = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Olofsson",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Ali",
    "Mohammed",
    "Ahmadi",
    "Hussein",
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Holm",
    "Ek",
    "Sjöberg",
]
GIVEN_NAMES = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Emma",
    "Kerstin",
    "Fatima",
    "Elin",
    "Lars",
    "Mikael",
    "Anders",
    "Johan",
    "Erik",
    "Per",
    "Karl",
    "Peter",
    "Thomas",
    "Jan",
    "Ahmed",
    "Omar",
    "Sofia",
    "Maja",
    "Ali",
    "Nils",
    "Olle",
    "Greta",
    "Ingrid",
    "Astrid",
]
SUFFIXES = ["", "", "", "", "-Berg", "-Lund", "-Ek", "-Holm", "-Ström", "-Dahl"]


def luhn(digits: str) -> int:
    total = 0
    for position, digit in enumerate(int(d) for d in digits):
        product = digit * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def personnummer(n: int) -> str:
    """A unique valid personnummer per n (n < 3 650 000): a birth date from 1930 on and a serial."""
    born = dt.date(1930, 1, 1) + dt.timedelta(days=n % 30_000)
    serial = f"{n // 30_000:03d}"
    ten = born.strftime("%y%m%d") + serial
    return born.strftime("%Y%m%d") + serial + str(luhn(ten))


# ---------------------------------------------------------------------------------------------------------------
# The database


@contextmanager
def postgres_cluster(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    directory = tempfile.mkdtemp(prefix="kanal-bench-pg-")
    script = str(ROOT / "scripts" / "postgres.sh")
    started = subprocess.run([script, "start", directory], check=True, capture_output=True, text=True)
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop", directory], check=False, capture_output=True)
        subprocess.run(["rm", "-rf", directory], check=False)


@contextmanager
def benchmark_database(cluster_url: str) -> Iterator[str]:
    name = f"kanal_bench_lookup_{os.getpid()}"
    with psycopg.connect(cluster_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _old = cluster_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(cluster_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_rows(connection: psycopg.Connection[Any], statement: str, lines: Iterator[str]) -> None:
    """COPY tab-separated lines in chunks of text (much faster than one write_row call per row)."""
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        buffer = io.StringIO()
        for count, line in enumerate(lines, start=1):
            buffer.write(line)
            if count % CHUNK == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


BULK_TABLES = ("resident", "case", "contact_moment")


@contextmanager
def without_indexes_and_constraints(connection: psycopg.Connection[Any]) -> Iterator[None]:
    """Drop the bulk tables' secondary indexes, unique and foreign-key constraints, and put them back after.

    Loading 11 million rows and then building each index once is many times faster than maintaining every index
    and checking every foreign key row by row; the schema ends up exactly as the migrations made it.
    """
    constraints = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u') ORDER BY contype DESC",
        ([f'"{table}"' if table == "case" else table for table in BULK_TABLES],),
    ).fetchall()
    indexes = connection.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (list(BULK_TABLES),),
    ).fetchall()
    for table, name, _definition in constraints:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    connection.commit()
    yield
    for _name, definition in indexes:
        connection.execute(definition)
    for table, name, definition in reversed(constraints):
        connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    connection.commit()


def seed(url: str, residents: int, cases: int, contacts: int) -> dict[str, Any]:
    rng = random.Random(7)
    now = "2026-06-01 10:00:00+00"
    families = [stem + suffix for stem in FAMILY_STEMS for suffix in SUFFIXES]
    # Zipf-like: the common names are very common, as in Sweden, so prefixes like "and" match tens of thousands.
    weights = [1 / (index + 1) for index in range(len(families))]
    with psycopg.connect(url) as connection:
        connection.execute(
            "INSERT INTO department (id, code, name) VALUES (1, 'bench', 'Bench');"
            "INSERT INTO queue (id, department_id, code, name, sla_hours) VALUES (1, 1, 'bench', 'Bench', 48);"
            "INSERT INTO category (id, slug, title, description, position) VALUES (1, 'bench', '{}', '{}', 0);"
        )
        connection.execute(
            "INSERT INTO service (id, slug, category_id, queue_id, title, summary, popular, active, created_at, "
            "updated_at) SELECT g, 'service-' || g, 1, 1, '{}', '{}', false, true, %s, %s "
            "FROM generate_series(1, 20) g",
            (now, now),
        )
        connection.execute(
            "INSERT INTO staff_user (id, email, full_name, password_hash, department_id, languages, active, "
            "failed_logins, created_at) VALUES (1, 'bench@example.se', 'Bench Agent', 'x', 1, '[\"sv\"]', true, 0, %s)",
            (now,),
        )
        bulk = without_indexes_and_constraints(connection)
        bulk.__enter__()
        started = time.perf_counter()
        family_choices = rng.choices(families, weights, k=residents)
        copy_rows(
            connection,
            "COPY resident (id, personnummer, given_name, family_name, email, phone, preferred_language, "
            "needs_extra_support, created_at) FROM STDIN",
            (
                f"{n + 1}\t{personnummer(n)}\t{rng.choice(GIVEN_NAMES)}\t{family_choices[n]}\t"
                f"person{n}@example.se\t+4670{n:07d}\tsv\tf\t{now}\n"
                for n in range(residents)
            ),
        )
        seconds_residents = time.perf_counter() - started
        started = time.perf_counter()
        copy_rows(
            connection,
            'COPY "case" (id, reference, service_id, resident_id, queue_id, status, channel, answers, created_at, '
            "updated_at, submitted_at) FROM STDIN",
            (
                f"{n + 1}\t{2020 + n // 1_000_000}-{n % 1_000_000:06d}\t{n % 20 + 1}\t{n % residents + 1}\t1\t"
                f"submitted\t{'self_service' if n % 4 else 'phone'}\t{{}}\t{now}\t{now}\t{now}\n"
                for n in range(cases)
            ),
        )
        seconds_cases = time.perf_counter() - started
        started = time.perf_counter()
        copy_rows(
            connection,
            "COPY contact_moment (id, channel, agent_id, resident_id, service_id, outcome, started_at, ended_at, "
            "created_at) FROM STDIN",
            (
                f"{n + 1}\tphone\t1\t{(n * 7) % residents + 1}\t{n % 20 + 1}\tanswered_directly\t{now}\t{now}\t{now}\n"
                for n in range(contacts)
            ),
        )
        seconds_contacts = time.perf_counter() - started
        connection.commit()
        started = time.perf_counter()
        bulk.__exit__(None, None, None)
        seconds_indexes = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return {
        "residents_s": seconds_residents,
        "cases_s": seconds_cases,
        "contacts_s": seconds_contacts,
        "indexes_s": seconds_indexes,
    }


# ---------------------------------------------------------------------------------------------------------------
# Timing


def time_once(function: Callable[[int], Any], index: int) -> float:
    start = time.perf_counter()
    function(index)
    return (time.perf_counter() - start) * 1000


def summary(durations: list[float]) -> tuple[float, float]:
    ordered = sorted(durations)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def measure(url: str, residents: int, cases: int, runs: int) -> list[tuple[str, float, float, float]]:
    from contact_center import service
    from core.app import create_app
    from core.db import db, dispose_engines

    rng = random.Random(11)
    environ = {
        "KANAL_ENV": "production",
        "KANAL_SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "KANAL_BANKID_URL": "http://127.0.0.1:9",
        "KANAL_STORAGE_DIR": tempfile.mkdtemp(prefix="kanal-bench-files-"),
    }
    app = create_app(environ)
    people = [rng.randrange(residents) for _ in range(runs)]
    references = [
        f"{2020 + n // 1_000_000}-{n % 1_000_000:06d}" for n in (rng.randrange(cases) for _ in range(runs))
    ]
    prefixes = [
        rng.choice(["and", "joh", "lind", "berg", "ahm", "nie", "sjö", "anna and", "erik lin"])
        for _ in range(runs)
    ]
    results = []
    with app.app_context(), psycopg.connect(url) as bare:

        def fresh() -> None:
            # A request's session starts empty; the lookup runs inside its transaction, as the bare SELECT does.
            db.expunge_all()

        def typed(n: int) -> str:
            full = personnummer(n)
            return f"{full[2:8]}-{full[8:]}"

        cases_list = [
            (
                "personnummer (YYMMDD-NNNN)",
                lambda i: service.find_by_personnummer(typed(people[i])),
                lambda i: bare.execute(
                    "SELECT * FROM resident WHERE personnummer = ANY(%s)", ([personnummer(people[i])],)
                ).fetchall(),
            ),
            (
                "case reference",
                lambda i: service.find_by_case_reference(references[i]),
                lambda i: bare.execute(
                    'SELECT r.* FROM "case" c JOIN resident r ON r.id = c.resident_id WHERE c.reference = %s',
                    (references[i],),
                ).fetchall(),
            ),
            (
                "name prefix",
                lambda i: service.find_by_name(prefixes[i]),
                lambda i: bare.execute(
                    "SELECT * FROM resident WHERE lower(family_name) LIKE %s AND lower(given_name) LIKE %s "
                    "ORDER BY lower(family_name) USING ~<~, lower(given_name) USING ~<~, id LIMIT 25",
                    (
                        prefixes[i].split()[-1] + "%",
                        (prefixes[i].split()[0] + "%") if " " in prefixes[i] else "%",
                    ),
                ).fetchall(),
            ),
        ]
        for name, through_service, bare_select in cases_list:
            # Warm up both paths (connection, statement caches) before timing.
            for index in range(20):
                through_service(index)
                fresh()
                bare_select(index)
            # The sampled rows' pages are read into memory once first, so neither path pays for a cold cache the
            # other then profits from; the two are interleaved so the machine's other work weighs on both alike.
            for index in range(runs):
                bare_select(index)
            service_times: list[float] = []
            bare_times: list[float] = []
            for index in range(runs):
                service_times.append(time_once(through_service, index))
                fresh()
                bare_times.append(time_once(bare_select, index))
            median, p95 = summary(service_times)
            bare_median, _bare_p95 = summary(bare_times)
            results.append((name, median, p95, bare_median))
    dispose_engines(app)
    return results


HEADER = (
    f"{SECTION}\n\n"
    "`benchmarks/agent_lookup.py`: the agent lookup through `contact_center.service` (`find_by_personnummer`, "
    "`find_by_case_reference`, `find_by_name`, ORM objects included) on PostgreSQL 15 with 1 million residents, "
    "5 million cases and 5 million contact moments seeded with COPY. Baseline: a bare indexed SELECT of the same "
    "rows with psycopg in the same run. "
    f"Target: median ≤ {TARGET_MEDIAN_MS:g} ms and p95 ≤ {TARGET_P95_MS:g} ms.\n\n"
    "| date | Python | residents / cases / contacts | lookup | median | p95 | median bare SELECT | ratio | "
    "within target |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
)


def record(rows: list[str]) -> None:
    text = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else "# Benchmarks\n\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + HEADER
    start = text.index(SECTION)
    following = text.find("\n## ", start + len(SECTION))
    end = len(text) if following == -1 else following + 1
    section = text[start:end].rstrip("\n") + "\n" + "\n".join(rows) + "\n"
    text = text[:start] + section + ("\n" + text[end:] if following != -1 else "")
    RESULTS_FILE.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=5_000_000)
    parser.add_argument("--contacts", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("KANAL_BENCHMARK_DATABASE_URL"))
    parser.add_argument("--no-write", action="store_true")
    arguments = parser.parse_args()

    with postgres_cluster(arguments.database_url) as cluster, benchmark_database(cluster) as url:
        started = time.perf_counter()
        upgrade(url.replace("postgresql://", "postgresql+psycopg://", 1))
        timings = seed(url, arguments.residents, arguments.cases, arguments.contacts)
        print(
            f"seeded in {time.perf_counter() - started:.0f} s (residents {timings['residents_s']:.0f} s, "
            f"cases {timings['cases_s']:.0f} s, contacts {timings['contacts_s']:.0f} s, indexes and constraints "
            f"{timings['indexes_s']:.0f} s, then VACUUM ANALYZE)"
        )
        results = measure(url, arguments.residents, arguments.cases, arguments.runs)

    scale = f"{arguments.residents:,} / {arguments.cases:,} / {arguments.contacts:,}".replace(",", " ")
    rows = []
    for name, median, p95, bare_median in results:
        within = median <= TARGET_MEDIAN_MS and p95 <= TARGET_P95_MS
        ratio = median / bare_median if bare_median else float("inf")
        print(
            f"{name:28} median {median:.3f} ms  p95 {p95:.3f} ms  bare {bare_median:.3f} ms  ratio {ratio:.2f}×"
        )
        rows.append(
            f"| {dt.date.today().isoformat()} | Python {platform.python_version()} | {scale} | {name} | "
            f"{median:.3f} ms | {p95:.3f} ms | {bare_median:.3f} ms | {ratio:.2f}× | {'yes' if within else 'no'} |"
        )
    if not arguments.no_write:
        record(rows)


if __name__ == "__main__":
    main()
