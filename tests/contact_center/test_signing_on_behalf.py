"""Signing what an agent files on a resident's behalf: a form that requires a signature is sent only with the
resident's BankID signature from their own phone, or signed on paper with the scanned page attached."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from contact_center import service
from core import clock
from core.db import db
from core.models import AuditEntry, Resident, StaffUser
from core.storage import get_storage
from eservices import casework, events, filing
from eservices.casework_models import CaseAttachment
from eservices.models import Case, Service
from eservices.signing_models import CosignRequest
from forms import rendering
from signing import service as signing
from signing.document_models import Document
from signing.documents.content import DocumentContent
from tests.builders import follow_up_submissions, make_resident
from tests.contact_center.conftest import make_agent
from tests.eservices.filing_helpers import EXE, HTML, PDF, PNG, make_eservice
from tests.eservices.signing_helpers import JOHAN, signed_form

REASON = "Caller cannot sign digitally"


def signed_eservice(key: str = "signed-form") -> Service:
    return make_eservice(signed_form(key=key), slug=key)


def answered_draft(agent: StaffUser, resident: Resident, item: Service, nickname: str = "Kim") -> Any:
    draft = service.start_filing_on_behalf(agent, resident, item, channel="phone", reason=REASON)
    outcome = filing.save_page(draft, filing.Step("about"), {"nickname": nickname}, {}, "en")
    assert outcome.saved, outcome.errors
    return draft


def scan(data: bytes = PDF, filename: str = "signature-page.pdf") -> casework.Upload:
    return casework.Upload(filename=filename, data=data)


def submit(agent: StaffUser, resident: Resident, draft: Any, **kwargs: Any) -> Case:
    arguments: dict[str, Any] = {"identity_method": "id_document", "language": "en", "reason": REASON}
    return service.submit_on_behalf(agent, resident, draft.id, **(arguments | kwargs))


def phone_sign_order(
    agent: StaffUser, resident: Resident, draft: Any, *, signed_by: str | None = None, consumed: bool = True
) -> signing.BankIDOrder:
    """A phone sign order as it is once the resident approved it on their phone and the agent's page used it."""
    now = clock.now()
    order = signing.BankIDOrder(
        order_ref=secrets.token_hex(16),
        purpose=signing.OrderPurpose.PHONE_SIGN.value,
        started_via="phone",
        session_binding=secrets.token_hex(16),
        end_user_ip="127.0.0.1",
        started_at_epoch=now.timestamp(),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=3),
        state=(signing.OrderState.CONSUMED if consumed else signing.OrderState.COMPLETE).value,
        personal_number=resident.personnummer,
        user_visible_data="I apply with the answers the contact centre read to me.",
        next_url=f"/agent/residents/{resident.id}/drafts/{draft.id}/check",
        subject_kind=service.PHONE_SUBJECT,
        subject_id=str(resident.id),
        staff_user_id=agent.id,
        completion_data={"user": {"personalNumber": signed_by or resident.personnummer}},
        consumed_at=now if consumed else None,
    )
    db.add(order)
    db.flush()
    return order


def cases() -> list[Case]:
    return list(db.scalars(select(Case)))


def test_signed_on_paper_files_the_case_with_the_scan_its_sha256_a_timeline_entry_and_an_audit_entry(
    app: Flask,
) -> None:
    agent, resident, item = make_agent(full_name="Amina Berg"), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item)

    case = submit(agent, resident, draft, signature=service.SignatureChoice.PAPER, signature_page=scan())

    assert (case.signature_method, case.identity_method, case.assisted_by_id, case.answers) == (
        "paper",
        "id_document",
        agent.id,
        {"nickname": "Kim"},
    )
    page = casework.signature_page(case)
    assert page is not None
    assert (page.purpose, page.content_type, page.uploaded_by_staff_id) == (
        "signature_page",
        "application/pdf",
        agent.id,
    )
    assert page.sha256 == hashlib.sha256(PDF).hexdigest() == get_storage().sha256(page.storage_key)
    assert casework.attachment_bytes(page) == PDF
    [event] = [event for event in case.events if event.kind == "signed_on_paper"]
    assert (event.actor_kind, event.actor_id, event.visible_to_resident) == ("staff", str(agent.id), True)
    assert event.data == {
        "attachment_id": page.id,
        "filename": "signature-page.pdf",
        "agent_name": "Amina Berg",
    }
    db.commit()  # audit entries are written when the transaction commits
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "submit_on_behalf")).one()
    assert (entry.actor_id, entry.reason, entry.resident_id) == (str(agent.id), REASON, resident.id)
    assert entry.details["signature_method"] == "paper"
    assert entry.details["signature_page"] == {"attachment": page.id, "sha256": page.sha256}
    # The receipt says how the application was signed and lists the scan among the attachments.
    follow_up_submissions()
    receipt = db.scalars(
        select(Document).where(Document.case_id == case.id, Document.kind == "receipt")
    ).one()
    content = DocumentContent.from_json(receipt.content)
    assert [(line.signer_name, line.role) for line in content.signatures] == [(resident.full_name, "Sökande")]
    assert "papper" in content.signatures[0].method
    assert [line.sha256 for line in content.attachments] == [page.sha256]


