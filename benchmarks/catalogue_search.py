"""Benchmark of issue 8: catalogue search over 2,000 services with synonyms, on PostgreSQL.

Measures `eservices.catalogue.search` (full-text search with the language's text-search configuration, misspelt
words first corrected by pg_trgm similarity against the catalogue's vocabulary, then the matching services loaded
through the ORM, as the search page does) for a mix
of queries: exact, inflected, misspelt, compound, several words, English, and one that matches nothing (which
also tries the other languages). Baseline, in the same run: a bare indexed lookup of one service by slug through
the same session. Target: median at most 10 ms per query.

Run: url=$(scripts/postgres.sh start /tmp/pg-bench); /tmp/venv/bin/python benchmarks/catalogue_search.py \
     --database-url "$url" [--services 2000] [--runs 50] [--no-write]
It creates (and afterwards drops) its own database on that server, and appends the result to docs/benchmarks.md,
section "Catalogue search".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

TARGET_MS = 10.0
RESULTS_FILE = ROOT / "docs" / "benchmarks.md"
SECTION = "## Catalogue search"
DATABASE_NAME = "kanal_bench_catalogue"

# Words residents search for, in Swedish and English, combined into titles, summaries and synonyms.
NOUNS = [
    ("förskola", "preschool"),
    ("bygglov", "building permit"),
    ("hemtjänst", "home care"),
    ("parkering", "parking"),
    ("avlopp", "sewage"),
    ("skolskjuts", "school transport"),
    ("bidrag", "grant"),
    ("tillstånd", "permit"),
    ("sophämtning", "waste collection"),
    ("färdtjänst", "transport service"),
    ("livsmedel", "food"),
    ("buller", "noise"),
    ("uteservering", "outdoor seating"),
    ("trygghetslarm", "safety alarm"),
    ("fritidshem", "after-school club"),
    ("snöröjning", "snow clearing"),
    ("värmepump", "heat pump"),
    ("bostad", "housing"),
    ("idrottshall", "sports hall"),
    ("bibliotek", "library"),
    ("simhall", "swimming pool"),
    ("vigsel", "wedding"),
    ("begravning", "funeral"),
    ("lotteri", "lottery"),
    ("tomt", "plot"),
]
VERBS = [
    ("Ansök om", "Apply for"),
    ("Anmäl", "Notify"),
    ("Boka", "Book"),
    ("Ändra", "Change"),
    ("Säg upp", "Cancel"),
]
PLACES = ["norra", "södra", "centrum", "hamnen", "skogen", "ängen", "kyrkbyn", "backen"]

QUERIES = [
    ("förskola", "sv"),
    ("förskolan", "sv"),
    ("forskola", "sv"),
    ("förskoleplats", "sv"),
    ("bygglof", "sv"),
    ("hemtjänsten", "sv"),
    ("boka idrottshall i hamnen", "sv"),
    ("building permit", "en"),
    ("swiming pool", "en"),
    ("qwxzvb", "sv"),
]


def seed(services: int) -> None:
    """`services` services in 8 categories, each with texts in sv and en and three synonyms per language."""
    from core.db import db
    from core.models import Department, Queue
    from eservices import catalogue
    from eservices.catalogue_models import ServiceDetails
    from eservices.models import Category, Service

    rng = random.Random(8)
    department = Department(code="bench", name="Benchmark")
    queue = Queue(code="bench", name="Benchmark", sla_hours=48, department=department)
    categories = [
        Category(
            slug=f"category-{n}", title={"sv": f"Kategori {PLACES[n]}", "en": f"Category {n}"}, position=n
        )
        for n in range(8)
    ]
    db.add_all([department, queue, *categories])
    db.flush()
    for n in range(services):
        (verb_sv, verb_en), (noun_sv, noun_en) = VERBS[n % len(VERBS)], NOUNS[(n // len(VERBS)) % len(NOUNS)]
        place = PLACES[(n // (len(VERBS) * len(NOUNS))) % len(PLACES)]
        service = Service(
            slug=f"service-{n}",
            category=categories[n % len(categories)],
            queue=queue,
            popular=n % 97 == 0,
            title={"sv": f"{verb_sv} {noun_sv} {place}", "en": f"{verb_en} {noun_en} {place}"},
            summary={
                "sv": f"Här kan du {verb_sv.lower()} {noun_sv} i {place}. Ärendet handläggs av kommunen.",
                "en": f"Here you can {verb_en.lower()} {noun_en} in {place}. The municipality handles it.",
            },
        )
        db.add(service)
        db.flush()
        others = rng.sample(NOUNS, 3)
        db.add(
            ServiceDetails(
                service_id=service.id,
                synonyms={"sv": [other[0] + "n" for other in others], "en": [other[1] for other in others]},
                who_can_apply={
                    "sv": "Alla som bor i kommunen.",
                    "en": "Everyone living in the municipality.",
                },
            )
        )
    db.flush()
    catalogue.reindex_all()
    db.commit()
    db.execute(text("ANALYZE"))
    db.commit()


def time_ms(function: Callable[[], Any]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


@contextmanager
def benchmark_database(server_url: str) -> Iterator[str]:
    base = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE_NAME}"'))
    try:
        yield base.set(database=DATABASE_NAME).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)'))
        admin.dispose()


def measure(url: str, services: int, runs: int) -> tuple[float, float, dict[str, float], str]:
    from core.app import create_app
    from core.db import db, dispose_engines
    from core.migrate import upgrade
    from eservices import catalogue
    from eservices.models import Service

    upgrade(url)
    app = create_app(
        {
            "KANAL_ENV": "production",
            "KANAL_SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123456789",
            "DATABASE_URL": url,
            "KANAL_BANKID_URL": "http://127.0.0.1:9",
            "KANAL_STORAGE_DIR": tempfile.mkdtemp(prefix="kanal-bench-files-"),
        }
    )
    with app.app_context():
        started = time.perf_counter()
        seed(services)
        print(f"seeded and indexed {services} services in {time.perf_counter() - started:.1f} s")
        version = str(db.scalar(text("SHOW server_version")))
        with app.test_request_context():
            slugs = [f"service-{n}" for n in range(services)]
            rng = random.Random(1)
            for query, language in QUERIES:  # warm up caches and the connection
                catalogue.search(query, language)
            per_query: dict[str, list[float]] = {query: [] for query, _language in QUERIES}
            search_times: list[float] = []
            baseline_times: list[float] = []
            for _ in range(runs):
                for query, language in QUERIES:
                    db.expunge_all()  # a request's session starts empty
                    elapsed = time_ms(lambda q=query, lang=language: catalogue.search(q, lang))  # type: ignore[misc]
                    per_query[query].append(elapsed)
                    search_times.append(elapsed)
                    db.expunge_all()
                    slug = rng.choice(slugs)
                    baseline_times.append(
                        time_ms(lambda s=slug: db.scalar(select(Service).where(Service.slug == s)))  # type: ignore[misc]
                    )
            for query, language in QUERIES:
                found = [service.slug for service in catalogue.search(query, language).services][:3]
                print(f"  {query!r:32} median {statistics.median(per_query[query]):6.3f} ms  top: {found}")
            db.rollback()
    dispose_engines(app)
    medians = {query: statistics.median(times) for query, times in per_query.items()}
    return statistics.median(search_times), statistics.median(baseline_times), medians, version


def record(row: str) -> None:
    header = (
        f"{SECTION}\n\n"
        "`benchmarks/catalogue_search.py`: `eservices.catalogue.search` (PostgreSQL full-text search with the "
        "language's configuration, misspelt words first corrected by pg_trgm similarity against the catalogue's "
        "vocabulary, results loaded through the ORM) over 2,000 "
        "services with synonyms in sv and en; ten queries: exact, inflected, misspelt, compound, several words, "
        "English and one without hits. Baseline: a bare indexed lookup of one service by slug through the same "
        "session, in the same run. Target: median ≤ 10 ms per query.\n\n"
        "| date | Python | database | services | queries × runs | median search | slowest query's median "
        "| median lookup by slug | ratio | within target |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    content = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else "# Benchmarks\n"
    if SECTION not in content:
        content = content.rstrip("\n") + "\n\n" + header
    lines = content.split("\n")
    start = lines.index(SECTION)
    end = start + 1
    while end < len(lines) and not lines[end].startswith("## "):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    lines.insert(end, row)
    RESULTS_FILE.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("KANAL_BENCHMARK_DATABASE_URL"))
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    arguments = parser.parse_args()
    if not arguments.database_url:
        parser.error("--database-url is required (e.g. the URL scripts/postgres.sh start prints)")

    with benchmark_database(arguments.database_url) as url:
        median, baseline, medians, version = measure(url, arguments.services, arguments.runs)
    slowest = max(medians.values())
    ratio = median / baseline if baseline else float("inf")
    within = median <= TARGET_MS
    print(
        f"median search {median:.3f} ms (slowest query {slowest:.3f} ms), lookup by slug {baseline:.3f} ms, "
        f"ratio {ratio:.2f}×, within target: {'yes' if within else 'no'}"
    )
    row = (
        f"| {dt.date.today().isoformat()} | Python {platform.python_version()} | PostgreSQL {version} | "
        f"{arguments.services} | {len(QUERIES)} × {arguments.runs} | {median:.3f} ms | {slowest:.3f} ms | "
        f"{baseline:.3f} ms | {ratio:.2f}× | {'yes' if within else 'no'} |"
    )
    if not arguments.no_write:
        record(row)


if __name__ == "__main__":
    main()
