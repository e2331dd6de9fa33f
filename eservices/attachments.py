"""Attachments: checking uploaded files (type by content, size, count), storing them, and linking them to cases.

A file's type is what its magic bytes say (the `filetype` library reads them), never the browser's claim or the
file name: a ".pdf" that is really a program or an HTML page is refused. Names are cleaned before they are
kept, the bytes go to the storage backend under a key Kanal makes up, and each row records the SHA-256.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol, runtime_checkable

import filetype
from sqlalchemy import delete, func, select, update

from core.db import db
from core.storage import get_storage
from eservices.attachment_models import Attachment
from forms.service import Field, human_size, upload_rules

__all__ = [
    "DRAFT_TOTAL_LIMIT_BYTES",
    "UploadRejected",
    "attachments_for_draft",
    "delete_draft_attachments",
    "detect_content_type",
    "file_answer",
    "link_to_case",
    "remove_attachment",
    "sanitise_filename",
    "store_upload",
]

DRAFT_TOTAL_LIMIT_BYTES = 30 * 1024 * 1024
"""All files of one draft together; each field also has its own per-file limit in the definition."""

TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w .()+,-]")
_MAX_NAME_LENGTH = 120


def N_(message: str) -> str:
    """Marks a message id for extraction; translated where the error is shown."""
    return message


@dataclass
class UploadRejected(Exception):
    """A file that was not stored; `message` is a gettext id with `params`, shown next to the field."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


def sanitise_filename(name: str | None) -> str:
    """A file name safe to show and to offer for download: no directories, control or odd characters.

    Letters of any alphabet are kept (residents name files "läkarintyg.pdf" or in Arabic); everything else
    becomes "_". The name is only ever displayed, never used as a path.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(character for character in text if unicodedata.category(character)[0] != "C")
    text = _UNSAFE_NAME_CHARACTERS.sub("_", text)
    text = " ".join(text.split()).lstrip(".- ")
    if len(text) > _MAX_NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 8:
            text = stem[: _MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            text = text[:_MAX_NAME_LENGTH]
    return text or "file"


def detect_content_type(data: bytes) -> tuple[str, str] | None:
    """(MIME type, usual extension) from the content's magic bytes; None for content no signature matches."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    return str(kind.mime), str(kind.extension)


def _named_types(types: Iterable[str]) -> str:
    return ", ".join(
        TYPE_NAMES.get(content_type, content_type.rpartition("/")[2].upper()) for content_type in types
    )


def _with_extension(filename: str, extension: str) -> str:
    # The name must not promise another type than the content has ("invoice.exe" holding a PDF is offered as
    # "invoice.exe.pdf"), so whoever opens it later gets the program the content is for.
    current = filename.rpartition(".")[2].lower() if "." in filename else ""
    same = {current, "jpeg" if current == "jpg" else current}
    return filename if extension in same else f"{filename}.{extension}"


def attachments_for_draft(draft_id: int, field_path: str | None = None) -> list[Attachment]:
    query = select(Attachment).where(Attachment.draft_id == draft_id, Attachment.case_id.is_(None))
    if field_path is not None:
        query = query.where(Attachment.field_path == field_path)
    return list(db.scalars(query.order_by(Attachment.id)))


def store_upload(draft_id: int, form_field: Field, stream: IO[bytes], filename: str | None) -> Attachment:
    """Check one uploaded file against the field's rules and the draft's total, then store it.

    Raises UploadRejected (nothing stored) for an empty, oversized, disguised or surplus file.
    """
    rules = upload_rules(form_field)
    data = stream.read(rules.max_size_bytes + 1)
    if not data:
        raise UploadRejected(N_("The file is empty. Choose another file."))
    if len(data) > rules.max_size_bytes:
        raise UploadRejected(
            N_("The file must be at most %(size)s."), {"size": human_size(rules.max_size_bytes)}
        )
    detected = detect_content_type(data)
    if detected is None or detected[0] not in rules.allowed_types:
        raise UploadRejected(
            N_("The file must be one of these types: %(types)s."),
            {"types": _named_types(rules.allowed_types)},
        )
    content_type, extension = detected
    existing = attachments_for_draft(draft_id, form_field.key)
    if len(existing) >= rules.max_files:
        raise UploadRejected(N_("Upload at most %(max)d files."), {"max": rules.max_files})
    total = db.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.draft_id == draft_id, Attachment.case_id.is_(None)
        )
    )
    if int(total or 0) + len(data) > DRAFT_TOTAL_LIMIT_BYTES:
        raise UploadRejected(
            N_("All files together must be at most %(size)s. Remove a file or choose a smaller one."),
            {"size": human_size(DRAFT_TOTAL_LIMIT_BYTES)},
        )
    stored = get_storage().store(data, suffix="." + extension)
    attachment = Attachment(
        draft_id=draft_id,
        field_path=form_field.key,
        filename=_with_extension(sanitise_filename(filename), extension),
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
    )
    db.add(attachment)
    db.flush()
    return attachment


def file_answer(attachment: Attachment) -> dict[str, Any]:
    """The attachment as a file-upload answer (what the form engine validates and the case keeps)."""
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "storage_key": attachment.storage_key,
    }


def remove_attachment(draft_id: int, attachment_id: int) -> bool:
    """Take a file off a draft; False when the id is not one of this draft's files (forged or already gone)."""
    attachment = db.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.draft_id == draft_id, Attachment.case_id.is_(None)
        )
    )
    if attachment is None:
        return False
    delete_stored_files([attachment.storage_key])
    db.delete(attachment)
    db.flush()
    return True


def link_to_case(draft_id: int, case_id: int, storage_keys: Iterable[str]) -> int:
    """Give the draft's files that the answers use to the case; returns how many were linked."""
    keys = list(storage_keys)
    if not keys:
        return 0
    result = db.execute(
        update(Attachment)
        .where(
            Attachment.draft_id == draft_id, Attachment.storage_key.in_(keys), Attachment.case_id.is_(None)
        )
        .values(case_id=case_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_draft_attachments(draft_ids: Iterable[int]) -> int:
    """Delete the files of these drafts that no case kept; returns how many."""
    ids = list(draft_ids)
    if not ids:
        return 0
    rows = list(
        db.execute(
            select(Attachment.id, Attachment.storage_key).where(
                Attachment.draft_id.in_(ids), Attachment.case_id.is_(None)
            )
        )
    )
    delete_stored_files([key for _id, key in rows])
    db.execute(
        delete(Attachment)
        .where(Attachment.id.in_([attachment_id for attachment_id, _key in rows]))
        .execution_options(synchronize_session=False)
    )
    return len(rows)


@runtime_checkable
class DeletingStorage(Protocol):
    """A storage backend that can remove what it stored."""

    def delete(self, key: str) -> None: ...


def delete_stored_files(keys: Iterable[str]) -> None:
    """Remove files nobody needs any more, where the backend supports removal."""
    storage = get_storage()
    if isinstance(storage, DeletingStorage):
        for key in keys:
            storage.delete(key)
