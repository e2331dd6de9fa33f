"""Co-signing against the BankID emulator: the case reaches the queue only when everyone named has signed with
their own BankID; wrong people, the applicant themself, expired or replayed requests are refused clearly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from core import clock
from core.db import db
from core.models import OutboxMessage, Resident
from eservices import cosigning, notifications
from eservices import submission_signing as signing
from eservices.models import Case, CaseStatus
from eservices.signing_models import CosignRequest, CosignStatus, Signature
from signing.document_models import Document
from signing.documents.content import DocumentContent
from signing.emulator.process import EmulatorControl
from signing.models import BankIDOrder, OrderState
from tests.builders import follow_up_submissions, make_resident, valid_personnummer
from tests.eservices.filing_helpers import location, log_in, make_eservice
from tests.eservices.signing_helpers import (
    FATIMA,
    JOHAN,
    LARS,
    collect,
    emulator_app,
    fill_in,
    page_data,
    signed_form,
    start_order,
    start_signing,
)


@pytest.fixture
def app(database_url: str, tmp_path: Path, bankid_emulator: str) -> Iterator[Flask]:
    yield from emulator_app(database_url, tmp_path, bankid_emulator)


def browser(app: Flask, resident: Resident) -> FlaskClient:
    client = app.test_client()
    log_in(client, app, resident)
    client.get("/language/en?next=/")
    return client


@pytest.fixture
def people(app: Flask) -> dict[str, Resident]:
    make_eservice(signed_form(cosigners=True), slug="permit")
    return {
        "fatima": make_resident(personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi"),
        "johan": make_resident(personnummer=JOHAN, given_name="Johan", family_name="Bergqvist"),
        "lars": make_resident(personnummer=LARS, given_name="Lars-Erik", family_name="Johansson"),
    }


def applicant_signs(app: Flask, fatima: Resident, emulator: EmulatorControl, *cosigners: str) -> Case:
    client = browser(app, fatima)
    draft_id = fill_in(client, "permit", page_data("Kalle", *cosigners))
    order_ref = start_signing(client, draft_id)
    emulator.approve(order_ref, FATIMA)
    result = collect(client, order_ref)
    case = db.scalar(select(Case))
    assert case is not None and result["redirect"] == f"/signatures/{case.reference}"
    return case


def request_for(case: Case, personal_number: str) -> CosignRequest:
    found = db.scalar(
        select(CosignRequest).where(
            CosignRequest.case_id == case.id, CosignRequest.personal_number == personal_number
        )
    )
    assert found is not None
    return found


def cosign(client: FlaskClient, request: CosignRequest, emulator: EmulatorControl, signer: str) -> str:
    order_ref = start_order(client, f"/cosign/{request.token}")
    emulator.approve(order_ref, signer)
    return str(collect(client, order_ref)["redirect"])


def in_queue() -> list[Case]:
    return list(db.scalars(cosigning.queue_visible(select(Case))))


def receipts_for(case: Case) -> list[Document]:
    return list(db.scalars(select(Document).where(Document.case_id == case.id, Document.kind == "receipt")))


def test_the_case_reaches_the_queue_only_when_every_cosigner_has_signed(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN, LARS)

    assert case.status == CaseStatus.DRAFT_SIGNING.value and in_queue() == []
    assert receipts_for(case) == []  # not submitted yet: no receipt, no "received" notice
    status_page = browser(app, people["fatima"]).get(f"/signatures/{case.reference}").get_data(as_text=True)
    assert "Waiting for signatures" in status_page and status_page.count('data-cosigner="pending"') == 2
    notified = db.scalars(select(OutboxMessage).where(OutboxMessage.kind.like("notify.%"))).all()
    assert {
        message.payload["resident_id"]
        for message in notified
        if message.payload["kind"] == "cosign_requested"
    } == {
        people["johan"].id,
        people["lars"].id,
    }

    johan = browser(app, people["johan"])
    listed = johan.get("/cosign/").get_data(as_text=True)
    assert case.reference in listed
    page = johan.get(f"/cosign/{request_for(case, JOHAN).token}").get_data(as_text=True)
    assert "Fatima Ahmadi has named you" in page and "Kalle" in page
    done = cosign(johan, request_for(case, JOHAN), emulator_control, JOHAN)
    assert "Your signature is registered" in johan.get(done).get_data(as_text=True)
    db.refresh(case)
    assert case.status == CaseStatus.DRAFT_SIGNING.value and in_queue() == []

    lars = browser(app, people["lars"])
    cosign(lars, request_for(case, LARS), emulator_control, LARS)

    db.refresh(case)
    assert case.status == CaseStatus.SUBMITTED.value and in_queue() == [case]
    signatures = signing.signatures_for_case(case.id)
    assert [item.personal_number for item in signatures] == [FATIMA, JOHAN, LARS]
    assert len({item.signed_digest for item in signatures}) == 1
    with app.test_request_context(headers={"Accept-Language": "en"}):
        lines = signing.signature_lines(case.id)
    assert [(line.signer_name, line.role) for line in lines] == [
        ("Fatima Ahmadi", "Applicant"),
        ("Johan Bergqvist", "Co-signer"),
        ("Lars-Erik Johansson", "Co-signer"),
    ]
    final = browser(app, people["fatima"]).get(f"/signatures/{case.reference}").get_data(as_text=True)
    assert "data-all-signed" in final
    assert receipts_for(case) == []  # the worker follows the release up with the receipt
    follow_up_submissions()
    [receipt] = receipts_for(case)
    assert len(DocumentContent.from_json(receipt.content).signatures) == 3


def cosign_notices(resident: Resident) -> list[OutboxMessage]:
    """The e-mail jobs queued to ask `resident` to co-sign, oldest first."""
    return [
        job
        for job in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if job.kind == "notify.email"
        and job.payload["kind"] == "cosign_requested"
        and job.payload["resident_id"] == resident.id
    ]


def rendered_body(job: OutboxMessage, case: Case, resident: Resident) -> str:
    """The e-mail the worker sends for a queued notification job."""
    payload = job.payload
    return notifications.render_notification(
        payload["kind"], case.reference, resident, payload["details"], job.idempotency_key
    ).body


def test_the_cosigners_notice_links_straight_to_the_page_where_they_sign(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    johan = people["johan"]
    johan.preferred_language = "en"
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)
    request = request_for(case, JOHAN)
    link = f"{app.extensions['kanal.settings'].base_url}/cosign/{request.token}"

    [notice] = cosign_notices(johan)
    assert request.token not in str(notice.payload), "the outbox keeps ids, the token is added when sending"
    body = rendered_body(notice, case, johan)
    assert f"Read and sign the application:\n{link}\n" in body
    assert "Open the link below and log in with BankID to read and sign it." in body
    assert "/my-pages" not in body

    page = browser(app, johan).get(link.removeprefix(app.extensions["kanal.settings"].base_url))
    assert page.status_code == 200 and "Fatima Ahmadi has named you" in page.get_data(as_text=True)

    browser(app, people["fatima"]).post(f"/signatures/{case.reference}/remind/{request.id}")
    first, reminder = cosign_notices(johan)
    assert reminder.idempotency_key != first.idempotency_key
    assert link in rendered_body(reminder, case, johan)


def test_a_cosigner_unknown_to_kanal_is_not_notified_and_the_applicant_gets_the_link_to_share(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    stranger = valid_personnummer(4711, born=dt.date(1990, 5, 17))
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN, stranger)
    stranger_request = request_for(case, stranger)

    notified = {
        job.payload["resident_id"]
        for job in db.scalars(select(OutboxMessage))
        if job.payload.get("kind") == "cosign_requested"
    }
    assert notified == {people["johan"].id}
    assert not cosigning.reachable(stranger_request)
    assert cosigning.reachable(request_for(case, JOHAN))

    page = browser(app, people["fatima"]).get(f"/signatures/{case.reference}").get_data(as_text=True)
    assert "Share the link" in page
    link = f"/cosign/{stranger_request.token}"
    stranger_field = f'<input id="link-{stranger_request.id}" class="input" type="text" readonly value="http://localhost{link}"'
    assert stranger_field in page
    assert f'aria-describedby="link-{stranger_request.id}-hint"' in page
    assert page.count("data-not-notified") == 1
    assert "We have no contact details for this person, so we cannot tell them." in page

    # The stranger logs in with BankID for the first time through the shared link and reaches the request.
    newcomer = make_resident(personnummer=stranger, given_name="Nils", family_name="Nykomling")
    opened = browser(app, newcomer).get(link)
    assert opened.status_code == 200 and "Fatima Ahmadi has named you" in opened.get_data(as_text=True)


def test_a_cosign_link_opened_by_the_wrong_person_is_refused(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)
    request = request_for(case, JOHAN)

    page = browser(app, people["lars"]).get(f"/cosign/{request.token}")
    started = browser(app, people["lars"]).post(f"/cosign/{request.token}", data={"device": "other"})

    assert page.status_code == 403 and "This request is for another person" in page.get_data(as_text=True)
    assert started.status_code == 403
    assert request.status == CosignStatus.PENDING.value


def test_a_signature_by_another_bankid_than_the_one_named_is_refused(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)
    johan = browser(app, people["johan"])

    redirect_to = cosign(johan, request_for(case, JOHAN), emulator_control, LARS)

    assert "belongs to someone else" in johan.get(redirect_to).get_data(as_text=True)
    db.refresh(case)
    assert case.status == CaseStatus.DRAFT_SIGNING.value
    assert request_for(case, JOHAN).status == CosignStatus.PENDING.value
    assert db.scalar(select(func.count()).select_from(Signature)) == 1


def test_nobody_can_cosign_their_own_submission(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    fatima = browser(app, people["fatima"])
    draft_id = fill_in(fatima, "permit", page_data("Kalle", FATIMA))

    sign_page = fatima.get(f"/e/{draft_id}/sign")
    started = fatima.post(f"/e/{draft_id}/sign", data={"device": "other"})

    assert sign_page.status_code == 400 and "You cannot co-sign your own application" in sign_page.get_data(
        as_text=True
    )
    assert "Change who must co-sign" in sign_page.get_data(as_text=True)
    assert started.status_code == 400 and db.scalar(select(func.count()).select_from(BankIDOrder)) == 0

    # Nor by opening the co-sign link of a case that names someone else.
    db.rollback()
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)
    own_link = browser(app, people["fatima"]).get(f"/cosign/{request_for(case, JOHAN).token}")
    assert own_link.status_code == 403 and "You cannot co-sign" in own_link.get_data(as_text=True)


def test_an_expired_request_is_refused_with_a_clear_message(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)
    clock.advance(dt.timedelta(days=cosigning.COSIGN_EXPIRY_DAYS, minutes=1))

    page = browser(app, people["johan"]).get(f"/cosign/{request_for(case, JOHAN).token}")

    assert page.status_code == 410 and "This request to sign has expired" in page.get_data(as_text=True)


def test_a_replayed_cosign_order_is_refused(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN, LARS)
    johan = browser(app, people["johan"])
    order_ref = start_order(johan, f"/cosign/{request_for(case, JOHAN).token}")
    emulator_control.approve(order_ref, JOHAN)
    collect(johan, order_ref)
    order = db.scalar(select(BankIDOrder).where(BankIDOrder.order_ref == order_ref))
    assert order is not None
    order.state = OrderState.COMPLETE.value

    with app.test_request_context(), pytest.raises(signing.OrderReplayed):
        cosigning.accept_cosignature(order, people["johan"], "en")


def test_unsigned_requests_get_a_reminder_and_then_expire_withdrawing_the_case(
    app: Flask, runner: FlaskCliRunner, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)
    db.commit()

    clock.advance(dt.timedelta(days=cosigning.COSIGN_EXPIRY_DAYS - 2))
    first = runner.invoke(args=["expire-cosign-requests"])
    again = runner.invoke(args=["expire-cosign-requests"])
    clock.advance(dt.timedelta(days=2, minutes=1))
    last = runner.invoke(args=["expire-cosign-requests"])

    assert "Reminded 1 co-signer(s); expired 0 request(s)." in first.output
    assert "Reminded 0 co-signer(s); expired 0 request(s)." in again.output
    assert "Reminded 0 co-signer(s); expired 1 request(s)." in last.output
    db.expire_all()
    reminders = [
        message
        for message in db.scalars(select(OutboxMessage)).all()
        if message.payload.get("kind") == "cosign_requested"
        and message.payload.get("resident_id") == people["johan"].id
    ]
    assert len({message.idempotency_key for message in reminders if message.kind == "notify.email"}) == 2
    refreshed = db.get(Case, case.id)
    assert refreshed is not None and refreshed.status == CaseStatus.WITHDRAWN.value
    assert request_for(refreshed, JOHAN).status == CosignStatus.EXPIRED.value


def test_the_applicant_can_remind_once_a_day_and_withdraw(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)
    fatima = browser(app, people["fatima"])
    request = request_for(case, JOHAN)

    first = fatima.post(f"/signatures/{case.reference}/remind/{request.id}")
    assert "A reminder has been sent" in fatima.get(location(first)).get_data(as_text=True)
    second = fatima.post(f"/signatures/{case.reference}/remind/{request.id}")
    assert "A reminder was sent recently" in fatima.get(location(second)).get_data(as_text=True)
    withdrawn = fatima.post(f"/signatures/{case.reference}/withdraw")
    assert "has been withdrawn" in fatima.get(location(withdrawn)).get_data(as_text=True)
    db.refresh(case)
    assert case.status == CaseStatus.WITHDRAWN.value
    closed = browser(app, people["johan"]).get(f"/cosign/{request.token}")
    assert closed.status_code == 410 and "no longer open" in closed.get_data(as_text=True)


def test_only_the_applicant_sees_the_signatures_page(
    app: Flask, people: dict[str, Resident], emulator_control: EmulatorControl
) -> None:
    case = applicant_signs(app, people["fatima"], emulator_control, JOHAN)

    assert browser(app, people["johan"]).get(f"/signatures/{case.reference}").status_code == 404
    assert browser(app, people["johan"]).post(f"/signatures/{case.reference}/withdraw").status_code == 404
    assert (
        app.test_client().get(f"/cosign/{request_for(case, JOHAN).token}").status_code == 302
    )  # log in first
    assert browser(app, people["johan"]).get("/cosign/not-a-token").status_code == 404
