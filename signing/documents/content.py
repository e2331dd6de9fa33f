"""What goes into a document Kanal issues: the typed input of the PDF renderers, stored as JSON until sealing.

The filing flow fills a `DocumentContent` in the resident's language (labels from the form version, the service
title, who signed); the renderer adds only Kanal's own fixed wording. Answers stay the plain dict the form engine
produced, so a receipt always shows exactly what was submitted, including answers no section names.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AttachmentLine",
    "DocumentContent",
    "DocumentKind",
    "FieldLabel",
    "Section",
    "SignatureLine",
]


class DocumentKind(enum.StrEnum):
    RECEIPT = "receipt"
    DECISION = "decision"


@dataclass(frozen=True)
class FieldLabel:
    """The label of one answer. A repeating group has `children` (the labels of each item's fields), and its
    answer is a list of dicts; `item_label` names one item ("Child" → "Child 1", "Child 2")."""

    key: str
    label: str
    children: tuple[FieldLabel, ...] = ()
    item_label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "children": [child.to_json() for child in self.children],
            "item_label": self.item_label,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldLabel:
        return cls(
            key=str(data["key"]),
            label=str(data["label"]),
            children=tuple(cls.from_json(child) for child in data.get("children", ())),
            item_label=str(data.get("item_label", "")),
        )


@dataclass(frozen=True)
class Section:
    """A labelled group of answers, in the order the form asked them (usually one per form page)."""

    title: str
    fields: tuple[FieldLabel, ...]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "fields": [item.to_json() for item in self.fields]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Section:
        return cls(
            title=str(data["title"]), fields=tuple(FieldLabel.from_json(item) for item in data["fields"])
        )


@dataclass(frozen=True)
class AttachmentLine:
    filename: str
    sha256: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"filename": self.filename, "sha256": self.sha256, "size": self.size}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AttachmentLine:
        return cls(filename=str(data["filename"]), sha256=str(data["sha256"]), size=int(data["size"]))


@dataclass(frozen=True)
class SignatureLine:
    """One signature on the submission: who (name and role, in the resident's language), when, and how."""

    signer_name: str
    signed_at: dt.datetime
    method: str  # e.g. "BankID"
    role: str = ""  # e.g. "Applicant", "Co-signer (guardian)"

    def to_json(self) -> dict[str, Any]:
        return {
            "signer_name": self.signer_name,
            "signed_at": self.signed_at.isoformat(),
            "method": self.method,
            "role": self.role,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SignatureLine:
        return cls(
            signer_name=str(data["signer_name"]),
            signed_at=dt.datetime.fromisoformat(str(data["signed_at"])),
            method=str(data["method"]),
            role=str(data.get("role", "")),
        )


@dataclass(frozen=True)
class DocumentContent:
    """Everything a receipt (or a decision) shows, already in `language`."""

    kind: DocumentKind
    language: str
    municipality: str
    service_title: str
    case_reference: str
    form_version: str
    submitted_at: dt.datetime
    answers: Mapping[str, Any]
    sections: tuple[Section, ...] = ()
    attachments: tuple[AttachmentLine, ...] = ()
    signatures: tuple[SignatureLine, ...] = ()
    applicant_name: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # room for decision texts later, kept verbatim

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "language": self.language,
            "municipality": self.municipality,
            "service_title": self.service_title,
            "case_reference": self.case_reference,
            "form_version": self.form_version,
            "submitted_at": self.submitted_at.isoformat(),
            "answers": dict(self.answers),
            "sections": [section.to_json() for section in self.sections],
            "attachments": [attachment.to_json() for attachment in self.attachments],
            "signatures": [signature.to_json() for signature in self.signatures],
            "applicant_name": self.applicant_name,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocumentContent:
        return cls(
            kind=DocumentKind(data["kind"]),
            language=str(data["language"]),
            municipality=str(data["municipality"]),
            service_title=str(data["service_title"]),
            case_reference=str(data["case_reference"]),
            form_version=str(data["form_version"]),
            submitted_at=dt.datetime.fromisoformat(str(data["submitted_at"])),
            answers=dict(data.get("answers", {})),
            sections=tuple(Section.from_json(item) for item in data.get("sections", ())),
            attachments=tuple(AttachmentLine.from_json(item) for item in data.get("attachments", ())),
            signatures=tuple(SignatureLine.from_json(item) for item in data.get("signatures", ())),
            applicant_name=str(data.get("applicant_name", "")),
            extra=dict(data.get("extra", {})),
        )
