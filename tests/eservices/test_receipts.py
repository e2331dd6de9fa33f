"""Every submitted case gets its receipt queued for sealing, with the answers as the resident saw them."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from core.db import db
from core.models import OutboxMessage
from eservices.models import CaseStatus, Channel
from eservices.receipts import request_case_receipt
from eservices.service import create_case
from signing.document_models import Document
from signing.documents.content import DocumentContent
from tests.builders import follow_up_submissions, make_resident
from tests.eservices.filing_helpers import make_eservice


def receipts() -> list[Document]:
    return list(db.scalars(select(Document).where(Document.kind == "receipt")))


def test_a_submitted_case_gets_a_receipt_with_labelled_answers_queued_for_sealing(app: Flask) -> None:
    resident = make_resident(preferred_language="en")
    service = make_eservice()
    assert service.form is not None
    version = service.form.versions[-1]
    case = create_case(
        service,
        resident.id,
        {"nickname": "Bamse", "has_pet": True, "pet_name": "Vips"},
        channel=Channel.SELF_SERVICE,
        form_version_id=version.id,
    )
    db.commit()
    assert receipts() == []  # the worker fixes the receipt once the submission has committed
    follow_up_submissions()

    [receipt] = receipts()
    content = DocumentContent.from_json(receipt.content)
    assert receipt.case_id == case.id and content.language == "en"
    assert content.answers == {"nickname": "Bamse", "has_pet": "Yes", "pet_name": "Vips"}
    assert [section.title for section in content.sections] == ["About you"]
    assert [field.label for field in content.sections[0].fields] == [
        "Nickname",
        "Do you have a pet?",
        "Pet's name",
    ]
    jobs = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "document.seal")).all()
    assert [job.payload["document_id"] for job in jobs] == [receipt.id]


def test_a_case_gets_one_receipt_however_often_it_is_asked_for(app: Flask) -> None:
    case = create_case(make_eservice(), make_resident().id, {"nickname": "Bamse"})
    db.commit()
    request_case_receipt(case)
    request_case_receipt(case)
    assert len(receipts()) == 1


def test_a_case_waiting_for_co_signers_gets_no_receipt_until_it_is_submitted(app: Flask) -> None:
    case = create_case(
        make_eservice(), make_resident().id, {"nickname": "Bamse"}, status=CaseStatus.DRAFT_SIGNING
    )
    db.commit()
    assert receipts() == []
    assert request_case_receipt(case) is None
    case.status = CaseStatus.SUBMITTED.value
    assert request_case_receipt(case) is not None
