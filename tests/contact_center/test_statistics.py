"""Channel statistics on a known data set, and open-data files without personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask import Flask

from contact_center import statistics
from contact_center.models import CallbackRequest, ContactMoment
from core.db import db
from eservices import service as eservices
from eservices.models import Channel, Service
from tests.builders import make_resident, make_service
from tests.contact_center.conftest import make_agent

MARCH = statistics.Month(2026, 3)


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


def case(item: Service, channel: Channel, submitted: dt.datetime, decided: dt.datetime | None = None) -> None:
    created = eservices.create_case(
        item, make_resident(given_name="Secret", family_name="Person").id, {}, channel=channel
    )
    created.submitted_at = submitted
    created.decided_at = decided


def known_data_set() -> Service:
    item = make_service(slug="parking-permit")
    agent = make_agent()
    # Three digital cases and one by phone in March; one digital case in April does not count.
    case(item, Channel.SELF_SERVICE, at(1), at(3))  # 2 days
    case(item, Channel.SELF_SERVICE, at(2), at(6))  # 4 days
    case(item, Channel.SELF_SERVICE, at(3))
    case(item, Channel.PHONE, at(4), at(14))  # 10 days
    case(item, Channel.SELF_SERVICE, at(1, month=4))
    for channel, outcome in (
        ("phone", "answered_directly"),
        ("phone", "guided_to_eservice"),
        ("visit", "forwarded"),
    ):
        db.add(
            ContactMoment(
                channel=channel,
                agent_id=agent.id,
                service_id=item.id,
                outcome=outcome,
                started_at=at(5),
                ended_at=at(5, 11),
            )
        )
    for completed, due in ((at(7), at(8)), (at(9), at(8))):
        db.add(
            CallbackRequest(
                phone="+46701234567",
                caller_name="Secret Person",
                service_id=item.id,
                queue_id=item.queue_id,
                created_by_kind="anonymous",
                created_at=at(6),
                due_at=due,
                completed_at=completed,
                status="done",
            )
        )
    db.flush()
    return item


def test_figures_for_a_month_match_the_known_data_set(app: Flask) -> None:
    known_data_set()
    [row] = statistics.figures_for_months([MARCH])
    assert row.service == "parking-permit"
    assert row.cases_by_channel["self_service"] == 3 and row.cases_by_channel["phone"] == 1
    assert row.digital_share == 0.75
    assert row.median_lead_days_digital == 3.0
    assert row.median_lead_days_assisted == 10.0
    assert row.contacts_by_channel == {"phone": 2, "visit": 1, "letter": 0, "email": 0}
    assert row.contacts_by_outcome["guided_to_eservice"] == 1
    assert (row.callbacks_completed, row.callbacks_within_sla) == (2, 1)


def test_the_open_data_files_hold_figures_and_no_personal_data(app: Flask) -> None:
    known_data_set()
    rows = statistics.figures_for_months(statistics.month_range(MARCH, statistics.Month(2026, 4)))
    as_csv = statistics.to_csv(rows)
    as_json = statistics.to_json(rows)
    for text in (as_csv, as_json):
        assert "Secret" not in text and "Person" not in text and "+46" not in text and "1980" not in text
    parsed = list(csv.DictReader(io.StringIO(as_csv)))
    assert [(row["month"], row["cases_total"]) for row in parsed] == [("2026-03", "4"), ("2026-04", "1")]
    assert json.loads(as_json)["rows"][0]["digital_share"] == 0.75


def test_an_agent_sees_only_their_departments_services(app: Flask) -> None:
    item = known_data_set()
    other_department = make_service().queue.department_id
    assert statistics.figures_for_months([MARCH], other_department) == []
    assert len(statistics.figures_for_months([MARCH], item.queue.department_id)) == 1
