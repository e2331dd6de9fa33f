"""The machine-readable label inside every document Kanal issues: which document, of which case, of what kind.

It travels as a JSON attachment of the PDF (covered by the seal), so the verification page can say what a
document is and cross-check that against Kanal's own register.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ISSUER", "METADATA_FILENAME", "DocumentMetadata"]

METADATA_FILENAME = "kanal-document.json"
ISSUER = "Kanal"


@dataclass(frozen=True)
class DocumentMetadata:
    document_id: int
    kind: str
    case_reference: str
    language: str
    municipality: str

    def to_bytes(self) -> bytes:
        data = {
            "issuer": ISSUER,
            "document_id": self.document_id,
            "kind": self.kind,
            "case_reference": self.case_reference,
            "language": self.language,
            "municipality": self.municipality,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> DocumentMetadata:
        """Parse the label; raises ValueError for anything that is not a label Kanal wrote."""
        try:
            data: Any = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError("the document label is not JSON") from error
        if not isinstance(data, Mapping) or data.get("issuer") != ISSUER:
            raise ValueError("the document label was not written by Kanal")
        try:
            return cls(
                document_id=int(data["document_id"]),
                kind=str(data["kind"]),
                case_reference=str(data["case_reference"]),
                language=str(data["language"]),
                municipality=str(data["municipality"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError("the document label is incomplete") from error
