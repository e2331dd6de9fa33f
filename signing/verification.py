"""Checking an uploaded PDF: is it a document Kanal sealed, and is it unaltered since sealing?

`examine_pdf` judges the file on its own (pyHanko validation against the configured trust roots, the seal's
certificate subject, and the label inside the document); the documents service adds the check against Kanal's
own register. Every outcome is a `Verdict`: the input is anybody's upload, so nothing here raises for bad input.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import logging
from collections.abc import Collection
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from signing.documents.metadata import METADATA_FILENAME, DocumentMetadata
from signing.seal import SEAL_FIELD_NAME

__all__ = ["Verdict", "VerdictKind", "examine_pdf"]

logger = logging.getLogger(__name__)

# A PDF's header must start within its first 1024 bytes (ISO 32000-1, annex H.3).
_HEADER_WINDOW = 1024
_ACCEPTABLE_LATER_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


class VerdictKind(enum.StrEnum):
    ISSUED = "issued"  # sealed by Kanal, unaltered, and in Kanal's register
    NOT_IN_REGISTER = "not_in_register"  # sealed with Kanal's certificate, but Kanal has no record of it
    NOT_PDF = "not_pdf"
    ENCRYPTED = "encrypted"
    DAMAGED = "damaged"
    UNSIGNED = "unsigned"
    FOREIGN = "foreign"  # signed, but not by Kanal's seal
    ALTERED = "altered"  # the seal no longer matches the content


UNREADABLE = frozenset({VerdictKind.NOT_PDF, VerdictKind.ENCRYPTED, VerdictKind.DAMAGED})


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    case_reference: str | None = None
    document_kind: str | None = None
    sealed_at: dt.datetime | None = None
    signer: str | None = None
    metadata: DocumentMetadata | None = None

    @property
    def genuine(self) -> bool:
        return self.kind is VerdictKind.ISSUED

    @property
    def readable(self) -> bool:
        """Whether the file could be examined at all (a PDF, not encrypted, not damaged)."""
        return self.kind not in UNREADABLE


def examine_pdf(
    data: bytes,
    validation_context: ValidationContext,
    seal_subjects: Collection[asn1_x509.Name],
) -> Verdict:
    """Judge `data` without consulting the database; ISSUED here means "sealed by Kanal and unaltered"."""
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        return Verdict(VerdictKind.NOT_PDF)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            return Verdict(VerdictKind.ENCRYPTED)
        signatures = reader.embedded_signatures
    except Exception:
        # pyHanko raises many kinds of errors for broken files (PdfReadError, KeyError, ValueError...); to the
        # person uploading, all of them mean the same thing.
        logger.info("Uploaded PDF could not be parsed", exc_info=True)
        return Verdict(VerdictKind.DAMAGED)
    if not signatures:
        return Verdict(VerdictKind.UNSIGNED)
    seal = next((item for item in signatures if item.field_name == SEAL_FIELD_NAME), signatures[0])
    return _judge_seal(reader, seal, validation_context, seal_subjects)


def _judge_seal(
    reader: PdfFileReader,
    seal: EmbeddedPdfSignature,
    validation_context: ValidationContext,
    seal_subjects: Collection[asn1_x509.Name],
) -> Verdict:
    try:
        status = validate_pdf_signature(seal, validation_context)
    except Exception:
        # A seal whose signature data cannot even be parsed has been tampered with or damaged.
        logger.info("Uploaded PDF's signature could not be validated", exc_info=True)
        return Verdict(VerdictKind.ALTERED)
    signer = status.signing_cert.subject.human_friendly if status.signing_cert is not None else None
    if not (status.intact and status.valid):
        return Verdict(VerdictKind.ALTERED, signer=signer)
    if not status.trusted or status.signing_cert is None or status.signing_cert.subject not in seal_subjects:
        return Verdict(VerdictKind.FOREIGN, signer=signer)
    unchanged = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in _ACCEPTABLE_LATER_CHANGES
        and status.docmdp_ok
    )
    if not unchanged:
        return Verdict(VerdictKind.ALTERED, signer=signer)
    timestamp = status.timestamp_validity
    if timestamp is None or not (timestamp.intact and timestamp.valid and timestamp.trusted):
        # Kanal's seals always carry a timestamp from a trusted TSA; one without is not a Kanal seal.
        return Verdict(VerdictKind.FOREIGN, signer=signer)
    metadata = _read_label(reader)
    if metadata is None:
        return Verdict(VerdictKind.NOT_IN_REGISTER, signer=signer, sealed_at=timestamp.timestamp)
    return Verdict(
        VerdictKind.ISSUED,
        case_reference=metadata.case_reference,
        document_kind=metadata.kind,
        sealed_at=timestamp.timestamp,
        signer=signer,
        metadata=metadata,
    )


def _read_label(reader: PdfFileReader) -> DocumentMetadata | None:
    """Kanal's JSON label from the document's embedded files (covered by the seal), if it is there."""
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for index in range(0, len(names) - 1, 2):
            name = names[index]
            if isinstance(name, str) and name == METADATA_FILENAME:
                stream = names[index + 1]["/EF"]["/F"]
                return DocumentMetadata.from_bytes(stream.data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None
