"""Sealing: a PAdES-B-LT seal with an RFC 3161 timestamp that pyHanko and, independently, poppler's pdfsig accept,
made once per document by the outbox worker."""

from __future__ import annotations

import io
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from sqlalchemy import delete, func, select

from core import outbox
from core.db import db
from core.models import OutboxMessage
from core.storage import get_storage
from eservices.models import Case
from signing.document_models import Document
from signing.documents import service as documents
from signing.documents.receipt import render_receipt
from signing.pki import DevelopmentPki, SealConfigurationError, SealSettings, load_seal_material
from signing.seal import Sealer, get_sealer, validation_context
from signing.tsa import TimestampAuthority, _handler_for
from tests.signing.documents.receipts import (
    add_page_content_in_an_incremental_update,
    flip_byte_in_first_stream,
    make_case,
    receipt_content,
)

STAMP = ("Sealed by Exempelstad kommun", "Verify at http://localhost:5000/verify")


def seal(settings: SealSettings, reference: str = "2026-000100") -> bytes:
    rendered = render_receipt(receipt_content(reference), 1)
    return get_sealer(settings).seal(
        rendered.data, rendered.seal_placement, stamp_lines=STAMP, reason="Receipt"
    )


def pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(data)
    # pdfsig checks against its NSS database, which does not hold Kanal's local test CA (we do not add it), so
    # "Certificate issuer isn't Trusted" is expected; what it checks here is the signature over the bytes.
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout


def test_a_sealed_receipt_is_intact_trusted_and_timestamped_for_pyhanko(
    app: Flask, seal_settings: SealSettings
) -> None:
    sealed = seal(seal_settings)

    reader = PdfFileReader(io.BytesIO(sealed))
    signature = reader.embedded_signatures[0]
    material = load_seal_material(seal_settings)
    status = validate_pdf_signature(signature, validation_context(material, allow_fetching=False))

    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Exempelstad kommun"
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert (
        status.timestamp_validity.signing_cert.subject.native["common_name"]
        == "Kanal test timestamp authority"
    )
    # PAdES-B-LT: the validation data (chain and CRL) sits in the document security store of the same revision.
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 2 and len(dss["/CRLs"]) == 1
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_pdfsig_reports_the_sealed_receipt_valid_and_wholly_signed(
    app: Flask, seal_settings: SealSettings, tmp_path: Path
) -> None:
    report = pdfsig(seal(seal_settings), tmp_path)

    assert "Signature is Valid." in report
    assert "Total document signed" in report
    assert "Exempelstad kommun" in report


def test_a_copy_with_a_flipped_byte_fails_pdfsig(
    app: Flask, seal_settings: SealSettings, tmp_path: Path
) -> None:
    report = pdfsig(flip_byte_in_first_stream(seal(seal_settings)), tmp_path)

    assert "Signature is Valid." not in report
    assert "Signature is Invalid." in report or "Digest Mismatch" in report


def test_pdfsig_sees_that_an_incremental_update_leaves_part_of_the_document_unsealed(
    app: Flask, seal_settings: SealSettings, tmp_path: Path
) -> None:
    report = pdfsig(add_page_content_in_an_incremental_update(seal(seal_settings)), tmp_path)

    assert "Not total document signed" in report


def test_the_seal_is_visible_on_the_last_page(
    app: Flask, seal_settings: SealSettings, tmp_path: Path
) -> None:
    path = tmp_path / "sealed.pdf"
    path.write_bytes(seal(seal_settings))

    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout

    assert "Sealed by Exempelstad kommun" in text


