"""Case reference numbers: YYYY-NNNNNN, increasing within a year, starting over each year, unique under load."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from core import clock
from core.db import db, unit_of_work
from eservices.models import Case, Service
from eservices.service import allocate_case_reference, create_case
from tests.builders import make_resident, make_service
from tests.database import using_postgres

REFERENCE = re.compile(r"^\d{4}-\d{6}$")


def test_a_reference_is_the_year_and_a_six_digit_number(app: Flask) -> None:
    reference = allocate_case_reference()
    assert REFERENCE.match(reference)
    assert reference == f"{clock.now().year}-000001"


def test_references_increase_by_one_within_a_year(app: Flask) -> None:
    references = [allocate_case_reference(2030) for _ in range(3)]
    assert references == ["2030-000001", "2030-000002", "2030-000003"]


def test_each_year_starts_again_at_one(app: Flask) -> None:
    assert allocate_case_reference(2030) == "2030-000001"
    assert allocate_case_reference(2030) == "2030-000002"
    assert allocate_case_reference(2031) == "2031-000001"
    assert allocate_case_reference(2030) == "2030-000003"


def test_a_case_filed_after_new_year_gets_the_new_years_first_number(app: Flask) -> None:
    service = make_service()
    first = create_case(service, None, {})
    today = clock.now()
    clock.advance(dt.datetime(today.year + 1, 1, 1, 0, 0, 1, tzinfo=dt.UTC) - today)
    second = create_case(service, None, {})
    assert first.reference == f"{today.year}-000001"
    assert second.reference == f"{today.year + 1}-000001"


def test_a_case_that_is_rolled_back_leaves_no_duplicate_and_at_most_a_gap(app: Flask) -> None:
    service = make_service()
    db.commit()
    with pytest.raises(RuntimeError), unit_of_work():
        create_case(db.get(Service, service.id), None, {})  # type: ignore[arg-type]
        raise RuntimeError("signing failed")
    with unit_of_work():
        kept = create_case(db.get(Service, service.id), None, {})  # type: ignore[arg-type]
    # References are gap-tolerant: PostgreSQL takes the number outside the filing's transaction (so concurrent
    # filings don't queue on the counter), SQLite inside it; either way the kept case has a fresh, valid number.
    expected = {f"{clock.now().year}-000002"} if using_postgres() else {f"{clock.now().year}-000001"}
    assert kept.reference in expected
    assert db.scalar(select(func.count()).select_from(Case)) == 1


def test_cases_filed_at_the_same_moment_all_get_different_references(app: Flask) -> None:
    service = make_service()
    resident = make_resident()
    db.commit()
    # Fifty at once on PostgreSQL (row locks); on SQLite, whose writers queue for one lock, fewer keep it quick.
    filings = 50 if using_postgres() else 10
    start = threading.Barrier(filings)
    references: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def file_case() -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                with unit_of_work():
                    case = create_case(db.get(Service, service.id), resident.id, {"n": 1})  # type: ignore[arg-type]
                    reference = case.reference
            with lock:
                references.append(reference)
        except BaseException as error:  # collected and asserted on the main thread
            errors.append(error)

    threads = [threading.Thread(target=file_case) for _ in range(filings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(references) == filings
    assert len(set(references)) == filings
    year = clock.now().year
    assert sorted(references) == [f"{year}-{n:06d}" for n in range(1, filings + 1)]
    assert db.scalar(select(func.count()).select_from(Case)) == filings