def test_a_png_or_jpeg_scan_is_accepted_too(app: Flask) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    case = submit(
        agent,
        resident,
        answered_draft(agent, resident, item),
        signature=service.SignatureChoice.PAPER,
        signature_page=scan(PNG, "scan.png"),
    )
    page = casework.signature_page(case)
    assert page is not None and page.content_type == "image/png"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (EXE, "signature-page.pdf", "The file signature-page.pdf must be a PDF, PNG or JPEG file."),
        (HTML, "scan.jpg", "The file scan.jpg must be a PDF, PNG or JPEG file."),
        (b"", "empty.pdf", "Attach the scanned page the resident signed on paper."),
    ],
)
def test_a_disguised_or_empty_scan_is_refused_with_a_message_and_nothing_is_lost(
    app: Flask, data: bytes, filename: str, message: str
) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item, nickname="Simba")

    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(service.InvalidInput) as refused:
            submit(
                agent,
                resident,
                draft,
                signature=service.SignatureChoice.PAPER,
                signature_page=scan(data, filename),
            )
        assert str(refused.value) == message

    assert cases() == []
    assert db.scalars(select(CaseAttachment)).all() == []
    assert filing.load_draft(draft.id, filing.DraftAccess(resident_id=resident.id)).answers == {
        "nickname": "Simba"
    }
    # The agent chooses the right file and sends again: the same draft becomes the case.
    case = submit(agent, resident, draft, signature=service.SignatureChoice.PAPER, signature_page=scan())
    assert (case.draft_id, case.signature_method) == (draft.id, "paper")


def test_paper_signing_needs_the_scan_and_an_identity_checked_without_bankid(app: Flask) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item)
    with pytest.raises(service.InvalidInput, match="Attach the scanned page"):
        submit(agent, resident, draft, signature=service.SignatureChoice.PAPER)
    with pytest.raises(service.InvalidInput, match="identity was verified"):
        submit(
            agent,
            resident,
            draft,
            identity_method="bankid_phone",
            signature=service.SignatureChoice.PAPER,
            signature_page=scan(),
        )
    with pytest.raises(service.InvalidInput, match="how the resident signed"):
        submit(agent, resident, draft, signature="fax", signature_page=scan())
    assert cases() == []


@pytest.mark.parametrize("identity_method", ["id_document", "known_earlier"])
def test_a_form_that_requires_a_signature_is_never_filed_without_one(
    app: Flask, identity_method: str
) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item)
    with pytest.raises(service.InvalidInput, match="must be signed"):
        submit(agent, resident, draft, identity_method=identity_method)
    with pytest.raises(service.InvalidInput, match="has not signed with BankID"):
        submit(agent, resident, draft, identity_method="bankid_phone")
    assert cases() == []
    assert filing.drafts_for_resident(resident.id) == [draft]


def test_a_form_without_a_signature_requirement_is_filed_unsigned_and_says_so(app: Flask) -> None:
    agent, resident = make_agent(), make_resident()
    draft = service.start_filing_on_behalf(agent, resident, make_eservice(), channel="visit", reason=REASON)
    filing.save_page(draft, filing.Step("about"), {"nickname": "Kim", "has_pet": "no"}, {}, "en")
    case = submit(agent, resident, draft, identity_method="known_earlier")
    assert (case.signature_method, case.identity_method, case.assisted_by_id) == (
        None,
        "known_earlier",
        agent.id,
    )
    assert casework.signature_page(case) is None


def test_the_residents_phone_bankid_signature_files_the_case_as_signed_with_bankid_by_phone(
    app: Flask,
) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item)
    order = phone_sign_order(agent, resident, draft)

    case = submit(agent, resident, draft, identity_method="bankid_phone", phone_order=order)
    db.commit()

    assert (case.signature_method, case.identity_method, case.assisted_by_id) == (
        "bankid_phone",
        "bankid_phone",
        agent.id,
    )
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "submit_on_behalf")).one()
    assert (entry.details["signature_method"], entry.details["order_ref"]) == (
        "bankid_phone",
        order.order_ref,
    )


