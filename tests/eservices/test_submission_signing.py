"""Signing a submission with BankID, against the emulator running as a real process: the happy path, and every
way a signature is refused (tampered XML, someone else's BankID, replay, answers changed) or abandoned (cancel,
expiry) without losing the draft."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core import clock
from core.db import db
from eservices import filing
from eservices import submission_signing as signing
from eservices.models import Case, CaseStatus
from eservices.signing_models import Signature
from forms.models import Draft
from signing import service as bankid
from signing.bankid import BankIDProvider, CollectResult
from signing.document_models import Document
from signing.documents.content import DocumentContent
from signing.emulator.process import EmulatorControl
from signing.models import BankIDOrder, OrderState
from tests.builders import follow_up_submissions, make_resident
from tests.eservices.filing_helpers import location, log_in, make_eservice
from tests.eservices.signing_helpers import (
    FATIMA,
    JOHAN,
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


@pytest.fixture
def fatima(app: Flask, client: FlaskClient) -> FlaskClient:
    """Fatima, logged in, reading English, with a service whose form must be signed."""
    make_eservice(signed_form(), slug="permit")
    resident = make_resident(personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi")
    log_in(client, app, resident)
    client.get("/language/en?next=/")
    return client


def case_count() -> int:
    return int(db.scalar(select(func.count()).select_from(Case)) or 0)


def test_a_form_that_must_be_signed_is_sent_by_signing_it_with_bankid(
    app: Flask, fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Tiger *the* #1"))

    sign_page = fatima.get(f"/e/{draft_id}/sign").get_data(as_text=True)
    assert "Tiger *the* #1" in sign_page and "Sign with BankID on another device" in sign_page
    order_ref = start_signing(fatima, draft_id)
    order_page = fatima.get(f"/signing/{order_ref}")
    assert order_page.status_code == 200 and "data-bankid-qr" in order_page.get_data(as_text=True)
    # The phone shows the summary, in the resident's language, with the answer escaped for simpleMarkdownV1.
    shown = emulator_control.order(order_ref)["userVisibleData"]
    assert shown.startswith("# ")  # the service title heads it
    assert "Tiger \\*the\\* \\#1" in shown and "*Nickname*" in shown

    emulator_control.approve(order_ref, FATIMA)
    result = collect(fatima, order_ref)

    assert result["state"] == "complete"
    case = db.scalar(select(Case))
    assert case is not None and result["redirect"] == f"/e/{draft_id}/done"
    assert case.status == CaseStatus.SUBMITTED.value and case.answers["nickname"] == "Tiger *the* #1"
    assert (case.signature_method, case.assisted_by_id) == ("bankid", None)
    assert case.reference in fatima.get(result["redirect"]).get_data(as_text=True)
    signature = db.scalar(select(Signature))
    assert signature is not None and signature.case_id == case.id
    assert signature.personal_number == FATIMA and signature.signer_name == "Fatima Ahmadi"
    assert case.form_version is not None
    assert signature.signed_digest == signing.submission_digest(case.form_version, case.answers)
    assert f"<usrNonVisibleData>{base64.b64encode(signature.signed_digest.encode()).decode()}" in (
        signature.signature_xml
    )
    assert signature.ocsp_response and signature.ocsp_produced_at is not None
    assert signature.device["ipAddress"] == "127.0.0.1" and signature.visible_text == shown
    with app.test_request_context(headers={"Accept-Language": "en"}):
        lines = signing.signature_lines(case.id)
    assert [(line.signer_name, line.method) for line in lines] == [("Fatima Ahmadi", "BankID")]
    # The receipt the worker queues for sealing once the submission has committed lists the signature.
    follow_up_submissions()
    receipt = db.scalar(select(Document).where(Document.case_id == case.id, Document.kind == "receipt"))
    assert receipt is not None
    assert [line.signer_name for line in DocumentContent.from_json(receipt.content).signatures] == [
        "Fatima Ahmadi"
    ]


def test_the_send_button_never_sends_a_form_that_must_be_signed(fatima: FlaskClient) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))

    for _attempt in range(2):
        response = fatima.post(f"/e/{draft_id}/submit")
        assert response.status_code == 303 and location(response).endswith(f"/e/{draft_id}/sign")

    assert case_count() == 0


def test_the_digest_covers_the_answers_the_attachments_and_the_form_version(fatima: FlaskClient) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    draft = db.get(Draft, draft_id)
    assert draft is not None
    answers: dict[str, Any] = {
        "nickname": "Kalle",
        "evidence": [{"filename": "a.pdf", "sha256": "ab" * 32, "storage_key": "k"}],
    }

    canonical = signing.canonical_submission(draft.form_version, answers)

    assert b'"attachments":[{"field":"evidence[0]","filename":"a.pdf","sha256":"' + b"ab" * 32 in canonical
    assert f'"version":{draft.form_version.version}'.encode() in canonical
    changed = signing.submission_digest(draft.form_version, {**answers, "nickname": "Kalla"})
    assert changed != signing.submission_digest(draft.form_version, answers)


class TamperingProvider(BankIDProvider):
    """The real provider, except that a completed signature comes back with usrNonVisibleData changed."""

    def collect(self, order_ref: str) -> CollectResult:
        result = super().collect(order_ref)
        if result.completion_data is None:
            return result
        xml = base64.b64decode(result.completion_data["signature"]).decode()
        start = xml.index("<usrNonVisibleData>") + len("<usrNonVisibleData>")
        end = xml.index("</usrNonVisibleData>")
        forged = base64.b64encode(b"0" * 64).decode()
        tampered = xml[:start] + forged + xml[end:]
        completion: Mapping[str, Any] = {
            **result.completion_data,
            "signature": base64.b64encode(tampered.encode()).decode(),
        }
        return CollectResult(result.order_ref, result.status, result.hint_code, dict(completion))


def test_a_signature_whose_signed_data_was_tampered_with_is_refused_and_the_draft_stays(
    app: Flask, fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    real = bankid.bankid_provider()
    app.extensions["kanal.bankid_provider"] = TamperingProvider(real.client)
    order_ref = start_signing(fatima, draft_id)
    emulator_control.approve(order_ref, FATIMA)

    result = collect(fatima, order_ref)

    assert result["redirect"] == f"/e/{draft_id}/sign"
    page = fatima.get(result["redirect"]).get_data(as_text=True)
    assert "did not match what you were asked to sign" in page
    assert case_count() == 0 and db.scalar(select(Signature)) is None
    draft = db.get(Draft, draft_id)
    assert draft is not None and draft.answers["nickname"] == "Kalle"
    order = db.scalar(select(BankIDOrder).where(BankIDOrder.order_ref == order_ref))
    assert order is not None and order.state == OrderState.CONSUMED.value  # it can never be tried again


def test_signed_data_that_differs_from_what_was_sent_is_refused_even_when_the_xml_verifies(
    fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)
    emulator_control.approve(order_ref, FATIMA)
    clock.advance(dt.timedelta(seconds=2))
    order = db.scalar(select(BankIDOrder).where(BankIDOrder.order_ref == order_ref))
    assert order is not None
    bankid.collect_order(order)
    assert order.state == OrderState.COMPLETE.value

    order.user_non_visible_data = "f" * 64  # as if Kanal had asked for something else

    with pytest.raises(signing.SignatureInvalid):
        signing.read_signature_evidence(order)


def test_a_cancelled_signature_leaves_the_draft_for_a_retry(
    fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)
    emulator_control.fail(order_ref, "userCancel")

    result = collect(fatima, order_ref)

    assert result["state"] == "failed" and result["retryable"] is True
    retry_page = fatima.get(f"/signing/{order_ref}").get_data(as_text=True)
    assert "your answers are saved" in retry_page and f'action="/e/{draft_id}/sign"' in retry_page
    assert case_count() == 0
    second = start_order(fatima, f"/e/{draft_id}/sign")
    emulator_control.approve(second, FATIMA)
    assert collect(fatima, second)["redirect"] == f"/e/{draft_id}/done"
    assert case_count() == 1


def test_pressing_cancel_goes_back_to_the_sign_step_with_the_answers_kept(fatima: FlaskClient) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)

    cancelled = fatima.post(f"/signing/{order_ref}/cancel")

    assert location(cancelled) == f"/e/{draft_id}/sign"
    page = fatima.get(location(cancelled)).get_data(as_text=True)
    assert "The signing was cancelled" in page and "Kalle" in page
    assert case_count() == 0


def test_an_expired_signature_leaves_the_draft_for_a_retry(fatima: FlaskClient) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)
    clock.advance(bankid.ORDER_LIFETIME)

    result = collect(fatima, order_ref)

    assert result["state"] == "failed" and result["retryable"] is True
    draft = db.get(Draft, draft_id)
    assert draft is not None and draft.answers["nickname"] == "Kalle" and case_count() == 0


def test_someone_elses_bankid_cannot_sign_the_application(
    fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)
    emulator_control.approve(order_ref, JOHAN)

    result = collect(fatima, order_ref)

    page = fatima.get(result["redirect"]).get_data(as_text=True)
    assert "belongs to someone else than the person who must sign" in page
    assert case_count() == 0


def test_answers_changed_while_signing_are_not_accepted(
    fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)
    fatima.post(f"/e/{draft_id}/pages/about", data=page_data("Changed in another tab"))
    emulator_control.approve(order_ref, FATIMA)

    result = collect(fatima, order_ref)

    assert "Your answers changed while you were signing" in fatima.get(result["redirect"]).get_data(
        as_text=True
    )
    assert case_count() == 0


def test_a_replayed_sign_order_is_refused(
    app: Flask, fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)
    emulator_control.approve(order_ref, FATIMA)
    collect(fatima, order_ref)
    order = db.scalar(select(BankIDOrder).where(BankIDOrder.order_ref == order_ref))
    assert order is not None
    case = db.scalar(select(Case))
    assert case is not None

    # The same order again, directly: refused, nothing new.
    order.state = OrderState.COMPLETE.value  # even if an attacker could flip the state back
    with app.test_request_context(), pytest.raises(signing.OrderReplayed):
        signing.accept_applicant_signature(
            order,
            filing.DraftAccess(resident_id=case.resident_id),
            filing.Actor("resident", str(case.resident_id)),
            "en",
        )
    db.rollback()

    # Through the pages: the same browser is taken to its case; another browser cannot see the order at all.
    again = fatima.post(f"/signing/{order_ref}/collect", headers={"Accept": "application/json"})
    assert again.get_json()["state"] == "consumed"
    assert fatima.get(f"/signing/{order_ref}").status_code == 302
    other_browser = app.test_client()
    log_in(other_browser, app, db.get(type(case.resident), case.resident_id))  # type: ignore[arg-type]
    assert other_browser.get(f"/signing/{order_ref}").status_code == 404
    assert case_count() == 1 and db.scalar(select(func.count()).select_from(Signature)) == 1


def test_a_used_order_that_signed_nothing_here_gets_a_clear_message(
    fatima: FlaskClient, emulator_control: EmulatorControl
) -> None:
    draft_id = fill_in(fatima, "permit", page_data("Kalle"))
    order_ref = start_signing(fatima, draft_id)
    emulator_control.approve(order_ref, JOHAN)
    collect(fatima, order_ref)  # refused: Johan's BankID

    page = fatima.get(f"/signing/{order_ref}")

    assert page.status_code == 409
    assert "This signature has already been used" in page.get_data(as_text=True)


def test_the_visible_summary_stays_within_bankids_limit() -> None:
    rows = [
        signing.SummaryRow(f"Question {index}", "An answer with å, ä, ö and عربى " * 5)
        for index in range(200)
    ]
    sections = [signing.SummarySection("Everything", rows)]

    text = signing.visible_summary("A long form", sections, limit=1500)

    assert len(base64.b64encode(text.encode())) <= 1500
    assert text.startswith("# A long form") and "more lines" in text.splitlines()[-1]
    whole = signing.visible_summary("A long form", sections)
    assert len(base64.b64encode(whole.encode())) <= signing.MAX_VISIBLE_DATA_BASE64
