"""The contact centre's pages: who may use them, lookup and record openings, contacts, callbacks, statistics."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from contact_center.models import CallbackRequest, ContactMoment
from core.db import db
from core.models import AuditEntry, Role
from eservices import service as eservices
from tests.builders import make_department, make_resident, make_service, make_staff
from tests.contact_center.conftest import agent_with_queue, logged_in, make_agent
from tests.eservices.casework_fixtures import log_in_resident


def test_staff_without_the_agent_role_get_403_and_visitors_are_sent_to_login(app: Flask) -> None:
    officer = make_staff(roles=[Role.CASE_OFFICER], department=make_department())
    assert logged_in(app, officer).get("/agent/").status_code == 403
    response = app.test_client().get("/agent/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_an_agent_finds_a_resident_and_must_give_a_reason_before_the_record_opens(app: Flask) -> None:
    agent = make_agent()
    resident = make_resident(given_name="Greta", family_name="Garbo")
    case = eservices.create_case(make_service(), resident.id, {})
    client = logged_in(app, agent)

    found = client.get("/agent/search?q=garb")
    assert "Greta Garbo" in found.get_data(as_text=True)

    assert (
        client.get(f"/agent/residents/{resident.id}")
        .headers["Location"]
        .endswith(f"/residents/{resident.id}/open")
    )
    refused = client.post(f"/agent/residents/{resident.id}/open", data={"reason": "", "channel": "phone"})
    assert "Give the reason" in refused.get_data(as_text=True)

    client.post(
        f"/agent/residents/{resident.id}/open", data={"reason": "Asked about her case", "channel": "visit"}
    )
    record = client.get(f"/agent/residents/{resident.id}")
    assert record.status_code == 200 and case.reference in record.get_data(as_text=True)
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "read", AuditEntry.subject_kind == "resident")
    ).one()
    assert (entry.actor_id, entry.reason, entry.details["channel"]) == (
        str(agent.id),
        "Asked about her case",
        "visit",
    )


def test_an_unknown_resident_is_404(app: Flask) -> None:
    assert logged_in(app, make_agent()).get("/agent/residents/999999/open").status_code == 404


def test_an_agent_logs_a_contact_with_an_anonymous_caller(app: Flask) -> None:
    client = logged_in(app, make_agent())
    response = client.post(
        "/agent/contacts/new",
        data={"channel": "phone", "service": "", "topic": "Opening hours", "outcome": "answered_directly"},
    )
    assert response.status_code == 302
    moment = db.scalars(select(ContactMoment)).one()
    assert (moment.resident_id, moment.topic, moment.outcome) == (None, "Opening hours", "answered_directly")


def test_another_departments_queue_and_callback_are_403_and_unknown_ones_404(app: Flask) -> None:
    _owner, queue = agent_with_queue()
    client = logged_in(app, make_agent(make_department()))
    resident_client = app.test_client()
    resident_client.post(f"/callback/?service={make_service(queue=queue).slug}", data=_callback_form())
    request = db.scalars(select(CallbackRequest)).one()
    assert client.get(f"/agent/queues/{queue.id}").status_code == 403
    assert client.get(f"/agent/callbacks/{request.id}").status_code == 403
    assert (
        client.post(f"/agent/callbacks/{request.id}/complete", data={"outcome": "resolved"}).status_code
        == 403
    )
    assert client.get("/agent/queues/999999").status_code == 404
    assert client.get("/agent/callbacks/999999").status_code == 404


def _callback_form(**overrides: str) -> dict[str, str]:
    return {
        "phone": "070-123 45 67",
        "preferred_time": "morning",
        "language": "ar",
        "name": "Caller",
        **overrides,
    }


def test_a_visitor_asks_to_be_called_back_from_a_service_page_and_an_agent_completes_it(app: Flask) -> None:
    agent, queue = agent_with_queue()
    item = make_service(queue=queue)
    page = app.test_client().get(f"/services/{item.slug}")
    assert f"/callback/?service={item.slug}" in page.get_data(as_text=True)

    invalid = app.test_client().post(f"/callback/?service={item.slug}", data=_callback_form(phone="123"))
    assert "error-summary" in invalid.get_data(as_text=True)
    assert db.scalars(select(CallbackRequest)).all() == []
    sent = app.test_client().post(f"/callback/?service={item.slug}", data=_callback_form())
    assert sent.status_code == 302 and "/callback/thanks" in sent.headers["Location"]

    request = db.scalars(select(CallbackRequest)).one()
    assert (request.queue_id, request.phone, request.language) == (queue.id, "+46701234567", "ar")
    client = logged_in(app, agent)
    assert "Caller" in client.get(f"/agent/queues/{queue.id}").get_data(as_text=True)
    client.post(f"/agent/callbacks/{request.id}/claim")
    done = client.post(
        f"/agent/callbacks/{request.id}/complete", data={"outcome": "resolved", "note": "Helped"}
    )
    assert done.status_code == 302
    db.refresh(request)
    assert request.status == "done" and request.claimed_by_id == agent.id


def test_a_logged_in_resident_gets_the_request_linked_to_them(app: Flask) -> None:
    _agent, queue = agent_with_queue()
    item = make_service(queue=queue)
    resident = make_resident()
    client = app.test_client()
    log_in_resident(app, client, resident)
    client.post(f"/callback/?service={item.slug}", data=_callback_form(name=""))
    request = db.scalars(select(CallbackRequest)).one()
    assert request.resident_id == resident.id and request.created_by_kind == "resident"


def test_an_unknown_service_on_the_callback_form_is_404(app: Flask) -> None:
    assert app.test_client().get("/callback/?service=no-such-service").status_code == 404


def test_statistics_are_for_admins_and_agents_but_not_case_officers(app: Flask) -> None:
    officer = make_staff(roles=[Role.CASE_OFFICER])
    form_admin = make_staff(roles=[Role.FORM_ADMIN])
    assert logged_in(app, officer).get("/statistics/channels/").status_code == 403
    admin_client = logged_in(app, form_admin)
    page = admin_client.get("/statistics/channels/?month=2026-03")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    download = admin_client.get("/statistics/channels/download.csv?from=2026-01&to=2026-03")
    assert download.mimetype == "text/csv" and download.get_data(as_text=True).startswith("month,service")
    assert (
        logged_in(app, make_agent()).get("/statistics/channels/download.json").mimetype == "application/json"
    )
