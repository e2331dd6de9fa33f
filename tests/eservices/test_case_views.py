"""The resident's case pages: their own case with timeline, messages, completions and documents, and nobody else's."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import clock, outbox
from core.db import db
from core.models import Role
from eservices import casework
from eservices.casework import Upload
from eservices.service import create_case
from tests.builders import follow_up_submissions, make_case, make_resident, make_staff
from tests.eservices.casework_fixtures import (  # noqa: F401 - fixtures
    PDF_BYTES,
    PNG_BYTES,
    audit_entries,
    casework_seal_settings,
    log_in_resident,
    log_in_staff,
    make_department_with_officer,
    sealing,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def unit(app: Flask):  # type: ignore[no-untyped-def]
    return make_department_with_officer("Socialtjänst")


@pytest.fixture
def resident(app: Flask):  # type: ignore[no-untyped-def]
    return make_resident(given_name="Åsa", family_name="Öberg")


@pytest.fixture
def resident_client(app: Flask, client: FlaskClient, resident) -> FlaskClient:  # type: ignore[no-untyped-def]
    log_in_resident(app, client, resident)
    return client


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_the_resident_sees_their_case_with_its_department_timeline_and_who_assisted(
    resident_client: FlaskClient,
    unit,
    resident,  # type: ignore[no-untyped-def]
) -> None:
    agent = make_staff(roles=[Role.AGENT], full_name="Agnes Agent")
    case = make_case(unit.service, resident, assisted_by_id=agent.id)
    casework.add_note(case, unit.officer, "Hemlig anteckning om sökanden.")
    casework.assign_case(case, unit.officer, unit.officer.id)
    casework.send_message_to_resident(case, unit.officer, "Hej Åsa, vi har fått din ansökan.")
    response = resident_client.get(f"/my-pages/cases/{case.reference}", headers=EN)
    shown = page(response)
    assert response.status_code == 200
    assert case.reference in shown and "Socialtjänst" in shown and "Agnes Agent" in shown
    assert "The case was submitted." in shown and "Message from the case officer." in shown
    assert "Hej Åsa, vi har fått din ansökan." in shown
    assert "Hemlig anteckning" not in shown and "Internal note" not in shown and "Assigned to" not in shown


def test_another_residents_case_and_its_files_are_not_found_and_logged(
    resident_client: FlaskClient,
    unit,
    resident,  # type: ignore[no-untyped-def]
) -> None:
    neighbour_case = make_case(unit.service, make_resident())
    message = casework.send_message_to_resident(
        neighbour_case, unit.officer, "Hej", [Upload("a.pdf", PDF_BYTES)]
    )
    completion = casework.request_completion(
        neighbour_case,
        unit.officer,
        description="Intyg",
        field_keys=[],
        wants_attachments=True,
        due_date=clock.now().date(),
    )
    decision_case = make_case(unit.service, make_resident())
    decision = casework.decide_case(decision_case, unit.officer, outcome="rejected", reasoning="Nej.")
    base = f"/my-pages/cases/{neighbour_case.reference}"
    for method, path in [
        ("get", base),
        ("get", f"{base}/attachments/{message.attachments[0].id}"),
        ("get", f"{base}/completions/{completion.id}"),
        ("post", f"{base}/completions/{completion.id}"),
        ("post", f"{base}/messages"),
        ("get", f"/my-pages/cases/{decision_case.reference}/documents/{decision.document_id}"),
        ("get", "/my-pages/cases/2020-999999"),
        ("get", "/my-pages/cases/not-a-reference"),
    ]:
        assert getattr(resident_client, method)(path).status_code == 404, path
    # The neighbour's ids through the resident's own case are not there either.
    own = make_case(unit.service, resident)
    own_base = f"/my-pages/cases/{own.reference}"
    assert resident_client.get(f"{own_base}/attachments/{message.attachments[0].id}").status_code == 404
    assert resident_client.get(f"{own_base}/completions/{completion.id}").status_code == 404
    assert resident_client.get(f"{own_base}/documents/{decision.document_id}").status_code == 404
    denied = audit_entries("denied")
    assert len(denied) == 11
    assert all(entry.actor_kind == "resident" and entry.actor_id == str(resident.id) for entry in denied)
    assert {entry.subject_kind for entry in denied} == {
        "case",
        "case_attachment",
        "completion_request",
        "document",
    }


def test_only_a_logged_in_resident_reaches_case_pages(client: FlaskClient, unit, resident) -> None:  # type: ignore[no-untyped-def]
    case = make_case(unit.service, resident)
    response = client.get(f"/my-pages/cases/{case.reference}")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    log_in_staff(client, unit.officer)
    assert client.get(f"/my-pages/cases/{case.reference}").status_code == 302


def test_the_resident_writes_to_the_officer_with_an_attachment_and_downloads_it_again(
    resident_client: FlaskClient,
    unit,
    resident,  # type: ignore[no-untyped-def]
) -> None:
    case = make_case(unit.service, resident)
    response = resident_client.post(
        f"/my-pages/cases/{case.reference}/messages",
        data={"body": "Här är läkarintyget.", "files": [(io.BytesIO(PNG_BYTES), "intyg.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [message] = casework.case_messages(case)
    assert message.body == "Här är läkarintyget." and message.direction == "from_resident"
    attachment = message.attachments[0]
    download = resident_client.get(f"/my-pages/cases/{case.reference}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PNG_BYTES
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "intyg.png" in page(resident_client.get(f"/my-pages/cases/{case.reference}"))


def test_a_file_that_is_not_a_pdf_or_image_is_refused(resident_client: FlaskClient, unit, resident) -> None:  # type: ignore[no-untyped-def]
    case = make_case(unit.service, resident)
    response = resident_client.post(
        f"/my-pages/cases/{case.reference}/messages",
        data={"body": "Se bilaga", "files": [(io.BytesIO(b"<script>alert(1)</script>"), "intyg.pdf")]},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 400 and "must be a PDF, PNG or JPEG file" in page(response)
    assert casework.case_messages(case) == []


def test_the_resident_completes_the_listed_answers_and_the_earlier_value_is_kept(
    resident_client: FlaskClient,
    unit,
    resident,  # type: ignore[no-untyped-def]
) -> None:
    case = make_case(unit.service, resident, answers={"street": "Storgatn 1", "phone": "070"})
    completion = casework.request_completion(
        case,
        unit.officer,
        description="Rätta gatuadressen och skicka intyget.",
        field_keys=["street"],
        wants_attachments=True,
        due_date=clock.now().date() + dt.timedelta(days=7),
    )
    case_page = page(resident_client.get(f"/my-pages/cases/{case.reference}", headers=EN))
    assert "Rätta gatuadressen och skicka intyget." in case_page and "Complete your case" in case_page
    form = page(
        resident_client.get(f"/my-pages/cases/{case.reference}/completions/{completion.id}", headers=EN)
    )
    assert 'value="Storgatn 1"' in form and "answer-phone" not in form
    response = resident_client.post(
        f"/my-pages/cases/{case.reference}/completions/{completion.id}",
        data={
            "answer-street": "Storgatan 1",
            "answer-phone": "hacked",
            "files": [(io.BytesIO(PDF_BYTES), "intyg.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.refresh(case)
    assert case.answers == {"street": "Storgatan 1", "phone": "070"} and case.status == "in_progress"
    timeline = page(resident_client.get(f"/my-pages/cases/{case.reference}", headers=EN))
    assert "“Storgatn 1” to “Storgatan 1”" in timeline and "intyg.pdf" in timeline
    again = resident_client.post(
        f"/my-pages/cases/{case.reference}/completions/{completion.id}",
        data={"answer-street": "Annan"},
        headers=EN,
    )
    assert again.status_code == 200 and "You have already sent this completion." in page(again)


def test_a_case_just_submitted_says_its_receipt_is_being_prepared_until_the_worker_has_made_it(
    resident_client: FlaskClient,
    unit,
    resident,  # type: ignore[no-untyped-def]
) -> None:
    case = create_case(unit.service, resident.id, {})
    db.commit()

    shown = page(resident_client.get(f"/my-pages/cases/{case.reference}", headers=EN))
    assert "Receipt (PDF) – being prepared" in shown and "There are no documents yet." not in shown

    follow_up_submissions()  # the worker fixes the receipt; sealing it comes next
    db.commit()
    shown = page(resident_client.get(f"/my-pages/cases/{case.reference}", headers=EN))
    assert "data-receipt-coming" not in shown
    assert shown.count("Receipt (PDF) – being prepared") == 1 and "Read the receipt as text" in shown


@pytest.mark.usefixtures("sealing")
def test_the_resident_reads_the_decision_and_downloads_the_sealed_pdf_once_the_worker_has_made_it(
    resident_client: FlaskClient,
    unit,
    resident,  # type: ignore[no-untyped-def]
) -> None:
    case = make_case(unit.service, resident)
    decision = casework.decide_case(case, unit.officer, outcome="approved", reasoning="Du får bygga garaget.")
    path = f"/my-pages/cases/{case.reference}/documents/{decision.document_id}"
    shown = page(resident_client.get(f"/my-pages/cases/{case.reference}", headers=EN))
    assert "Approved" in shown and "Du får bygga garaget." in shown and "being prepared" in shown
    assert resident_client.get(path).status_code == 302  # not sealed yet: back to the case page with a note
    for _attempt in range(10):
        if not outbox.process_next("test-worker", outbox.registry):
            break
    download = resident_client.get(path)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert (
        download.data.startswith(b"%PDF")
        and f"decision-{case.reference}.pdf" in download.headers["Content-Disposition"]
    )


def test_my_pages_links_each_case_to_its_case_page(
    resident_client: FlaskClient,
    unit,
    resident,  # type: ignore[no-untyped-def]
) -> None:
    first, second = make_case(unit.service, resident), make_case(unit.service, resident)

    my_pages = page(resident_client.get("/my-pages/", headers=EN))

    for case in (first, second):
        assert f'href="/my-pages/cases/{case.reference}"' in my_pages
        assert resident_client.get(f"/my-pages/cases/{case.reference}").status_code == 200
