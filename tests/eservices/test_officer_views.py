"""The case officer's workspace over HTTP: queues, search, handling a case, and nothing of other departments."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import clock
from core.db import db
from core.models import Role
from eservices import casework
from eservices.casework import Upload
from eservices.casework_models import DecisionTemplate
from tests.builders import make_case, make_resident, make_staff
from tests.eservices.casework_fixtures import (  # noqa: F401 - fixtures
    PDF_BYTES,
    audit_entries,
    casework_seal_settings,
    log_in_staff,
    make_department_with_officer,
    sealing,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def unit(app: Flask):  # type: ignore[no-untyped-def]
    return make_department_with_officer("Miljö")


@pytest.fixture
def officer_client(client: FlaskClient, unit) -> FlaskClient:  # type: ignore[no-untyped-def]
    log_in_staff(client, unit.officer)
    return client


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_an_officer_sees_only_the_queues_of_their_own_department(officer_client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    other = make_department_with_officer("Bygg")
    response = officer_client.get("/officer/", headers=EN)
    assert response.status_code == 200
    assert unit.queue.name in page(response) and other.queue.name not in page(response)
    assert officer_client.get(f"/officer/queues/{other.queue.id}", headers=EN).status_code == 403
    assert officer_client.get("/officer/queues/999999", headers=EN).status_code == 404
    denied = audit_entries("denied", "queue")
    assert [entry.subject_id for entry in denied] == [str(other.queue.id), "999999"]


def test_staff_without_the_case_officer_role_are_turned_away(client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    agent = make_staff(roles=[Role.AGENT], department=unit.department)
    log_in_staff(client, agent)
    assert client.get("/officer/").status_code == 403
    assert client.get(f"/officer/cases/{make_case(unit.service).reference}").status_code == 403


def test_residents_and_visitors_are_sent_to_log_in(client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/officer/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_queue_tabs_list_unassigned_mine_and_all_cases(officer_client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    mine, waiting = make_case(unit.service), make_case(unit.service)
    casework.assign_case(mine, unit.officer, unit.officer.id)
    unassigned = page(officer_client.get(f"/officer/queues/{unit.queue.id}?tab=unassigned", headers=EN))
    assert waiting.reference in unassigned and mine.reference not in unassigned
    assert mine.reference in page(officer_client.get(f"/officer/queues/{unit.queue.id}?tab=mine", headers=EN))
    everything = page(officer_client.get(f"/officer/queues/{unit.queue.id}?tab=all", headers=EN))
    assert mine.reference in everything and waiting.reference in everything


def test_search_finds_cases_by_personnummer_in_the_department_only(officer_client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    resident = make_resident(given_name="Nils", family_name="Holgersson")
    ours = make_case(unit.service, resident)
    theirs = make_case(make_department_with_officer("Bygg").service, resident)
    result = page(
        officer_client.get("/officer/search", query_string={"q": resident.personnummer}, headers=EN)
    )
    assert ours.reference in result and theirs.reference not in result
    assert ours.reference in page(officer_client.get("/officer/search?q=holgersson", headers=EN))


def test_reading_a_case_is_audit_logged_with_the_reason_case_handling(
    officer_client: FlaskClient, unit
) -> None:  # type: ignore[no-untyped-def]
    case = make_case(unit.service, answers={"street": "Storgatan 1"})
    response = officer_client.get(f"/officer/cases/{case.reference}", headers=EN)
    assert response.status_code == 200 and "Storgatan 1" in page(response)
    [read] = [entry for entry in audit_entries("read", "case") if entry.subject_id == str(case.id)]
    assert read.reason == "case handling" and read.actor_id == str(unit.officer.id)
    assert read.resident_id == case.resident_id


def test_another_departments_case_and_its_files_are_forbidden_and_logged(
    officer_client: FlaskClient, unit
) -> None:  # type: ignore[no-untyped-def]
    other = make_department_with_officer("Bygg")
    foreign = make_case(other.service)
    message = casework.send_message_to_resident(foreign, other.officer, "Hej", [Upload("a.pdf", PDF_BYTES)])
    attachment_id = message.attachments[0].id
    decision = casework.decide_case(foreign, other.officer, outcome="approved", reasoning="Ja.")
    base = f"/officer/cases/{foreign.reference}"
    for method, path in [
        ("get", base),
        ("get", f"{base}/attachments/{attachment_id}"),
        ("get", f"{base}/documents/{decision.document_id}"),
        ("get", f"{base}/decision"),
        ("get", f"{base}/completion"),
        ("post", f"{base}/notes"),
        ("post", f"{base}/messages"),
        ("post", f"{base}/status"),
        ("post", f"{base}/assign"),
    ]:
        assert getattr(officer_client, method)(path).status_code == 403, path
    # Ids of another case reached through one of our own cases are simply not there.
    ours = make_case(unit.service)
    assert (
        officer_client.get(f"/officer/cases/{ours.reference}/attachments/{attachment_id}").status_code == 404
    )
    assert (
        officer_client.get(f"/officer/cases/{ours.reference}/documents/{decision.document_id}").status_code
        == 404
    )
    assert officer_client.get("/officer/cases/2020-999999").status_code == 404
    denied = audit_entries("denied")
    assert (
        len(
            [entry for entry in denied if (entry.subject_kind, entry.subject_id) == ("case", str(foreign.id))]
        )
        == 9
    )
    assert {entry.subject_kind for entry in denied} >= {"case", "case_attachment", "document"}
    assert all(entry.actor_id == str(unit.officer.id) for entry in denied)


def test_an_officer_assigns_works_and_messages_a_case(officer_client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    case = make_case(unit.service)
    base = f"/officer/cases/{case.reference}"
    assert officer_client.post(f"{base}/assign", data={"assign_to_me": "1"}).status_code == 302
    assert officer_client.post(f"{base}/status", data={"status": "in_progress"}).status_code == 302
    assert (
        officer_client.post(f"{base}/notes", data={"note-body": "Internt: kolla bygglovet."}).status_code
        == 302
    )
    response = officer_client.post(
        f"{base}/messages",
        data={
            "message-body": "Vi har börjat handlägga ditt ärende.",
            "message-files": [(io.BytesIO(PDF_BYTES), "info.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.refresh(case)
    assert case.assignee_id == unit.officer.id and case.status == "in_progress"
    assert case.first_action_at is not None
    shown = page(officer_client.get(base, headers=EN))
    assert "Internt: kolla bygglovet." in shown and "info.pdf" in shown
    refused = officer_client.post(f"{base}/status", data={"status": "closed"}, headers=EN)
    assert refused.status_code == 302
    db.refresh(case)
    assert case.status == "in_progress"


def test_an_empty_message_is_refused_with_an_error_summary(officer_client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    case = make_case(unit.service)
    response = officer_client.post(
        f"/officer/cases/{case.reference}/messages", data={"message-body": " "}, headers=EN
    )
    assert response.status_code == 400 and "There is a problem" in page(response)


def test_an_officer_asks_for_a_completion_with_a_due_date(officer_client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    case = make_case(unit.service, answers={"street": "Storgatn 1"})
    form = officer_client.get(f"/officer/cases/{case.reference}/completion", headers=EN)
    assert form.status_code == 200 and 'value="street"' in page(form)
    due = (clock.now().date() + dt.timedelta(days=10)).isoformat()
    response = officer_client.post(
        f"/officer/cases/{case.reference}/completion",
        data={"description": "Kontrollera adressen.", "fields": ["street"], "due_date": due},
    )
    assert response.status_code == 302
    db.refresh(case)
    assert case.status == "awaiting_completion"
    [completion] = casework.completion_requests(case)
    assert completion.field_keys == ["street"] and completion.due_date.isoformat() == due
    past = officer_client.post(
        f"/officer/cases/{make_case(unit.service, answers={'a': 'b'}).reference}/completion",
        data={"description": "x", "fields": ["a"], "due_date": "2000-01-01"},
        headers=EN,
    )
    assert past.status_code == 400 and "The due date cannot be in the past." in page(past)


@pytest.mark.usefixtures("sealing")
def test_an_officer_decides_from_an_edited_template(officer_client: FlaskClient, unit) -> None:  # type: ignore[no-untyped-def]
    template = casework.save_decision_template(
        unit.officer,
        title="Beviljas",
        body="Ansökan beviljas enligt [paragraf].",
        service=unit.service,
        outcome="approved",
    )
    case = make_case(unit.service)
    prefilled = page(officer_client.get(f"/officer/cases/{case.reference}/decision?template={template.id}"))
    assert "Ansökan beviljas enligt [paragraf]." in prefilled
    response = officer_client.post(
        f"/officer/cases/{case.reference}/decision",
        data={
            "outcome": "approved",
            "reasoning": "Ansökan beviljas enligt 4 kap. 2 §.",
            "template_id": str(template.id),
        },
    )
    assert response.status_code == 302
    db.refresh(case)
    assert case.status == "decided" and case.decided_at is not None
    [decision] = casework.case_decisions(case)
    assert decision.reasoning == "Ansökan beviljas enligt 4 kap. 2 §." and decision.template_id == template.id


def test_decision_templates_are_edited_for_the_departments_services_only(
    officer_client: FlaskClient, unit
) -> None:  # type: ignore[no-untyped-def]
    response = officer_client.post(
        "/officer/decision-templates/new",
        data={
            "title": "Avslag",
            "service": str(unit.service.id),
            "outcome": "rejected",
            "body": "Avslås.",
            "active": "y",
        },
    )
    assert response.status_code == 302
    [template] = casework.department_decision_templates(unit.officer)
    assert template.title == "Avslag" and template.service_id == unit.service.id
    assert "Avslag" in page(officer_client.get("/officer/decision-templates"))
    other = make_department_with_officer("Bygg")
    foreign = DecisionTemplate(
        title="Deras", body="x", service_id=other.service.id, outcome=None, active=True
    )
    db.add(foreign)
    db.flush()
    assert officer_client.get(f"/officer/decision-templates/{foreign.id}").status_code == 403
    sneaky = officer_client.post(
        "/officer/decision-templates/new", data={"title": "X", "service": str(other.service.id), "body": "y"}
    )
    assert sneaky.status_code == 400
