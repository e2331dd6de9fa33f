"""The contact centre's service: lookup, record openings, contacts, callbacks, guidance, all audit-logged."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from contact_center import service
from contact_center.models import CallbackStatus, ContactOutcome
from contact_center.notifications import CALLBACK_DONE_JOB, ESERVICE_LINK_JOB
from core import clock
from core.db import db
from core.models import AuditEntry, OutboxMessage, Role
from eservices import service as eservices
from eservices.models import Channel
from tests.builders import make_department, make_resident, make_service, make_staff
from tests.contact_center.conftest import agent_with_queue, make_agent


def test_personnummer_is_found_with_or_without_century_and_dash(app: Flask) -> None:
    resident = make_resident(personnummer="198512308480")
    for typed in ("198512308480", "19851230-8480", "851230-8480", "8512308480", " 851230 8480 "):
        assert service.search_residents(typed).residents == [resident], typed
    assert service.search_residents("851230-8480").kind == service.LookupKind.PERSONNUMMER


def test_name_prefix_is_case_insensitive_and_alphabetical(app: Flask) -> None:
    berg = make_resident(given_name="Anna", family_name="Bergström")
    bergman = make_resident(given_name="Olle", family_name="Bergman")
    make_resident(given_name="Anna", family_name="Lind")
    assert service.find_by_name("berg") == [bergman, berg]
    assert service.find_by_name("ANNA BER") == [berg]
    assert service.find_by_name("%") == []


def test_phone_email_and_case_reference_find_the_resident(app: Flask) -> None:
    resident = make_resident(phone="+46701234567", email="Kim@Example.se")
    case = eservices.create_case(make_service(), resident.id, {})
    assert service.search_residents("070-123 45 67").residents == [resident]
    assert service.search_residents("kim@example.SE").residents == [resident]
    found = service.search_residents(case.reference)
    assert (found.kind, found.case, found.residents) == (service.LookupKind.CASE_REFERENCE, case, [resident])


def test_opening_a_record_needs_a_reason_and_is_audit_logged_with_agent_reason_and_channel(
    app: Flask,
) -> None:
    agent = make_agent()
    resident = make_resident()
    with pytest.raises(service.InvalidInput):
        service.open_resident_record(agent, resident.id, reason="  ", channel="phone")
    record = service.open_resident_record(agent, resident.id, reason="Asked about invoice", channel="phone")
    db.commit()
    assert record.resident == resident
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "read")).one()
    assert (entry.actor_id, entry.resident_id, entry.reason, entry.details["channel"]) == (
        str(agent.id),
        resident.id,
        "Asked about invoice",
        "phone",
    )


def test_staff_without_the_agent_role_cannot_open_a_record(app: Flask) -> None:
    officer = make_staff(roles=[Role.CASE_OFFICER])
    with pytest.raises(service.AccessDenied) as denied:
        service.open_resident_record(officer, make_resident().id, reason="curious", channel="phone")
    assert denied.value.status == 403


def test_contact_history_lists_every_channel_newest_first(app: Flask) -> None:
    agent = make_agent()
    resident = make_resident()
    item = make_service()
    case = eservices.create_case(item, resident.id, {})
    clock.advance(dt.timedelta(hours=1))
    service.log_contact(
        agent,
        channel="visit",
        outcome=ContactOutcome.ANSWERED.value,
        started_at=clock.now(),
        resident_id=resident.id,
        service=item,
        case_ids=[case.id],
    )
    clock.advance(dt.timedelta(hours=1))
    service.request_callback(phone="0701234567", language="sv", service=item, resident=resident)
    history = service.contact_history(resident.id)
    assert [entry.kind for entry in history] == ["callback", "contact", "case"]
    assert history[1].case_references == (case.reference,)
    assert [entry.channel for entry in history] == ["callback", "visit", Channel.SELF_SERVICE.value]


def test_an_anonymous_contact_is_logged_without_a_resident(app: Flask) -> None:
    moment = service.log_contact(
        make_agent(),
        channel="phone",
        outcome=ContactOutcome.FORWARDED.value,
        started_at=clock.now() - dt.timedelta(minutes=4),
        topic="Opening hours",
    )
    assert moment.resident_id is None and moment.topic == "Opening hours"


def test_a_contact_cannot_link_another_residents_case(app: Flask) -> None:
    resident, other = make_resident(), make_resident()
    foreign = eservices.create_case(make_service(), other.id, {})
    with pytest.raises(service.InvalidInput):
        service.log_contact(
            make_agent(),
            channel="phone",
            outcome=ContactOutcome.ANSWERED.value,
            started_at=clock.now(),
            resident_id=resident.id,
            topic="x",
            case_ids=[foreign.id],
        )


def test_completing_a_callback_logs_a_phone_contact_and_queues_the_notice(app: Flask) -> None:
    agent, queue = agent_with_queue()
    resident = make_resident(email="r@example.se")
    callback = service.request_callback(
        phone="+46701234567",
        language="sv",
        service=make_service(queue=queue),
        resident=resident,
        email="r@example.se",
    )
    service.claim_callback(agent, callback)
    moment = service.complete_callback(agent, callback, outcome="resolved", note="Explained the rules")
    assert callback.status == CallbackStatus.DONE.value
    assert (moment.channel, moment.outcome, moment.callback_request_id) == (
        "phone",
        "answered_directly",
        callback.id,
    )
    jobs = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == CALLBACK_DONE_JOB)).all()
    assert sorted(job.payload["channel"] for job in jobs) == ["email", "sms"]
    assert all("phone" not in job.payload for job in jobs)


def test_a_claimed_callback_cannot_be_completed_by_another_agent(app: Flask) -> None:
    agent, queue = agent_with_queue()
    colleague = make_agent(agent.department)
    callback = service.request_callback(phone="0701234567", language="sv", service=make_service(queue=queue))
    service.claim_callback(agent, callback)
    with pytest.raises(service.InvalidInput):
        service.complete_callback(colleague, callback, outcome="resolved")


def test_an_agent_cannot_reach_another_departments_queue_or_callback(app: Flask) -> None:
    _agent, queue = agent_with_queue()
    outsider = make_agent(make_department())
    callback = service.request_callback(phone="0701234567", language="sv", service=make_service(queue=queue))
    with pytest.raises(service.AccessDenied) as queue_denied:
        service.queue_for_agent(outsider, queue.id)
    with pytest.raises(service.AccessDenied) as callback_denied:
        service.callback_for_agent(outsider, callback.id)
    assert queue_denied.value.status == callback_denied.value.status == 403


def test_sending_the_eservice_link_queues_it_and_records_the_contact_as_guided(app: Flask) -> None:
    agent = make_agent()
    item = make_service()
    item.form_id = _any_form_id()
    with app.test_request_context():
        moment = service.send_eservice_link(
            agent,
            item,
            via="sms",
            address="070-123 45 67",
            language="sv",
            channel="phone",
            started_at=clock.now(),
        )
    assert moment.outcome == ContactOutcome.GUIDED_TO_ESERVICE.value
    job = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == ESERVICE_LINK_JOB)).one()
    assert (job.payload["channel"], job.payload["address"]) == ("sms", "+46701234567")
    assert job.payload["link"] == f"http://localhost:5000/services/{item.slug}/start"


def test_a_service_without_a_form_offers_no_link(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(service.InvalidInput):
        service.send_eservice_link(
            make_agent(),
            make_service(),
            via="sms",
            address="0701234567",
            language="sv",
            channel="phone",
            started_at=clock.now(),
        )


def _any_form_id() -> int:
    from forms.models import Form

    form = Form(key="contact-centre-test-form", title={"sv": "Formulär"})
    db.add(form)
    db.flush()
    return form.id
