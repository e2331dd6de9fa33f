"""The text alternative of a sealed receipt or decision on My pages: the document's content as an HTML page, in the
document's own language and in the PDF's reading order, for residents whose assistive technology reads PDFs badly.

Only the case's own resident gets it; anyone else gets 404, logged like every other denied case read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from core.auth import current_resident, require_resident
from core.i18n import text_direction
from eservices import casework
from eservices.casework import CaseAccessDenied
from eservices.decision_document import outcome_label
from signing.documents.content import DocumentContent, DocumentKind, FieldLabel
from signing.documents.receipt import format_time, format_value

__all__ = ["TextBlock", "blueprint", "document_text"]

blueprint = Blueprint("document_text", __name__, url_prefix="/my-pages/cases", template_folder="templates")
blueprint.before_request(require_resident())


@dataclass(frozen=True)
class TextBlock:
    """One piece of the document in reading order: a heading, a paragraph, or a label with its value."""

    kind: str  # "heading" | "subheading" | "text" | "pair"
    text: str
    value: str = ""
    depth: int = 0  # nesting inside a repeating group (an item of a list of children, say)


@dataclass(frozen=True)
class DocumentText:
    title: str
    language: str
    blocks: tuple[TextBlock, ...]


def _answer_blocks(label: FieldLabel, value: Any, depth: int) -> list[TextBlock]:
    is_group = label.children or (
        isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value)
    )
    if not is_group:
        return [TextBlock("pair", label.label, format_value(value), depth)]
    blocks = [TextBlock("subheading", label.label, depth=depth)]
    items: Sequence[Any] = value if isinstance(value, list) else []
    if not items:
        return [*blocks, TextBlock("text", _("(not answered)"), depth=depth + 1)]
    named = {child.key for child in label.children}
    for number, item in enumerate(items, start=1):
        blocks.append(TextBlock("subheading", f"{label.item_label or label.label} {number}", depth=depth + 1))
        values: Mapping[str, Any] = item if isinstance(item, Mapping) else {"": item}
        for child in label.children:
            blocks.extend(_answer_blocks(child, values.get(child.key), depth + 2))
        for key, extra in values.items():
            if key not in named:
                blocks.extend(_answer_blocks(FieldLabel(key=key, label=key), extra, depth + 2))
    return blocks


def _receipt_blocks(content: DocumentContent) -> tuple[str, list[TextBlock]]:
    language = content.language
    title = _("Receipt for %(service)s", service=content.service_title)
    blocks = [
        TextBlock("text", content.municipality),
        TextBlock("pair", _("Case reference"), content.case_reference),
        TextBlock("pair", _("Service"), content.service_title),
        TextBlock("pair", _("Submitted"), format_time(content.submitted_at, language)),
    ]
    if content.applicant_name:
        blocks.append(TextBlock("pair", _("Applicant"), content.applicant_name))
    blocks.append(TextBlock("pair", _("Form version"), content.form_version))
    shown: set[str] = set()
    for section in content.sections:
        blocks.append(TextBlock("heading", section.title))
        for label in section.fields:
            shown.add(label.key)
            blocks.extend(_answer_blocks(label, content.answers.get(label.key), 0))
    rest = [key for key in content.answers if key not in shown]
    if rest:
        blocks.append(TextBlock("heading", _("Other answers")))
        for key in rest:
            blocks.extend(_answer_blocks(FieldLabel(key=key, label=key), content.answers[key], 0))
    blocks.append(TextBlock("heading", _("Attachments")))
    if not content.attachments:
        blocks.append(TextBlock("text", _("No attachments.")))
    for attachment in content.attachments:
        blocks.append(TextBlock("pair", attachment.filename, f"SHA-256: {attachment.sha256}"))
    blocks.append(TextBlock("heading", _("Signatures")))
    if not content.signatures:
        blocks.append(TextBlock("text", _("The submission was not signed electronically.")))
    for signature in content.signatures:
        who = f"{signature.signer_name} ({signature.role})" if signature.role else signature.signer_name
        when = format_time(signature.signed_at, language)
        blocks.append(
            TextBlock("pair", who, _("Signed %(time)s with %(method)s", time=when, method=signature.method))
        )
    return title, blocks


def _decision_blocks(content: DocumentContent) -> tuple[str, list[TextBlock]]:
    language = content.language
    extra = content.extra
    title = _("Decision on %(service)s", service=content.service_title)
    blocks = [TextBlock("text", content.municipality)]
    if extra.get("department"):
        blocks.append(TextBlock("text", str(extra["department"])))
    blocks += [
        TextBlock("pair", _("Case reference"), content.case_reference),
        TextBlock("pair", _("Service"), content.service_title),
    ]
    if content.applicant_name:
        blocks.append(TextBlock("pair", _("Applicant"), content.applicant_name))
    blocks.append(TextBlock("pair", _("Submitted"), format_time(content.submitted_at, language)))
    if extra.get("decided_at"):
        decided_at = dt.datetime.fromisoformat(str(extra["decided_at"]))
        blocks.append(TextBlock("pair", _("Decided"), format_time(decided_at, language)))
    blocks += [
        TextBlock("heading", _("Decision")),
        TextBlock("text", outcome_label(str(extra.get("outcome", "")))),
        TextBlock("heading", _("Reasoning")),
    ]
    blocks += [
        TextBlock("text", paragraph.strip())
        for paragraph in str(extra.get("reasoning", "")).split("\n\n")
        if paragraph.strip()
    ]
    blocks.append(TextBlock("pair", _("Decided by"), str(extra.get("decided_by", ""))))
    blocks.append(TextBlock("heading", _("How to appeal")))
    blocks.append(
        TextBlock(
            "text",
            _(
                "If you disagree with the decision you can appeal. Write to %(municipality)s, say which decision "
                "you appeal (give the case reference) and how you want it changed. The appeal must reach us "
                "within three weeks of the day you received the decision.",
                municipality=content.municipality,
            ),
        )
    )
    return title, blocks


def document_text(content: DocumentContent) -> DocumentText:
    """What the document says, as blocks in the PDF's reading order, worded in the document's language."""
    with force_locale(content.language):
        if content.kind is DocumentKind.DECISION:
            title, blocks = _decision_blocks(content)
        else:
            title, blocks = _receipt_blocks(content)
    return DocumentText(title=title, language=content.language, blocks=tuple(blocks))


@blueprint.get("/<reference>/documents/<int:document_id>/text")
def text_page(reference: str, document_id: int) -> str:
    resident = current_resident()
    assert resident is not None  # guaranteed by require_resident
    try:
        case = casework.case_for_resident(reference, resident)
        found = casework.document_for_case(case, document_id)
    except CaseAccessDenied as denied:
        abort(denied.status)
    text = document_text(DocumentContent.from_json(found.content))
    return render_template(
        "eservices/document_text.html",
        case=case,
        document=found,
        text=text,
        document_direction=text_direction(text.language),
    )
