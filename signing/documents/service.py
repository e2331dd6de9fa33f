"""The public face of Kanal's documents: request a receipt, seal it in the worker, read it, verify an upload.

`request_receipt` only records the document and queues the `document.seal` outbox job in the caller's
transaction, so submitting stays fast; the worker renders, seals and stores the PDF.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core import audit, clock, outbox
from core.config import Settings
from core.db import db
from core.storage import get_storage, sha256_hex
from signing.document_models import Document
from signing.documents.content import DocumentContent, DocumentKind
from signing.documents.layout import RIGHT_TO_LEFT, RenderedDocument
from signing.documents.receipt import render_receipt
from signing.pki import SealSettings, load_seal_material, load_trust_roots
from signing.seal import get_sealer, validation_context
from signing.verification import Verdict, VerdictKind, examine_pdf

__all__ = [
    "SEAL_JOB",
    "CaseIdentity",
    "DocumentNotReady",
    "Renderer",
    "Verdict",
    "VerdictKind",
    "document_bytes",
    "documents_for_case",
    "register_renderer",
    "render_and_seal",
    "request_document",
    "request_receipt",
    "seal_settings",
    "verify_pdf",
]

logger = logging.getLogger(__name__)

SEAL_JOB = "document.seal"
Renderer = Callable[[DocumentContent, int], RenderedDocument]
_RENDERERS: dict[DocumentKind, Renderer] = {DocumentKind.RECEIPT: render_receipt}


class CaseIdentity(Protocol):
    """What `signing` needs to know of a case (eservices' Case has both); keeps `signing` free of eservices."""

    @property
    def id(self) -> int: ...

    @property
    def reference(self) -> str: ...


class DocumentNotReady(LookupError):
    """The document has not been sealed yet (the worker has not got to it)."""


def seal_settings() -> SealSettings:
    settings: Settings = current_app.extensions["kanal.settings"]
    return SealSettings.from_settings(settings)


def register_renderer(kind: DocumentKind, renderer: Renderer) -> None:
    """Teach the sealing job to render documents of `kind` (eservices registers the decision letter)."""
    existing = _RENDERERS.get(kind)
    if existing is not None and existing is not renderer:
        raise ValueError(f"a renderer for {kind.value!r} documents is already registered")
    _RENDERERS[kind] = renderer


def request_document(case: CaseIdentity, content: DocumentContent) -> Document:
    """Record a document for `case` and queue its sealing, both in the current transaction.

    The content is fixed now: the worker renders exactly this, whatever happens to the case in the meantime.
    """
    if content.case_reference != case.reference:
        raise ValueError(f"the content is for case {content.case_reference}, not {case.reference}")
    document = Document(
        case_id=case.id,
        case_reference=case.reference,
        kind=content.kind.value,
        language=content.language,
        # The reference is Kanal's own (digits and a dash), so the name is safe in a Content-Disposition header.
        filename=f"{content.kind.value}-{case.reference}.pdf",
        content=content.to_json(),
    )
    db.add(document)
    db.flush()
    outbox.enqueue(SEAL_JOB, {"document_id": document.id}, idempotency_key=f"{SEAL_JOB}:{document.id}")
    return document


def request_receipt(case: CaseIdentity, content: DocumentContent) -> Document:
    """Record a receipt for `case` and queue its sealing, both in the current transaction."""
    if content.kind is not DocumentKind.RECEIPT:
        raise ValueError("request_receipt takes receipt content")
    return request_document(case, content)


def render_and_seal(document_id: int) -> Document:
    """Render, seal and store the document, once: a document already sealed is returned as it is."""
    document = db.get(Document, document_id)
    if document is None:
        raise LookupError(f"no document {document_id}")
    if document.sealed:
        return document
    content = DocumentContent.from_json(document.content)
    renderer = _RENDERERS.get(content.kind)
    if renderer is None:
        raise LookupError(f"no renderer for documents of kind {content.kind.value!r}")
    rendered = renderer(content, document.id)
    settings = seal_settings()
    with force_locale(_stamp_language(content.language)):
        stamp_lines = tuple(
            # The stamp's standard font covers Windows-1252 (Nordic letters included); anything else becomes "?"
            # there, while the document itself shows it in full.
            line.encode("cp1252", "replace").decode("cp1252")
            for line in (
                _("Sealed by %(municipality)s", municipality=settings.municipality_name),
                _("Verify at %(url)s", url=settings.verify_url),
            )
        )
        reason = _("Issued by %(municipality)s", municipality=settings.municipality_name)
    sealed = get_sealer(settings).seal(
        rendered.data, rendered.seal_placement, stamp_lines=stamp_lines, reason=reason
    )
    stored = get_storage().store(sealed, suffix=".pdf")
    document.storage_key = stored.key
    document.sha256 = stored.sha256
    document.sealed = True
    document.sealed_at = clock.now()
    audit.record(
        "document.sealed",
        "document",
        document.id,
        details={"case_reference": document.case_reference, "kind": document.kind, "sha256": stored.sha256},
        actor=("system", "worker"),
    )
    db.flush()
    return document


def _stamp_language(language: str) -> str:
    # The stamp is drawn by pyHanko in a left-to-right standard font; Arabic receipts get an English stamp.
    return "en" if language in RIGHT_TO_LEFT else language


@outbox.handler(SEAL_JOB)
def seal_document_job(payload: dict[str, Any], _context: outbox.JobContext) -> None:
    render_and_seal(int(payload["document_id"]))


def documents_for_case(case_id: int) -> list[Document]:
    """The case's documents, oldest first (My pages and the confirmation page show them once sealed)."""
    return list(db.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id)))


def document_bytes(document: Document) -> bytes:
    """The sealed PDF; raises DocumentNotReady before sealing and ValueError if the stored file has changed."""
    if not document.sealed or document.storage_key is None:
        raise DocumentNotReady(f"document {document.id} is not sealed yet")
    data = get_storage().read(document.storage_key)
    if sha256_hex(data) != document.sha256:
        raise ValueError(f"the stored file of document {document.id} does not match its recorded SHA-256")
    return data


def verify_pdf(data: bytes) -> Verdict:
    """Judge an uploaded PDF, and check a genuine-looking one against Kanal's register of documents."""
    settings = seal_settings()
    material = load_seal_material(settings)
    context = validation_context(material, allow_fetching=False, trust_roots=load_trust_roots(settings))
    verdict = examine_pdf(data, context, [material.signing_cert.subject])
    if verdict.kind is not VerdictKind.ISSUED or verdict.metadata is None:
        return verdict
    document = db.get(Document, verdict.metadata.document_id)
    registered = (
        document is not None
        and document.sealed
        and document.case_reference == verdict.metadata.case_reference
        and document.kind == verdict.metadata.kind
    )
    if not registered:
        return Verdict(
            VerdictKind.NOT_IN_REGISTER,
            case_reference=verdict.case_reference,
            document_kind=verdict.document_kind,
            sealed_at=verdict.sealed_at,
            signer=verdict.signer,
        )
    return verdict
