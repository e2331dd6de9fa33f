"""The decision letter as a sealed PDF: its content, its layout, and the request that has the worker seal it.

A decision is recorded like a receipt (`signing.documents`): the `document` row holds the content fixed at the
moment of deciding, and the `document.seal` outbox job renders it with the shared layout and seals it with the
municipality's seal, the same seal as receipts. Importing this module teaches the sealing job to render
decisions, so the worker must import it (it is listed in `core.app.OUTBOX_HANDLER_MODULES`).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.config import Settings
from core.i18n import translated
from core.models import Resident
from eservices.models import Case
from signing.document_models import Document
from signing.documents import service as documents
from signing.documents.content import DocumentContent, DocumentKind
from signing.documents.layout import DocumentPdf, RenderedDocument
from signing.documents.metadata import DocumentMetadata
from signing.documents.receipt import format_time

__all__ = ["DOCUMENT_LANGUAGES", "decision_content", "outcome_label", "render_decision", "request_decision"]

DOCUMENT_LANGUAGES = frozenset({"sv", "en", "da", "ar"})


def outcome_label(outcome: str) -> str:
    """The outcome as the resident reads it, in the current locale."""
    labels = {
        "approved": _("Approved"),
        "partly_approved": _("Partly approved"),
        "rejected": _("Rejected"),
    }
    return labels.get(outcome, outcome)


def decision_content(
    case: Case,
    *,
    outcome: str,
    reasoning: str,
    decided_by: str,
    decided_at: dt.datetime,
    resident: Resident | None,
) -> DocumentContent:
    """What the decision letter shows, in the resident's language, fixed now so later edits cannot change it.

    `decided_by` is the decider's name as the resident reads it: the officer's, or the case system's.
    """
    settings: Settings = current_app.extensions["kanal.settings"]
    language = resident.preferred_language if resident is not None else "sv"
    if language not in DOCUMENT_LANGUAGES:
        language = "sv"
    department = case.queue.department.name if case.queue is not None else ""
    return DocumentContent(
        kind=DocumentKind.DECISION,
        language=language,
        municipality=settings.municipality_name,
        service_title=translated(case.service.title, language),
        case_reference=case.reference,
        form_version="",
        submitted_at=case.submitted_at or case.created_at,
        answers={},
        applicant_name=resident.full_name if resident is not None else "",
        extra={
            "outcome": outcome,
            "reasoning": reasoning,
            "decided_at": decided_at.isoformat(),
            "decided_by": decided_by,
            "department": department,
        },
    )


def request_decision(case: Case, content: DocumentContent) -> Document:
    """Record the decision document and queue its sealing, both in the current transaction."""
    if content.kind is not DocumentKind.DECISION:
        raise ValueError("request_decision takes decision content")
    return documents.request_document(case, content)


def render_decision(content: DocumentContent, document_id: int) -> RenderedDocument:
    """The decision letter as an unsealed PDF, with room for the seal on its last page."""
    language = content.language
    extra = content.extra
    decided_at = dt.datetime.fromisoformat(str(extra["decided_at"]))
    with force_locale(language):
        title = _("Decision on %(service)s", service=content.service_title)
        pdf = DocumentPdf(language=language, title=title, author=content.municipality, created_at=decided_at)
        pdf.text(content.municipality)
        if extra.get("department"):
            pdf.text(str(extra["department"]))
        pdf.title(title)
        pdf.pair(_("Case reference"), content.case_reference)
        pdf.pair(_("Service"), content.service_title)
        if content.applicant_name:
            pdf.pair(_("Applicant"), content.applicant_name)
        pdf.pair(_("Submitted"), format_time(content.submitted_at, language))
        pdf.pair(_("Decided"), format_time(decided_at, language))
        pdf.heading(_("Decision"))
        pdf.text(outcome_label(str(extra["outcome"])))
        pdf.heading(_("Reasoning"))
        for paragraph in str(extra["reasoning"]).split("\n\n"):
            pdf.text(paragraph.strip())
        pdf.pair(_("Decided by"), str(extra["decided_by"]))
        pdf.heading(_("How to appeal"))
        pdf.text(
            _(
                "If you disagree with the decision you can appeal. Write to %(municipality)s, say which decision "
                "you appeal (give the case reference) and how you want it changed. The appeal must reach us "
                "within three weeks of the day you received the decision.",
                municipality=content.municipality,
            )
        )
        metadata = DocumentMetadata(
            document_id=document_id,
            kind=content.kind.value,
            case_reference=content.case_reference,
            language=language,
            municipality=content.municipality,
        )
        return pdf.finish(
            metadata,
            seal_heading=_("Electronic seal"),
            seal_text=_(
                "%(municipality)s has sealed this decision electronically. Anyone can check that it is genuine "
                "and unaltered at the address in the seal.",
                municipality=content.municipality,
            ),
        )


# The sealing job looks renderers up by document kind; importing this module teaches it the decision letter.
documents.register_renderer(DocumentKind.DECISION, render_decision)
