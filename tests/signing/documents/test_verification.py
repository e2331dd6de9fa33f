"""The public verification page: the right verdict for every kind of upload, and never a server error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from fpdf import FPDF

from core.db import db
from signing.document_models import Document
from signing.documents import service as documents
from signing.documents.receipt import render_receipt
from signing.pki import (
    SealMaterial,
    SealSettings,
    issue_certificate,
    make_ca,
    to_asn1_certificate,
    to_asn1_key,
)
from signing.seal import Sealer
from signing.verification import VerdictKind
from tests.signing.documents.receipts import (
    add_page_content_in_an_incremental_update,
    flip_byte_in_first_stream,
    make_case,
    receipt_content,
)

STAMP = ("Sealed by Exempelstad kommun",)


def sealed_receipt() -> tuple[Document, bytes]:
    case = make_case()
    document = documents.request_receipt(case, receipt_content(case.reference))
    documents.render_and_seal(document.id)
    db.commit()
    return document, documents.document_bytes(document)


def upload(client: FlaskClient, data: bytes, filename: str = "kvitto.pdf") -> tuple[int, str]:
    response = client.post(
        "/verify/",
        data={"document": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},  # the tests read the English wording
    )
    return response.status_code, response.get_data(as_text=True)


def verdict_of(page: str) -> str:
    marker = 'data-verdict="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def plain_pdf(**encryption: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Kvitto 2026-000001")
    if encryption:
        pdf.set_encryption(**encryption)
    return bytes(pdf.output())


def foreign_material() -> SealMaterial:
    """Another CA that issues a certificate with the municipality's very name: an impostor's seal."""
    root, root_key = make_ca("Someone else's CA", "Someone else", key_size=2048)
    seal_cert, seal_key = issue_certificate(root, root_key, "Exempelstad kommun", "Exempelstad kommun")
    tsa_cert, tsa_key = issue_certificate(root, root_key, "Other TSA", "Someone else", timestamping=True)
    return SealMaterial(
        signing_cert=to_asn1_certificate(seal_cert),
        signing_key=to_asn1_key(seal_key),
        private_key=seal_key,
        chain=(to_asn1_certificate(root),),
        trust_roots=(to_asn1_certificate(root),),
        crls=(),
        tsa_cert=to_asn1_certificate(tsa_cert),
        tsa_private_key=tsa_key,
    )


def test_the_verification_page_is_an_accessible_form_open_to_anyone(
    sealing_app: Flask, client: FlaskClient
) -> None:
    response = client.get("/verify/")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert '<label class="label" for="document">' in page
    assert 'aria-describedby="document-hint"' in page


def test_a_receipt_sealed_by_kanal_is_genuine_with_its_case_reference(
    sealing_app: Flask, client: FlaskClient
) -> None:
    document, data = sealed_receipt()

    status, page = upload(client, data)

    assert status == 200
    assert verdict_of(page) == VerdictKind.ISSUED
    assert document.case_reference in page


def test_verify_pdf_reads_the_kind_and_reference_from_the_document(sealing_app: Flask) -> None:
    document, data = sealed_receipt()

    verdict = documents.verify_pdf(data)

    assert verdict.genuine
    assert verdict.case_reference == document.case_reference
    assert verdict.document_kind == "receipt"
    assert verdict.sealed_at is not None


def test_a_sealed_document_kanal_has_no_record_of_is_flagged(sealing_app: Flask, client: FlaskClient) -> None:
    document, data = sealed_receipt()
    db.delete(db.get(Document, document.id))
    db.commit()

    status, page = upload(client, data)

    assert status == 200
    assert verdict_of(page) == VerdictKind.NOT_IN_REGISTER


@pytest.mark.parametrize(
    "tamper", [flip_byte_in_first_stream, add_page_content_in_an_incremental_update], ids=["bytes", "update"]
)
def test_a_receipt_changed_after_sealing_is_reported_altered(
    sealing_app: Flask, client: FlaskClient, tamper
) -> None:
    _document, data = sealed_receipt()

    status, page = upload(client, tamper(data))

    assert status == 200
    assert verdict_of(page) == VerdictKind.ALTERED


def test_a_pdf_sealed_by_another_ca_in_the_municipalitys_name_is_not_from_kanal(
    sealing_app: Flask, client: FlaskClient, seal_settings: SealSettings
) -> None:
    rendered = render_receipt(receipt_content("2026-000777"), 1)
    forged = Sealer(foreign_material(), seal_settings).seal(
        rendered.data, rendered.seal_placement, stamp_lines=STAMP, reason="Receipt"
    )

    status, page = upload(client, forged)

    assert status == 200
    assert verdict_of(page) == VerdictKind.FOREIGN
    assert "2026-000777" not in page  # nothing from an untrusted document is presented as fact


def test_a_pdf_without_a_signature_is_reported_unsigned(sealing_app: Flask, client: FlaskClient) -> None:
    status, page = upload(client, plain_pdf())

    assert status == 200
    assert verdict_of(page) == VerdictKind.UNSIGNED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not a pdf at all", "The file is not a PDF"),
        (b"", "The file is not a PDF"),
    ],
    ids=["not-pdf", "empty"],
)
def test_a_file_that_is_not_a_pdf_gets_an_error_next_to_the_upload_field(
    sealing_app: Flask, client: FlaskClient, data: bytes, message: str
) -> None:
    status, page = upload(client, data, "photo.gif")

    assert status == 400
    assert "error-summary" in page
    assert message in page


def test_an_encrypted_pdf_is_refused_with_a_clear_message(sealing_app: Flask, client: FlaskClient) -> None:
    status, page = upload(client, plain_pdf(owner_password="owner", user_password="secret"))

    assert status == 400
    assert "password-protected" in page


def test_a_truncated_sealed_receipt_is_reported_damaged(sealing_app: Flask, client: FlaskClient) -> None:
    _document, data = sealed_receipt()

    status, page = upload(client, data[: len(data) // 2])

    assert status == 400
    assert "damaged or incomplete" in page


def test_posting_without_a_file_asks_for_one(sealing_app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/verify/", data={}, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    )

    assert response.status_code == 400
    assert "Choose the PDF document to check" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "garbage",
    [
        b"%PDF-1.7\n" + b"\x00" * 500,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-1.4\ntrailer << /Root 99 0 R /Size 1 >>\nstartxref\n999999\n%%EOF",
    ],
    ids=["zeros", "no-xref", "bad-startxref"],
)
def test_malformed_pdfs_never_cause_a_server_error(
    sealing_app: Flask, client: FlaskClient, garbage: bytes
) -> None:
    status, _page = upload(client, garbage)

    assert status in {200, 400}


def test_the_verdict_page_is_shown_in_the_visitors_language(
    sealing_app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    client.get("/language/en")
    _document, data = sealed_receipt()

    _status, page = upload(client, data)

    assert 'lang="en"' in page