def test_a_phone_signature_counts_only_for_its_draft_its_agent_its_resident_and_unchanged_answers(
    app: Flask,
) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item)
    other_draft = answered_draft(agent, resident, signed_eservice("other-form"))
    refused = [
        phone_sign_order(agent, resident, other_draft),
        phone_sign_order(make_agent(), resident, draft),
        phone_sign_order(agent, resident, draft, signed_by="197805093932"),
        phone_sign_order(agent, resident, draft, consumed=False),
        None,
    ]
    for order in refused:
        with pytest.raises(service.InvalidInput, match="has not signed with BankID"):
            submit(agent, resident, draft, identity_method="bankid_phone", phone_order=order)

    order = phone_sign_order(agent, resident, draft)
    clock.advance(dt.timedelta(seconds=5))
    filing.save_page(draft, filing.Step("about"), {"nickname": "Changed after signing"}, {}, "en")
    with pytest.raises(service.InvalidInput, match="has not signed with BankID"):
        submit(agent, resident, draft, identity_method="bankid_phone", phone_order=order)
    assert cases() == []


def test_the_case_is_complete_when_it_is_created_for_those_who_listen(app: Flask) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item)
    seen: list[tuple[int | None, str | None]] = []

    def listener(case: Case, **_extra: Any) -> None:
        seen.append((case.assisted_by_id, case.signature_method))

    events.case_submitted.connect(listener)
    try:
        submit(agent, resident, draft, signature=service.SignatureChoice.PAPER, signature_page=scan())
    finally:
        events.case_submitted.disconnect(listener)
    assert seen == [(agent.id, "paper")]
    db.commit()
    created = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "create", AuditEntry.subject_kind == "case")
    )
    assert [entry.details["assisted_by"] for entry in created] == [agent.id]


def test_a_second_submit_of_the_same_draft_gives_the_same_case_without_a_second_scan(app: Flask) -> None:
    agent, resident, item = make_agent(), make_resident(), signed_eservice()
    draft = answered_draft(agent, resident, item)
    first = submit(agent, resident, draft, signature=service.SignatureChoice.PAPER, signature_page=scan())
    again = submit(agent, resident, draft, signature=service.SignatureChoice.PAPER, signature_page=scan(PNG))
    assert again is first
    assert len(db.scalars(select(CaseAttachment)).all()) == 1


def test_co_signers_named_in_a_form_signed_on_paper_are_still_asked_to_sign(app: Flask) -> None:
    agent, resident = make_agent(), make_resident()
    item = make_eservice(signed_form(cosigners=True, key="with-guardians"), slug="with-guardians")
    draft = service.start_filing_on_behalf(agent, resident, item, channel="letter", reason=REASON)
    answers = {"nickname": "Kim", "guardians[0].guardian_pnr": JOHAN}
    outcome = filing.save_page(draft, filing.Step("about"), parse_page(draft, answers), {}, "en")
    assert outcome.saved, outcome.errors

    case = submit(agent, resident, draft, signature=service.SignatureChoice.PAPER, signature_page=scan())

    assert (case.status, case.signature_method) == ("awaiting_signatures", "paper")
    requests = db.scalars(select(CosignRequest).where(CosignRequest.case_id == case.id)).all()
    assert [(request.personal_number, request.status) for request in requests] == [(JOHAN, "pending")]


def test_the_resident_cannot_be_their_own_co_signer(app: Flask) -> None:
    agent, resident = make_agent(), make_resident(personnummer=JOHAN)
    item = make_eservice(signed_form(cosigners=True, key="with-guardians"), slug="with-guardians")
    draft = service.start_filing_on_behalf(agent, resident, item, channel="letter", reason=REASON)
    answers = {"nickname": "Kim", "guardians[0].guardian_pnr": JOHAN}
    filing.save_page(draft, filing.Step("about"), parse_page(draft, answers), {}, "en")
    with pytest.raises(service.InvalidInput, match="cannot co-sign their own"):
        submit(agent, resident, draft, signature=service.SignatureChoice.PAPER, signature_page=scan())
    assert cases() == []


def parse_page(draft: Any, form: dict[str, str]) -> dict[str, Any]:
    """The page's answers as the browser would send them (field names as the page renders them)."""
    return rendering.parse_page(filing.definition_of(draft), "about", MultiDict(form))
