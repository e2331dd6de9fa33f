"""The eservices public API: catalogue queries and the case lifecycle (creation, timeline, audit)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from core.audit import verify_chain
from core.db import db
from core.models import AuditEntry
from eservices.models import AppendOnlyError, Case, CaseEvent, CaseStatus, Channel
from eservices.service import (
    add_case_event,
    cases_for_resident,
    categories,
    create_case,
    find_category,
    find_service,
    popular_services,
)
from tests.builders import make_category, make_queue, make_resident, make_service, make_staff


def test_categories_come_in_their_set_order(app: Flask) -> None:
    make_category(slug="streets", position=2)
    make_category(slug="schools", position=1)
    make_category(slug="care", position=1)
    assert [category.slug for category in categories()] == ["care", "schools", "streets"]


def test_a_category_and_an_active_service_are_found_by_slug(app: Flask) -> None:
    category = make_category(slug="schools")
    make_service(category=category, slug="preschool-place")
    assert find_category("schools") == category
    found = find_service("preschool-place")
    assert found is not None
    assert found.category == category
    assert find_category("nothing") is None
    assert find_service("nothing") is None


def test_a_withdrawn_service_is_not_found_or_listed(app: Flask) -> None:
    make_service(slug="old-permit", active=False, popular=True)
    assert find_service("old-permit") is None
    assert popular_services() == []


def test_popular_services_lists_only_popular_active_ones_up_to_the_limit(app: Flask) -> None:
    for n in range(4):
        make_service(slug=f"popular-{n}", popular=True)
    make_service(slug="ordinary", popular=False)
    assert [service.slug for service in popular_services(limit=3)] == ["popular-0", "popular-1", "popular-2"]


def test_a_new_case_is_submitted_to_the_services_queue_with_a_first_event_and_an_audit_entry(
    app: Flask,
) -> None:
    queue = make_queue()
    service = make_service(queue=queue)
    resident = make_resident()
    case = create_case(service, resident.id, {"child": "Elsa"}, actor=("resident", str(resident.id)))
    db.commit()

    stored = db.get(Case, case.id)
    assert stored is not None
    assert stored.status == CaseStatus.SUBMITTED
    assert stored.queue_id == queue.id
    assert stored.channel == Channel.SELF_SERVICE
    assert stored.answers == {"child": "Elsa"}
    assert stored.submitted_at is not None
    assert [(event.kind, event.actor_kind, event.data) for event in stored.events] == [
        ("submitted", "resident", {"channel": "self_service"})
    ]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.subject_kind == "case"))
    assert entry is not None
    assert (entry.action, entry.subject_id, entry.resident_id) == ("create", str(case.id), resident.id)
    assert entry.details == {"reference": case.reference}
    assert verify_chain().ok


def test_a_case_filed_by_an_agent_by_phone_records_the_channel_and_who_helped(app: Flask) -> None:
    agent = make_staff()
    resident = make_resident()
    case = create_case(
        make_service(),
        resident.id,
        {},
        channel=Channel.PHONE,
        actor=("staff", str(agent.id)),
        assisted_by_id=agent.id,
        identity_method="verified_by_phone",
    )
    db.commit()
    assert (case.channel, case.assisted_by_id, case.identity_method) == (
        "phone",
        agent.id,
        "verified_by_phone",
    )
    assert case.resident_id == resident.id
    assert cases_for_resident(resident.id) == [case]


def test_a_residents_case_list_holds_only_their_own_cases_newest_first(app: Flask) -> None:
    service = make_service()
    anna, bo = make_resident(), make_resident()
    first = create_case(service, anna.id, {})
    create_case(service, bo.id, {})
    second = create_case(service, anna.id, {})
    db.commit()
    assert [case.id for case in cases_for_resident(anna.id)] == [second.id, first.id]


def test_events_are_appended_to_the_timeline_in_order(app: Flask) -> None:
    case = create_case(make_service(), None, {})
    add_case_event(case, "assigned", actor=("staff", "1"), visible_to_resident=False)
    add_case_event(case, "message", data={"text": "Hej"})
    db.commit()
    db.expire_all()
    stored = db.get(Case, case.id)
    assert stored is not None
    assert [(event.kind, event.visible_to_resident) for event in stored.events] == [
        ("submitted", True),
        ("assigned", False),
        ("message", True),
    ]


def test_a_timeline_event_cannot_be_changed_or_deleted(app: Flask) -> None:
    case = create_case(make_service(), None, {})
    db.commit()
    event = case.events[0]
    event.kind = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()
    db.delete(db.get(CaseEvent, event.id))
    with pytest.raises(AppendOnlyError):
        db.flush()
    db.rollback()


def test_a_timeline_event_cannot_be_changed_or_deleted_in_bulk(app: Flask) -> None:
    create_case(make_service(), None, {})
    db.commit()
    with pytest.raises(AppendOnlyError):
        db.execute(update(CaseEvent).values(kind="rewritten"))
    db.rollback()
    with pytest.raises(AppendOnlyError):
        db.execute(delete(CaseEvent))
    db.rollback()
    assert [event.kind for event in db.scalars(select(CaseEvent))] == ["submitted"]
