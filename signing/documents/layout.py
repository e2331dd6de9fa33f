"""The page layout every Kanal document shares: embedded fonts, text direction, metadata, and room for the seal.

Built on fpdf2 with HarfBuzz text shaping (the `uharfbuzz` package), so Arabic is joined and laid out right to
left; DejaVu Sans (vendored in `fonts/`, Bitstream Vera licence) covers Swedish, Danish and Arabic.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF, ViewerPreferences
from fpdf.enums import XPos, YPos

from signing.documents.metadata import METADATA_FILENAME, DocumentMetadata
from signing.seal import SealPlacement

__all__ = ["FONT_DIR", "DocumentPdf", "RenderedDocument"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVuSans"
RIGHT_TO_LEFT = frozenset({"ar"})
_MM_TO_PT = 72 / 25.4
# fontTools logs every subsetting step at INFO, a screenful per document in the worker's log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
# The seal stamp's box on the last page, in millimetres; the renderer keeps this much free at the end.
SEAL_WIDTH_MM = 90
SEAL_HEIGHT_MM = 24


@dataclass(frozen=True)
class RenderedDocument:
    data: bytes
    seal_placement: SealPlacement


class DocumentPdf:
    """One A4 document in one language; write headings and label/value pairs, then `finish()`."""

    def __init__(self, *, language: str, title: str, author: str, created_at: dt.datetime) -> None:
        self.language = language
        self.rtl = language in RIGHT_TO_LEFT
        pdf = FPDF(format="A4", unit="mm")
        pdf.set_margins(20, 20, 20)
        pdf.set_auto_page_break(auto=True, margin=20)
        pdf.add_font(FONT_FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font(FONT_FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        # No fixed direction: each paragraph takes it from its text (Unicode bidi), so a Latin case reference in
        # an Arabic receipt, or an Arabic answer in a Swedish one, reads correctly; alignment follows the language.
        pdf.set_text_shaping(use_shaping_engine=True)
        pdf.set_title(title)
        pdf.set_lang(language)
        pdf.set_author(author)
        pdf.set_creator("Kanal")
        pdf.set_creation_date(created_at)
        # Viewers show the title instead of the file name, which is what screen reader users hear first.
        pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
        pdf.add_page()
        self.pdf = pdf

    @property
    def _align(self) -> str:
        return "R" if self.rtl else "L"

    def _paragraph(
        self, text: str, *, size: float, bold: bool = False, indent: float = 0, gap: float = 0
    ) -> None:
        pdf = self.pdf
        pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
        width = pdf.epw - indent
        pdf.set_x(pdf.l_margin + (0 if self.rtl else indent))
        pdf.multi_cell(
            width,
            size * 0.5,
            text or " ",
            align=self._align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            markdown=False,
        )
        if gap:
            pdf.ln(gap)

    def title(self, text: str) -> None:
        self._paragraph(text, size=18, bold=True, gap=2)

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self._paragraph(text, size=13, bold=True, gap=1)

    def subheading(self, text: str, *, indent: float = 0) -> None:
        self._paragraph(text, size=11, bold=True, indent=indent, gap=0.5)

    def text(self, text: str, *, indent: float = 0) -> None:
        self._paragraph(text, size=10, indent=indent, gap=1)

    def pair(self, label: str, value: str, *, indent: float = 0) -> None:
        """A label on its own line, its value below: readable in both directions and when text wraps."""
        self._paragraph(label, size=9, bold=True, indent=indent)
        self._paragraph(value, size=10, indent=indent, gap=1.5)

    def finish(self, metadata: DocumentMetadata, *, seal_heading: str, seal_text: str) -> RenderedDocument:
        """End with the seal section and its empty stamp box; attach the metadata; return the bytes."""
        pdf = self.pdf
        needed = SEAL_HEIGHT_MM + 30
        if pdf.get_y() + needed > pdf.h - pdf.b_margin:
            pdf.add_page()
        self.heading(seal_heading)
        self.text(seal_text)
        pdf.ln(2)
        top_mm = pdf.get_y()
        left_mm = pdf.w - pdf.r_margin - SEAL_WIDTH_MM if self.rtl else pdf.l_margin
        pdf.embed_file(
            bytes=metadata.to_bytes(),
            basename=METADATA_FILENAME,
            desc="Kanal document label",
            mime_type="application/json",
            modification_date=None,
            compress=False,
        )
        page_height_pt = pdf.h * _MM_TO_PT
        box = (
            round(left_mm * _MM_TO_PT),
            round(page_height_pt - (top_mm + SEAL_HEIGHT_MM) * _MM_TO_PT),
            round((left_mm + SEAL_WIDTH_MM) * _MM_TO_PT),
            round(page_height_pt - top_mm * _MM_TO_PT),
        )
        placement = SealPlacement(page=pdf.page - 1, box=box)
        return RenderedDocument(data=bytes(pdf.output()), seal_placement=placement)
