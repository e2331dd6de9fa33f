"""The PDF receipt shows everything that was submitted, in the resident's language, with fonts that carry it."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.documents.content import DocumentContent
from signing.documents.metadata import METADATA_FILENAME
from signing.documents.receipt import render_receipt
from tests.signing.documents.receipts import receipt_content


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdfinfo", "-enc", "UTF-8", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_a_swedish_receipt_shows_every_answer_including_each_item_of_a_repeating_group(
    app: Flask, tmp_path: Path
) -> None:
    content = receipt_content("2026-000042")

    text = pdf_text(render_receipt(content, 7).data, tmp_path)

    for expected in (
        "Exempelstad kommun",
        "2026-000042",
        "Ansökan om förskoleplats",
        "förskola v3",
        "Åsa Öberg",
        "Storgatan 1, Växjö",
        "Barn som behöver plats",
        "Barn 1",
        "Märta Öberg",
        "Barn 2",
        "Björn Öberg",
        "2026-09-01",
        "Tack för hjälpen!",  # an answer no section names still appears
        "intyg.pdf",
        "ab" * 32,
        "BankID",
    ):
        assert expected in text, expected


def test_an_arabic_receipt_renders_arabic_answers_as_text_a_reader_can_extract(
    app: Flask, tmp_path: Path
) -> None:
    content = receipt_content(
        "2026-000043",
        language="ar",
        answers={"guardian_name": "محمد علي", "street": "شارع الملك 5", "children": [{"child_name": "سارة"}]},
    )

    rendered = render_receipt(content, 8)
    text = pdf_text(rendered.data, tmp_path)

    assert "محمد علي" in text
    assert "سارة" in text
    assert "2026-000043" in text
    # Right to left: the seal box sits at the right-hand margin of an Arabic document.
    assert rendered.seal_placement.box[0] > 250


def test_the_receipt_embeds_its_fonts_and_declares_title_and_language(app: Flask, tmp_path: Path) -> None:
    data = render_receipt(receipt_content("2026-000044", language="sv"), 9).data

    info = pdf_info(data, tmp_path)
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=False).stdout.decode()

    assert "Title:" in info and "Ansökan om förskoleplats" in info
    assert b"/Lang (sv)" in data or b"/Lang(sv)" in data
    rows = fonts.splitlines()[2:]
    assert rows and all("DejaVuSans" in row for row in rows)
    assert all(row.split()[-5] == "yes" for row in rows)  # the "emb" column: every font is embedded


def test_the_receipt_carries_a_label_with_its_case_reference_and_kind(app: Flask) -> None:
    data = render_receipt(receipt_content("2026-000045"), 10).data

    reader = PdfFileReader(io.BytesIO(data))
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    label = json.loads(names[1]["/EF"]["/F"].data)

    assert names[0] == METADATA_FILENAME
    assert label == {
        "issuer": "Kanal",
        "document_id": 10,
        "kind": "receipt",
        "case_reference": "2026-000045",
        "language": "sv",
        "municipality": "Exempelstad kommun",
    }


@pytest.mark.parametrize("language", ["sv", "en", "da", "ar"])
def test_content_survives_the_round_trip_through_json(language: str) -> None:
    content = receipt_content("2026-000046", language=language)

    assert DocumentContent.from_json(json.loads(json.dumps(content.to_json()))) == content
