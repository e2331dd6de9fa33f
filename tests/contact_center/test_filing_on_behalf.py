"""Filing on behalf: the agent walks the resident's own filing flow; the case is the resident's, assisted."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from contact_center.models import ContactMoment
from core.db import db
from core.models import AuditEntry, Resident, Role, StaffUser
from eservices import casework, filing
from eservices.models import Case
from tests.builders import make_api_token, make_case, make_department, make_queue, make_resident, make_staff
from tests.contact_center.conftest import logged_in, make_agent
from tests.eservices.casework_fixtures import audit_entries, log_in_resident, log_in_staff
from tests.eservices.filing_helpers import EXE, PDF, PNG, make_eservice
from tests.eservices.signing_helpers import signed_form


def open_record(client, resident_id: int) -> None:  # type: ignore[no-untyped-def]
    client.post(f"/agent/residents/{resident_id}/open", data={"reason": "Wants to apply", "channel": "phone"})


def test_an_agent_files_for_a_resident_who_showed_id_and_the_case_is_the_residents(app: Flask) -> None:
    agent = make_agent()
    resident = make_resident()
    item = make_eservice()
    client = logged_in(app, agent)
    open_record(client, resident.id)

    started = client.post(f"/agent/residents/{resident.id}/file", data={"service": item.slug})
    assert started.status_code == 303 and "/pages/about" in started.headers["Location"]
    [draft] = filing.drafts_for_resident(resident.id)
    assert (draft.actor_kind, draft.channel) == ("staff", "phone")

    page = client.get(started.headers["Location"])
    assert page.status_code == 200
    saved = client.post(
        started.headers["Location"], data={"nickname": "Kim", "has_pet": "no", "action": "continue"}
    )
    assert saved.status_code == 303
    client.post(saved.headers["Location"], data={"story": "", "action": "continue"})
    check = client.get(f"/agent/residents/{resident.id}/drafts/{draft.id}/check")
    assert "Kim" in check.get_data(as_text=True)

    # Without a BankID signature from the phone, "bankid_phone" is refused.
    client.post(
        f"/agent/residents/{resident.id}/drafts/{draft.id}/submit", data={"identity_method": "bankid_phone"}
    )
    assert db.scalars(select(Case)).all() == []

    done = client.post(
        f"/agent/residents/{resident.id}/drafts/{draft.id}/submit", data={"identity_method": "id_document"}
    )
    assert done.status_code == 302
    case = db.scalars(select(Case)).one()
    assert (case.resident_id, case.channel, case.identity_method, case.assisted_by_id) == (
        resident.id,
        "phone",
        "id_document",
        agent.id,
    )
    moment = db.scalars(select(ContactMoment)).one()
    assert (moment.outcome, moment.cases) == ("eservice_filed", [case])
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "submit_on_behalf")).one()
    assert (entry.actor_id, entry.reason, entry.details["channel"]) == (
        str(agent.id),
        "Wants to apply",
        "phone",
    )


def test_an_agent_cannot_open_another_residents_draft_through_a_record(app: Flask) -> None:
    agent = make_agent()
    resident, other = make_resident(), make_resident()
    item = make_eservice()
    client = logged_in(app, agent)
    open_record(client, other.id)
    client.post(f"/agent/residents/{other.id}/file", data={"service": item.slug})
    [draft] = filing.drafts_for_resident(other.id)
    open_record(client, resident.id)
    assert client.get(f"/agent/residents/{resident.id}/drafts/{draft.id}/check").status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# A form that must be signed: BankID on the resident's phone, or signed on paper with the scanned page attached


@dataclass
class PaperCase:
    agent: StaffUser
    officer: StaffUser
    resident: Resident
    client: FlaskClient
    draft_id: int
    secret: str


def answered_signature_draft(app: Flask) -> PaperCase:
    """An agent with the record of a resident open, on the check page of a form that requires a signature."""
    department = make_department(code="environment", name="Miljö")
    queue = make_queue(department)
    officer = make_staff(roles=[Role.CASE_OFFICER], department=department)
    item = make_eservice(signed_form(), slug="permit", queue=queue)
    _token, secret = make_api_token([department])
    agent = make_agent(full_name="Amina Berg")
    resident = make_resident(given_name="Astrid", family_name="Lindqvist")
    client = logged_in(app, agent)
    open_record(client, resident.id)
    started = client.post(f"/agent/residents/{resident.id}/file", data={"service": item.slug})
    saved = client.post(started.headers["Location"], data={"nickname": "Kim", "action": "continue"})
    assert saved.headers["Location"].endswith("/check")
    [draft] = filing.drafts_for_resident(resident.id)
    return PaperCase(agent, officer, resident, client, draft.id, secret)


def check_url(setup: PaperCase) -> str:
    return f"/agent/residents/{setup.resident.id}/drafts/{setup.draft_id}/check"


def paper_form(data: bytes, filename: str, identity_method: str = "id_document") -> dict[str, Any]:
    return {"identity_method": identity_method, "signature_page": (io.BytesIO(data), filename)}


def test_the_check_page_of_a_form_that_must_be_signed_offers_bankid_or_paper_and_never_no_signature(
    app: Flask,
) -> None:
    setup = answered_signature_draft(app)
    page = setup.client.get(check_url(setup)).get_data(as_text=True)
    assert "It cannot be sent without a signature." in page
    assert "Ask the resident to sign with BankID on their phone" in page
    assert "Signed on paper" in page and 'type="file"' in page
    assert "Or send it without a digital signature" not in page

    # Forging the old "without signature" submit does not file it either.
    refused = setup.client.post(
        f"/agent/residents/{setup.resident.id}/drafts/{setup.draft_id}/submit",
        data={"identity_method": "id_document"},
        follow_redirects=True,
    )
    assert "This e-service must be signed" in refused.get_data(as_text=True)
    assert db.scalars(select(Case)).all() == []


def test_a_disguised_scan_is_refused_on_the_check_page_with_the_answers_still_there(app: Flask) -> None:
    setup = answered_signature_draft(app)
    disguised = setup.client.post(check_url(setup), data=paper_form(EXE, "signature.pdf"))
    assert disguised.status_code == 400
    page = disguised.get_data(as_text=True)
    assert "There is a problem" in page
    assert "The file signature.pdf must be a PDF, PNG or JPEG file." in page
    assert "Kim" in page  # the answers are still on the draft and shown for checking

    missing = setup.client.post(check_url(setup), data={"identity_method": "id_document"})
    assert missing.status_code == 400
    assert "Attach the scanned page the resident signed on paper." in missing.get_data(as_text=True)
    assert db.scalars(select(Case)).all() == []
    assert filing.drafts_for_resident(setup.resident.id)[0].answers == {"nickname": "Kim"}


def test_signed_on_paper_shows_to_the_agent_the_officer_the_resident_and_the_case_system(app: Flask) -> None:
    setup = answered_signature_draft(app)
    filed = setup.client.post(check_url(setup), data=paper_form(PDF, "Astrid signed.pdf"))
    assert filed.status_code == 302 and filed.headers["Location"].endswith(
        f"/agent/residents/{setup.resident.id}"
    )
    case = db.scalars(select(Case)).one()
    assert (case.signature_method, case.assisted_by_id, case.identity_method) == (
        "paper",
        setup.agent.id,
        "id_document",
    )

    # The agent's record of the resident.
    record = setup.client.get(filed.headers["Location"]).get_data(as_text=True)
    assert f"Case {case.reference} was filed for the resident." in record
    assert "Signed on paper" in record
    scan_url = f"/agent/residents/{setup.resident.id}/cases/{case.reference}/signature-page"
    assert scan_url in record
    download = setup.client.get(scan_url)
    assert (download.status_code, download.data, download.mimetype) == (200, PDF, "application/pdf")
    assert download.headers["Content-Disposition"].startswith("attachment")
    read = audit_entries("read", "case_attachment")
    assert [(entry.actor_id, entry.reason) for entry in read] == [(str(setup.agent.id), "Wants to apply")]

    # The case officer of the case's department.
    officer = app.test_client()
    officer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_staff(officer, setup.officer)
    page = officer.get(f"/officer/cases/{case.reference}").get_data(as_text=True)
    assert "Signed on paper" in page and "Scanned signature page:" in page
    assert "Signed on paper, scanned signature page attached by agent Amina Berg." in page
    page_id = casework.signature_page(case).id  # type: ignore[union-attr]
    assert officer.get(f"/officer/cases/{case.reference}/attachments/{page_id}").data == PDF

    # The resident on My pages.
    resident = app.test_client()
    resident.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in_resident(app, resident, setup.resident)
    mine = resident.get(f"/my-pages/cases/{case.reference}").get_data(as_text=True)
    assert (
        "Signed on paper" in mine and "The page you signed on paper" in mine and "Astrid signed.pdf" in mine
    )
    assert "Signed on paper, scanned signature page attached by agent Amina Berg." in mine
    assert resident.get(f"/my-pages/cases/{case.reference}/attachments/{page_id}").data == PDF

    # The case system through the REST API.
    detail = app.test_client().get(
        f"/api/v1/cases/{case.reference}", headers={"Authorization": f"Bearer {setup.secret}"}
    )
    body = detail.get_json()
    assert body["signatureMethod"] == "paper" and body["assisted"] is True
    assert [(item["name"], item["purpose"], item["sha256"]) for item in body["files"]] == [
        ("Astrid signed.pdf", "signaturePage", hashlib.sha256(PDF).hexdigest())
    ]


def test_the_scan_is_kept_from_other_roles_departments_and_residents(app: Flask) -> None:
    setup = answered_signature_draft(app)
    setup.client.post(check_url(setup), data=paper_form(PNG, "scan.png"))
    case = db.scalars(select(Case)).one()
    page_id = casework.signature_page(case).id  # type: ignore[union-attr]
    scan_url = f"/agent/residents/{setup.resident.id}/cases/{case.reference}/signature-page"

    # A case officer of another department, and staff without the agent role on the agent's address.
    stranger = app.test_client()
    other_department = make_department(code="schools", name="Skola")
    log_in_staff(stranger, make_staff(roles=[Role.CASE_OFFICER], department=other_department))
    assert stranger.get(f"/officer/cases/{case.reference}/attachments/{page_id}").status_code == 403
    assert stranger.get(scan_url).status_code == 403
    form_admin = app.test_client()
    log_in_staff(form_admin, make_staff(roles=[Role.FORM_ADMIN]))
    assert form_admin.get(scan_url).status_code == 403

    # Another resident on My pages, and an agent reaching the case through another resident's record.
    other_resident = app.test_client()
    log_in_resident(app, other_resident, make_resident())
    assert other_resident.get(f"/my-pages/cases/{case.reference}/attachments/{page_id}").status_code == 404
    someone_else = make_resident()
    open_record(setup.client, someone_else.id)
    assert (
        setup.client.get(
            f"/agent/residents/{someone_else.id}/cases/{case.reference}/signature-page"
        ).status_code
        == 404
    )

    # A case signed otherwise has no signature page, and without an opened record the agent is asked for a reason.
    unsigned = make_case(case.service, setup.resident)
    assert (
        setup.client.get(
            f"/agent/residents/{setup.resident.id}/cases/{unsigned.reference}/signature-page"
        ).status_code
        == 404
    )
    fresh_agent = logged_in(app, make_agent())
    refused = fresh_agent.get(scan_url)
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/open")
    assert [entry.subject_kind for entry in audit_entries("read", "case_attachment")] == []
