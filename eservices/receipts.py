"""Receipts: every submitted case gets a sealed PDF receipt of exactly what was submitted.

When a case is submitted (for co-signed applications: when the last co-signer has signed and the case is
released), the worker's follow-up of the submission fixes its receipt content — every answer with the label the
resident saw, attachments with their SHA-256 and each signature given with the submission — and queues a sealing
job in the same transaction. The worker then renders and seals it.
"""

from __future__ import annotations

from typing import Any, cast

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.config import Settings
from core.db import db
from core.i18n import translated
from eservices import casework, events
from eservices.attachment_models import Attachment
from eservices.models import Case, CaseStatus, SignatureMethod
from eservices.submission_signing import signature_lines
from forms.definition import Field
from forms.rendering import display_answer
from forms.service import label_text, published_definition, visible_pages
from signing.document_models import Document
from signing.documents import service as documents
from signing.documents.content import (
    AttachmentLine,
    DocumentContent,
    DocumentKind,
    FieldLabel,
    Section,
    SignatureLine,
)

__all__ = ["receipt_content", "request_case_receipt"]


def _as_text(value: str | list[str]) -> str:
    return ", ".join(part for part in value if part) if isinstance(value, list) else value


def _labelled(field: Field, value: Any, language: str) -> tuple[FieldLabel, Any]:
    """The field's label and its answer as the resident would read it (option labels, "Yes", dates)."""
    label = label_text(field.label, language)
    if field.type == "repeating_group":
        children = tuple(FieldLabel(child.key, label_text(child.label, language)) for child in field.fields)
        entries = [
            {
                child.key: _as_text(display_answer(child, entry.get(child.key), language))
                for child in field.fields
                if child.is_input
            }
            for entry in (value or [])
            if isinstance(entry, dict)
        ]
        return FieldLabel(field.key, label, children, label_text(field.entry_label, language)), entries
    return FieldLabel(field.key, label), _as_text(display_answer(field, value, language))


def _form_sections(case: Case, language: str) -> tuple[tuple[Section, ...], dict[str, Any], str]:
    version = case.form_version
    if version is None:
        return (), dict(case.answers), ""
    form = version.form
    definition = published_definition(version)
    shown = set(visible_pages(definition, case.answers))
    sections: list[Section] = []
    answers: dict[str, Any] = {}
    for page in definition.pages:
        if page.id not in shown:
            continue
        fields: list[FieldLabel] = []
        for field in page.fields:
            if not field.is_input or field.key not in case.answers:
                continue
            label, answer = _labelled(field, case.answers[field.key], language)
            fields.append(label)
            answers[field.key] = answer
        if fields:
            sections.append(Section(title=label_text(page.title, language), fields=tuple(fields)))
    version_name = f"{form.key} v{version.version}"
    return tuple(sections), answers, version_name


def receipt_content(case: Case) -> DocumentContent:
    """What the receipt says, fixed at submission, in the resident's language."""
    settings = cast(Settings, current_app.extensions["kanal.settings"])
    resident = case.resident
    language = resident.preferred_language if resident is not None else settings.default_language
    with force_locale(language):
        sections, answers, version_name = _form_sections(case, language)
        attachments = tuple(
            AttachmentLine(attachment.filename, attachment.sha256, attachment.size)
            for attachment in db.scalars(
                select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
            )
        ) + _signature_page(case)
        return DocumentContent(
            kind=DocumentKind.RECEIPT,
            language=language,
            municipality=settings.municipality_name,
            service_title=translated(case.service.title, language),
            case_reference=case.reference,
            form_version=version_name,
            submitted_at=case.submitted_at or case.created_at,
            answers=answers,
            sections=sections,
            attachments=attachments,
            signatures=signature_lines(case.id) + _paper_signature(case),
            applicant_name=resident.full_name if resident is not None else "",
        )


def _signature_page(case: Case) -> tuple[AttachmentLine, ...]:
    if case.signature_method != SignatureMethod.PAPER.value:
        return ()
    page = casework.signature_page(case)
    return () if page is None else (AttachmentLine(page.filename, page.sha256, page.size),)


def _paper_signature(case: Case) -> tuple[SignatureLine, ...]:
    """The applicant's signature on paper (filed by an agent with the scanned page), which has no BankID record."""
    if case.signature_method != SignatureMethod.PAPER.value:
        return ()
    resident = case.resident
    return (
        SignatureLine(
            signer_name=resident.full_name if resident is not None else "",
            signed_at=case.submitted_at or case.created_at,
            method=_("On paper (the scanned signature page is attached)"),
            role=_("Applicant"),
        ),
    )


def request_case_receipt(case: Case) -> Document | None:
    """Queue the case's receipt unless it has one; co-signed cases get theirs when every signature is in."""
    if case.status == CaseStatus.DRAFT_SIGNING.value:
        return None
    existing = db.scalar(
        select(Document).where(Document.case_id == case.id, Document.kind == DocumentKind.RECEIPT.value)
    )
    if existing is not None:
        return existing
    return documents.request_receipt(case, receipt_content(case))


@events.case_submission_committed.connect
def _on_case_submitted(case: Case, **_extra: Any) -> None:
    # The worker sends this once the submission has committed, so every signature given with it is stored.
    request_case_receipt(case)
