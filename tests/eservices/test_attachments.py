"""Attachments: types by content, size and count limits, clean names, SHA-256, and files that follow the case."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core.db import db
from eservices import attachments, filing
from eservices.attachment_models import Attachment
from eservices.filing import Actor, DraftAccess, Step, Upload
from eservices.models import Case, Channel
from tests.builders import make_resident
from tests.eservices.filing_helpers import EXE, HTML, PDF, PNG, location, log_in, make_eservice


@pytest.fixture
def draft(app: Flask):  # type: ignore[no-untyped-def]
    resident = make_resident()
    return filing.start_draft(make_eservice(), Actor.resident(resident), Channel.SELF_SERVICE, resident)


def upload(draft, data: bytes, name: str = "intyg.pdf"):  # type: ignore[no-untyped-def]
    return filing.save_page(draft, Step("details"), {}, {"evidence": [Upload(io.BytesIO(data), name)]}, "en")


def messages(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [error.message % dict(error.params) if error.params else error.message for error in outcome.errors]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("läkarintyg.pdf", "läkarintyg.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\anna\\intyg.pdf", "intyg.pdf"),
        ('<img src=x onerror="alert(1)">.pdf', "_img src_x onerror__alert(1)__.pdf"),
        ("\x00\x1fhidden\u202e.pdf", "hidden.pdf"),
        ("...", "file"),
        ("", "file"),
        ("تقرير طبي.pdf", "تقرير طبي.pdf"),
    ],
)
def test_file_names_are_cleaned_before_they_are_kept(given: str, kept: str) -> None:
    assert attachments.sanitise_filename(given) == kept


def test_a_long_file_name_keeps_its_extension() -> None:
    cleaned = attachments.sanitise_filename("a" * 300 + ".pdf")
    assert len(cleaned) <= 120 and cleaned.endswith(".pdf")


def test_a_pdf_is_stored_with_its_type_from_the_content_and_its_sha256(draft, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outcome = upload(draft, PDF)

    assert outcome.saved and outcome.errors == []
    stored = db.scalar(select(Attachment))
    assert stored is not None
    assert (stored.filename, stored.content_type, stored.size) == ("intyg.pdf", "application/pdf", len(PDF))
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (tmp_path / "files" / stored.storage_key).read_bytes() == PDF
    assert "intyg" not in stored.storage_key
    assert draft.answers["evidence"][0]["sha256"] == stored.sha256


@pytest.mark.parametrize(
    ("content", "name"), [(EXE, "intyg.pdf"), (HTML, "intyg.pdf"), (b"just text", "intyg.png")]
)
def test_a_disguised_file_is_refused_and_not_stored(draft, content: bytes, name: str) -> None:  # type: ignore[no-untyped-def]
    outcome = upload(draft, content, name)

    assert not outcome.saved
    assert messages(outcome) == ["The file must be one of these types: PDF, PNG."]
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0


def test_an_allowed_type_under_a_misleading_name_gets_the_right_extension(draft) -> None:  # type: ignore[no-untyped-def]
    upload(draft, PNG, "photo.exe")

    assert db.scalar(select(Attachment.filename)) == "photo.exe.png"


def test_a_file_over_the_fields_size_limit_is_refused(draft) -> None:  # type: ignore[no-untyped-def]
    outcome = upload(draft, PDF + b"0" * 4096)

    assert messages(outcome) == ["The file must be at most 2 kB."]
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0


def test_an_empty_file_is_refused(draft) -> None:  # type: ignore[no-untyped-def]
    assert messages(upload(draft, b"")) == ["The file is empty. Choose another file."]


def test_more_files_than_the_field_allows_are_refused(draft) -> None:  # type: ignore[no-untyped-def]
    upload(draft, PDF, "one.pdf")
    upload(draft, PNG, "two.png")

    third = upload(draft, PDF, "three.pdf")

    assert messages(third) == ["Upload at most 2 files."]
    assert db.scalar(select(func.count()).select_from(Attachment)) == 2


def test_all_files_of_a_draft_together_have_a_limit(draft, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(attachments, "DRAFT_TOTAL_LIMIT_BYTES", len(PDF) + 10)
    upload(draft, PDF, "one.pdf")

    second = upload(draft, PNG, "two.png")

    assert messages(second)[0].startswith("All files together must be at most")


def test_a_file_can_be_removed_from_the_draft_but_not_someone_elses(draft) -> None:  # type: ignore[no-untyped-def]
    upload(draft, PDF)
    stored = db.scalar(select(Attachment))
    assert stored is not None

    assert not attachments.remove_attachment(draft.id + 1, stored.id)
    outcome = filing.save_page(draft, Step("details"), {}, {}, "en", f"remove-file:{stored.id}")

    assert not outcome.saved
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0


def test_submitted_files_belong_to_the_case(draft) -> None:  # type: ignore[no-untyped-def]
    filing.save_page(draft, Step("about"), {"nickname": "Kim", "has_pet": "no"}, {}, "en")
    upload(draft, PDF)
    resident_id = draft.resident_id

    case = filing.submit_draft(
        draft.id, DraftAccess(resident_id=resident_id), Actor("resident", str(resident_id)), "en"
    ).case

    stored = db.scalar(select(Attachment))
    assert stored is not None and stored.case_id == case.id
    assert db.get(Case, case.id).answers["evidence"][0]["storage_key"] == stored.storage_key  # type: ignore[union-attr]


def test_a_disguised_upload_through_the_page_shows_an_error_not_a_server_error(
    app: Flask, client: FlaskClient
) -> None:
    make_eservice(slug="uploads")
    log_in(client, app, make_resident())
    page_url = location(client.post("/services/uploads/start"))
    details_url = location(client.post(page_url, data={"nickname": "Kim", "has_pet": "no"}))

    response = client.post(
        details_url, data={"evidence": (io.BytesIO(EXE), "intyg.pdf")}, content_type="multipart/form-data"
    )

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'href="#field-evidence"' in body and "error-summary" in body


def test_an_upload_larger_than_any_request_may_be_is_refused_politely(
    app: Flask, client: FlaskClient
) -> None:
    make_eservice(slug="huge")
    log_in(client, app, make_resident())
    page_url = location(client.post("/services/huge/start"))
    details_url = location(client.post(page_url, data={"nickname": "Kim", "has_pet": "no"}))

    response = client.post(
        details_url,
        data={"evidence": (io.BytesIO(b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)), "huge.pdf")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
