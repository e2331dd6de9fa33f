"""The text alternative of receipts and decisions on My pages: the document's content as a page, in the document's
language and reading order, linked beside the PDF, for the case's own resident only."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient

from core import clock
from eservices.decision_document import decision_content, request_decision
from eservices.document_text_views import document_text
from signing.documents import service as documents
from signing.documents.content import DocumentContent, DocumentKind, FieldLabel, Section
from tests.builders import make_case, make_resident
from tests.eservices.casework_fixtures import audit_entries, log_in_resident, make_department_with_officer


def receipt_content(reference: str, language: str = "sv") -> DocumentContent:
    arabic = language == "ar"
    return DocumentContent(
        kind=DocumentKind.RECEIPT,
        language=language,
        municipality="Exempelstad kommun",
        service_title="مكان في الروضة" if arabic else "Förskoleplats",
        case_reference=reference,
        form_version="2",
        submitted_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
        applicant_name="Fatima Ahmadi",
        answers={
            "street": "شارع الملك 5" if arabic else "Storgatan 1",
            "children": [{"child_name": "Layla"}, {"child_name": "Adam"}],
            "note": "extra",
        },
        sections=(
            Section(
                title="Adress",
                fields=(
                    FieldLabel(key="street", label="Gatuadress"),
                    FieldLabel(
                        key="children",
                        label="Barn",
                        item_label="Barn",
                        children=(FieldLabel(key="child_name", label="Namn"),),
                    ),
                ),
            ),
        ),
    )


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_the_text_follows_the_receipts_reading_order_and_leaves_no_answer_out(app: Flask) -> None:
    text = document_text(receipt_content("2026-000101"))

    kinds_and_texts = [(block.kind, block.text) for block in text.blocks]
    assert "Förskoleplats" in text.title
    assert ("pair", "Gatuadress") in kinds_and_texts
    assert ("subheading", "Barn 1") in kinds_and_texts and ("subheading", "Barn 2") in kinds_and_texts
    assert kinds_and_texts.index(("subheading", "Barn 1")) < kinds_and_texts.index(("subheading", "Barn 2"))
    assert any(block.text == "note" and block.value == "extra" for block in text.blocks)


def test_the_resident_reads_their_receipt_as_text_in_the_documents_language(
    app: Flask, client: FlaskClient
) -> None:
    unit = make_department_with_officer()
    resident = make_resident(given_name="Fatima", family_name="Ahmadi")
    case = make_case(unit.service, resident)
    document = documents.request_document(case, receipt_content(case.reference, "ar"))
    document.sealed = True
    log_in_resident(app, client, resident)

    case_page = page(client.get(f"/my-pages/cases/{case.reference}"))
    response = client.get(f"/my-pages/cases/{case.reference}/documents/{document.id}/text")

    assert f"/documents/{document.id}/text" in case_page
    assert response.status_code == 200
    body = page(response)
    assert 'lang="ar" dir="rtl"' in body
    assert "شارع الملك 5" in body and case.reference in body
    assert "<h1" in body and "<dt>" in body


def test_a_decision_reads_as_text_with_its_outcome_reasoning_and_how_to_appeal(
    app: Flask, client: FlaskClient
) -> None:
    unit = make_department_with_officer()
    resident = make_resident(preferred_language="sv")
    case = make_case(unit.service, resident)
    content = decision_content(
        case,
        outcome="approved",
        reasoning="Första stycket.\n\nAndra stycket.",
        decided_by="Erik Lund",
        decided_at=clock.now(),
        resident=resident,
    )
    document = request_decision(case, content)
    log_in_resident(app, client, resident)

    body = page(client.get(f"/my-pages/cases/{case.reference}/documents/{document.id}/text"))

    assert "Första stycket." in body and "Andra stycket." in body
    assert "Erik Lund" in body
    assert body.index("Första stycket.") < body.index("Andra stycket.")


def test_someone_elses_document_is_not_found_and_the_attempt_is_logged(
    app: Flask, client: FlaskClient
) -> None:
    unit = make_department_with_officer()
    owner, other = make_resident(), make_resident()
    case = make_case(unit.service, owner)
    other_case = make_case(unit.service, other)
    document = documents.request_document(case, receipt_content(case.reference))
    log_in_resident(app, client, other)

    through_their_case = client.get(f"/my-pages/cases/{case.reference}/documents/{document.id}/text")
    through_own_case = client.get(f"/my-pages/cases/{other_case.reference}/documents/{document.id}/text")

    assert through_their_case.status_code == 404
    assert through_own_case.status_code == 404
    denied = audit_entries("denied")
    assert {entry.subject_kind for entry in denied} >= {"case", "document"}


def test_without_logging_in_the_text_asks_for_bankid(app: Flask, client: FlaskClient) -> None:
    response = client.get("/my-pages/cases/2026-000001/documents/1/text")

    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]
