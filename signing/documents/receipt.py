"""The PDF receipt of a submitted case: who it is from, what was answered, what was attached, who signed.

Kanal's own wording is translated with Flask-Babel in the document's language (an app context is needed);
everything else arrives already in that language in the `DocumentContent`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask_babel import force_locale
from flask_babel import gettext as _

from signing.documents.content import DocumentContent, FieldLabel
from signing.documents.layout import DocumentPdf, RenderedDocument
from signing.documents.metadata import DocumentMetadata

__all__ = ["DISPLAY_TIMEZONE", "format_value", "render_receipt"]

# Swedish and Danish municipalities share this offset all year; times on documents are the municipality's.
DISPLAY_TIMEZONE = ZoneInfo("Europe/Stockholm")
_INDENT_MM = 6


def format_time(value: dt.datetime, language: str) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm zzz", tzinfo=DISPLAY_TIMEZONE, locale=language)


def format_value(value: Any) -> str:
    """An answer as text; call inside `force_locale` so yes/no and "not answered" are translated."""
    if value is None or value == "" or value == [] or value == {}:
        return _("(not answered)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {format_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(format_value(item) for item in value)
    return str(value)


class _ReceiptWriter:
    def __init__(self, content: DocumentContent, pdf: DocumentPdf) -> None:
        self.content = content
        self.pdf = pdf

    def answers(self) -> None:
        answers = self.content.answers
        shown: set[str] = set()
        for section in self.content.sections:
            self.pdf.heading(section.title)
            for label in section.fields:
                shown.add(label.key)
                self._answer(label, answers.get(label.key), indent=0)
        # Every answer is on the receipt, even one no section names: the receipt is the record of what was sent.
        rest = [key for key in answers if key not in shown]
        if rest:
            self.pdf.heading(_("Other answers"))
            for key in rest:
                self._answer(FieldLabel(key=key, label=key), answers[key], indent=0)

    def _answer(self, label: FieldLabel, value: Any, *, indent: float) -> None:
        if label.children or (
            isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value)
        ):
            self._repeating_group(label, value if isinstance(value, list) else [], indent=indent)
            return
        self.pdf.pair(label.label, format_value(value), indent=indent)

    def _repeating_group(self, label: FieldLabel, items: Sequence[Any], *, indent: float) -> None:
        self.pdf.subheading(label.label, indent=indent)
        if not items:
            self.pdf.text(_("(not answered)"), indent=indent + _INDENT_MM)
            return
        item_name = label.item_label or label.label
        for number, item in enumerate(items, start=1):
            self.pdf.subheading(f"{item_name} {number}", indent=indent + _INDENT_MM)
            values: Mapping[str, Any] = item if isinstance(item, Mapping) else {"": item}
            named = {child.key for child in label.children}
            for child in label.children:
                self._answer(child, values.get(child.key), indent=indent + 2 * _INDENT_MM)
            for key, extra in values.items():
                if key not in named:
                    self._answer(FieldLabel(key=key, label=key), extra, indent=indent + 2 * _INDENT_MM)


def render_receipt(content: DocumentContent, document_id: int) -> RenderedDocument:
    """The receipt as an unsealed PDF, with room for the seal on its last page."""
    language = content.language
    with force_locale(language):
        title = _("Receipt for %(service)s", service=content.service_title)
        pdf = DocumentPdf(
            language=language, title=title, author=content.municipality, created_at=content.submitted_at
        )
        pdf.text(content.municipality)
        pdf.title(title)
        pdf.pair(_("Case reference"), content.case_reference)
        pdf.pair(_("Service"), content.service_title)
        pdf.pair(_("Submitted"), format_time(content.submitted_at, language))
        if content.applicant_name:
            pdf.pair(_("Applicant"), content.applicant_name)
        pdf.pair(_("Form version"), content.form_version)

        writer = _ReceiptWriter(content, pdf)
        writer.answers()

        pdf.heading(_("Attachments"))
        if not content.attachments:
            pdf.text(_("No attachments."))
        for attachment in content.attachments:
            size = _("%(size)s bytes", size=format_decimal(attachment.size, locale=language))
            pdf.pair(attachment.filename, f"{size}\nSHA-256: {attachment.sha256}")

        pdf.heading(_("Signatures"))
        if not content.signatures:
            pdf.text(_("The submission was not signed electronically."))
        for signature in content.signatures:
            who = f"{signature.signer_name} ({signature.role})" if signature.role else signature.signer_name
            when = format_time(signature.signed_at, language)
            pdf.pair(who, _("Signed %(time)s with %(method)s", time=when, method=signature.method))

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
                "%(municipality)s has sealed this receipt electronically. Anyone can check that it is genuine "
                "and unaltered at the address in the seal.",
                municipality=content.municipality,
            ),
        )
