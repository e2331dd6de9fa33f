"""Receipts and decisions for screen readers and right-to-left readers: each declares its title and language, and
an Arabic document is laid out from the right margin, a Swedish one from the left (measured with pdftotext)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from core import clock
from eservices.decision_document import decision_content, render_decision
from signing.documents.receipt import render_receipt
from tests.builders import make_resident
from tests.signing.documents.receipts import make_case, receipt_content

A4_WIDTH_PT = 595.28
MARGIN_PT = 20 * 72 / 25.4
LINE = re.compile(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"')


def line_edges(data: bytes, tmp_path: Path) -> list[tuple[float, float]]:
    """The left and right edge of every text line on the first page, in points."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    layout = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(float(left), float(right)) for left, right in LINE.findall(layout)]


def pdf_info(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def share_at(edges: list[float], edge: float) -> float:
    return sum(1 for value in edges if abs(value - edge) < 3) / len(edges)


def test_an_arabic_receipt_reads_from_the_right_margin(app: Flask, tmp_path: Path) -> None:
    content = receipt_content("2026-000201", language="ar", answers={"guardian_name": "محمد علي"})

    edges = line_edges(render_receipt(content, 21).data, tmp_path)

    right_edges = [right for _left, right in edges]
    # Unindented lines end at the right margin; none of them starts at the left one.
    assert share_at(right_edges, A4_WIDTH_PT - MARGIN_PT) > 0.5, right_edges
    assert share_at([left for left, _right in edges], MARGIN_PT) < 0.2


def test_a_swedish_receipt_reads_from_the_left_margin(app: Flask, tmp_path: Path) -> None:
    edges = line_edges(render_receipt(receipt_content("2026-000202", language="sv"), 22).data, tmp_path)

    assert share_at([left for left, _right in edges], MARGIN_PT) > 0.5


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_a_decision_declares_its_title_and_language(app: Flask, tmp_path: Path, language: str) -> None:
    resident = make_resident(preferred_language=language)
    case = make_case()
    case.resident_id = resident.id
    content = decision_content(
        case,
        outcome="approved",
        reasoning="Beviljas.",
        decided_by="Erik Lund",
        decided_at=clock.now(),
        resident=resident,
    )

    data = render_decision(content, 23).data

    assert f"/Lang ({language})".encode() in data or f"/Lang({language})".encode() in data
    title_line = next(line for line in pdf_info(data, tmp_path).splitlines() if line.startswith("Title:"))
    assert content.service_title in title_line
    assert b"/DisplayDocTitle true" in data