@pytest.fixture
def http_tsa(seal_settings: SealSettings) -> Iterator[str]:
    """The development TSA served over HTTP on a free port, as `python -m signing.tsa` serves it."""
    material = load_seal_material(seal_settings)
    assert material.tsa_cert is not None and material.tsa_private_key is not None
    authority = TimestampAuthority(material.tsa_cert, material.tsa_private_key, material.chain)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(authority))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def test_production_configuration_seals_with_a_pkcs12_file_and_an_http_tsa(
    app: Flask, seal_settings: SealSettings, http_tsa: str
) -> None:
    pkcs12 = DevelopmentPki(Path(seal_settings.development_pki_dir)).seal_pkcs12
    production = SealSettings(
        municipality_name="Exempelstad kommun",
        verify_url="https://e.exempelstad.se/verify",
        pkcs12_path=str(pkcs12),
        tsa_url=http_tsa,
        allow_development_pki=False,
    )
    material = load_seal_material(production)
    sealer = Sealer(material, production)
    rendered = render_receipt(receipt_content("2026-000101"), 1)

    sealed = sealer.seal(rendered.data, rendered.seal_placement, stamp_lines=STAMP, reason="Receipt")

    context = validation_context(load_seal_material(seal_settings), allow_fetching=False)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0], context)
    assert status.bottom_line and status.timestamp_validity is not None and status.timestamp_validity.trusted


def test_production_refuses_to_seal_with_the_development_pki(tmp_path: Path) -> None:
    settings = SealSettings(
        municipality_name="Exempelstad kommun",
        verify_url="https://e.exempelstad.se/verify",
        development_pki_dir=str(tmp_path / "pki"),
        allow_development_pki=False,
    )

    with pytest.raises(SealConfigurationError, match="KANAL_SEAL_PKCS12"):
        load_seal_material(settings)
    assert not (tmp_path / "pki").exists()


def test_a_wrong_pkcs12_passphrase_names_the_setting_to_fix(seal_settings: SealSettings) -> None:
    pkcs12 = DevelopmentPki(Path(seal_settings.development_pki_dir)).seal_pkcs12
    settings = SealSettings(
        municipality_name="Exempelstad kommun",
        verify_url="x",
        pkcs12_path=str(pkcs12),
        pkcs12_passphrase="wrong",
        tsa_url="http://127.0.0.1:9/",
        allow_development_pki=False,
    )

    with pytest.raises(SealConfigurationError, match="KANAL_SEAL_PASSPHRASE"):
        load_seal_material(settings)


def test_the_test_tsa_answers_an_unknown_hash_algorithm_with_a_rejection(seal_settings: SealSettings) -> None:
    from asn1crypto import tsp

    material = load_seal_material(seal_settings)
    assert material.tsa_cert is not None and material.tsa_private_key is not None
    authority = TimestampAuthority(material.tsa_cert, material.tsa_private_key)
    request = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {"hash_algorithm": {"algorithm": "md5"}, "hashed_message": b"0" * 16},
        }
    )

    response = authority.respond(request)

    assert response["status"]["status"].native == "rejection"
    assert isinstance(material.tsa_private_key, ec.EllipticCurvePrivateKey)


def quiet_case() -> Case:
    """A case whose own submission side effects (notice, receipt) are cleared, so the test sees only its own."""
    case = make_case()
    db.commit()
    db.execute(delete(OutboxMessage))
    db.execute(delete(Document))
    db.commit()
    return case


def test_the_outbox_worker_seals_a_requested_receipt_exactly_once(sealing_app: Flask) -> None:
    case = quiet_case()
    document = documents.request_receipt(case, receipt_content(case.reference))
    db.commit()

    assert outbox.process_next("test-worker") is True
    assert outbox.process_next("test-worker") is False  # nothing left: one job per document

    db.expire_all()
    sealed = db.get(Document, document.id)
    assert sealed is not None and sealed.sealed and sealed.sealed_at is not None
    first_key = sealed.storage_key
    assert documents.document_bytes(sealed).startswith(b"%PDF-")

    again = documents.render_and_seal(sealed.id)  # a retried job finds the work done
    assert again.storage_key == first_key
    jobs = db.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == documents.SEAL_JOB)
    )
    assert jobs == 1
    assert get_storage().sha256(first_key or "") == sealed.sha256


def test_a_receipt_requested_in_a_rolled_back_transaction_is_never_sealed(sealing_app: Flask) -> None:
    case = quiet_case()
    documents.request_receipt(case, receipt_content(case.reference))
    db.rollback()

    assert outbox.process_next("test-worker") is False
    assert db.scalar(select(func.count()).select_from(Document)) == 0
