"""Builders for documents tests: a case, receipt content with Swedish text and a repeating group, and the two
ways a forger might change a sealed PDF."""

from __future__ import annotations

import datetime as dt
import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from core import clock
from eservices.models import Case
from eservices.service import create_case
from signing.documents.content import (
    AttachmentLine,
    DocumentContent,
    DocumentKind,
    FieldLabel,
    Section,
    SignatureLine,
)
from tests.builders import make_resident, make_service

MUNICIPALITY = "Exempelstad kommun"


def make_case(answers: dict[str, object] | None = None) -> Case:
    return create_case(make_service(), make_resident().id, answers or {})


def receipt_content(
    case_reference: str, *, language: str = "sv", answers: dict[str, object] | None = None
) -> DocumentContent:
    """A receipt with Swedish text, a repeating group, an answer no section names, an attachment, a signature."""
    return DocumentContent(
        kind=DocumentKind.RECEIPT,
        language=language,
        municipality=MUNICIPALITY,
        service_title="Ansökan om förskoleplats",
        case_reference=case_reference,
        form_version="förskola v3",
        submitted_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        answers=answers
        if answers is not None
        else {
            "guardian_name": "Åsa Öberg",
            "street": "Storgatan 1, Växjö",
            "wants_meals": True,
            "children": [
                {"child_name": "Märta Öberg", "start_date": "2026-08-15"},
                {"child_name": "Björn Öberg", "start_date": "2026-09-01"},
            ],
            "message": "Tack för hjälpen!",
        },
        sections=(
            Section(
                title="Vårdnadshavare",
                fields=(
                    FieldLabel("guardian_name", "Ditt namn"),
                    FieldLabel("street", "Gatuadress"),
                    FieldLabel("wants_meals", "Behövs specialkost?"),
                ),
            ),
            Section(
                title="Barn",
                fields=(
                    FieldLabel(
                        "children",
                        "Barn som behöver plats",
                        item_label="Barn",
                        children=(
                            FieldLabel("child_name", "Barnets namn"),
                            FieldLabel("start_date", "Önskat startdatum"),
                        ),
                    ),
                ),
            ),
        ),
        attachments=(AttachmentLine("intyg.pdf", "ab" * 32, 12345),),
        signatures=(SignatureLine("Åsa Öberg", clock.now(), "BankID", role="Sökande"),),
        applicant_name="Åsa Öberg",
    )


def flip_byte_in_first_stream(data: bytes) -> bytes:
    """Change one byte of the first content stream: inside the signed range, without breaking the PDF."""
    start = data.index(b"stream\n") + len(b"stream\n") + 10
    tampered = bytearray(data)
    tampered[start] ^= 0x01
    return bytes(tampered)


def add_page_content_in_an_incremental_update(data: bytes) -> bytes:
    """What a forger would do: append a revision that puts new text on the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    addition = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (APPROVED) Tj ET")
    )
    page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"), addition])
    writer.mark_update(page_ref)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
