"""Signing a submission with BankID: the summary the resident reads, the digest that binds the answers, the check
of BankID's signature XML against what was sent, and turning a valid signature into the case.

The applicant signs after the check-answers page. The BankID order shows a readable summary of the answers
(simpleMarkdownV1, in the resident's language) and carries, as userNonVisibleData, the SHA-256 of the canonical
JSON of the answers, the attachments' hashes and the form version. Only when the signature XML BankID returns
contains exactly that text and digest, signed by the person who owns the draft, does the draft become a case, in
the same transaction as the stored evidence. A cancelled or expired order changes nothing, so the resident can
simply sign again. Co-signers (`eservices.cosigning`) sign the same digest later.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import decimal
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lxml import etree
from sqlalchemy import select

from core import audit, clock
from core.db import db
from core.models import Resident
from eservices import filing
from eservices.models import Case, CaseStatus, SignatureMethod
from eservices.signing_models import CosignRequest, CosignStatus, Signature, SignatureRole
from forms import service as forms
from forms.models import Draft, FormVersion
from forms.rendering import display_answer
from forms.service import Field, FormDefinition
from signing import service as bankid
from signing.documents.content import SignatureLine

__all__ = [
    "APPLICANT_SUBJECT",
    "MAX_VISIBLE_DATA_BASE64",
    "AnswersChanged",
    "OrderReplayed",
    "SelfCosign",
    "SignatureEvidence",
    "SignatureInvalid",
    "SignedSubmission",
    "SignerMismatch",
    "SigningRefused",
    "SummaryRow",
    "SummarySection",
    "accept_applicant_signature",
    "applicant_signature",
    "awaiting_signatures",
    "canonical_submission",
    "cosigner_field",
    "named_cosigners",
    "pending_requests",
    "read_signature_evidence",
    "record_signature",
    "service_title",
    "signature_for_order",
    "signature_lines",
    "signatures_for_case",
    "start_applicant_order",
    "submission_digest",
    "summary_sections",
    "visible_summary",
]

logger = logging.getLogger(__name__)

APPLICANT_SUBJECT = "submission"
"""`subject_kind` of the BankID order an applicant signs; its `subject_id` is the draft id."""

MAX_VISIBLE_DATA_BASE64 = 40_000
"""BankID's limit for a sign order's userVisibleData: characters after base64 encoding."""

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
BANKID_NS = "http://www.bankid.com/signature/v1.0.0/types"
_SHA256_URIS = frozenset({"http://www.w3.org/2001/04/xmlenc#sha256"})
_MARKDOWN_SPECIALS = str.maketrans({char: "\\" + char for char in "\\*_#+|"})
# A hardened parser: no DTDs, no entities, no network, no huge trees (the XML comes from outside).
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


# Refusals ---------------------------------------------------------------------------------------------------


class SigningRefused(Exception):
    """A signature Kanal does not accept. `message` is for the person (translated when shown)."""

    default_message = _l("The signature could not be accepted. Please sign again.")

    def __init__(self, details: str, message: Any = None) -> None:
        super().__init__(details)
        self.details = details
        self.message = message if message is not None else self.default_message


class SignatureInvalid(SigningRefused):
    """BankID's signature XML is malformed, does not verify, or does not contain what Kanal sent."""

    default_message = _l(
        "The signature did not match what you were asked to sign, so it was not accepted. Please sign again."
    )


class SignerMismatch(SigningRefused):
    """Someone other than the person who must sign signed the order."""

    default_message = _l(
        "The BankID used belongs to someone else than the person who must sign. Sign with your own BankID."
    )


class OrderReplayed(SigningRefused):
    """A completed order that was already used: one signature counts once."""

    default_message = _l("This signature has already been used. Start a new signature if you need to sign.")


class AnswersChanged(SigningRefused):
    """The answers changed between starting the order and finishing it (another tab saved a page)."""

    default_message = _l("Your answers changed while you were signing. Check them and sign again.")


class SelfCosign(SigningRefused):
    """The applicant named themself as a co-signer, or tried to co-sign their own submission."""

    default_message = _l("You cannot co-sign your own application. Name the other person who must sign.")


# What is signed -----------------------------------------------------------------------------------------------


def cosigner_field(definition: FormDefinition) -> str | None:
    key = definition.settings.get("cosigner_field")
    return str(key) if key and definition.requires_signature else None


def named_cosigners(definition: FormDefinition, answers: Mapping[str, Any]) -> list[str]:
    """The personnummer the co-signer field names, each once, in the order given (one per group entry)."""
    key = cosigner_field(definition)
    if key is None:
        return []
    field = definition.field(key)
    values: list[Any]
    if field.group_key is not None:
        entries = answers.get(field.group_key) or []
        values = [entry.get(key) for entry in entries if isinstance(entry, Mapping)]
    else:
        values = [answers.get(key)]
    named: list[str] = []
    for value in values:
        if isinstance(value, str) and len(value) == 12 and value.isdigit() and value not in named:
            named.append(value)
    return named


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of a submission")


def _attachment_hashes(answers: Mapping[str, Any]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    def walk(path: str, value: Any) -> None:
        if isinstance(value, Mapping):
            if isinstance(value.get("sha256"), str) and "storage_key" in value:
                found.append(
                    {"field": path, "filename": str(value.get("filename", "")), "sha256": value["sha256"]}
                )
                return
            for key, nested in value.items():
                walk(f"{path}.{key}" if path else str(key), nested)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{path}[{index}]", item)

    walk("", answers)
    return sorted(found, key=lambda item: (item["field"], item["sha256"]))


def canonical_submission(version: FormVersion, answers: Mapping[str, Any]) -> bytes:
    """The canonical JSON (sorted keys, no whitespace, UTF-8) of what a signature covers."""
    document = {
        "kanal_submission": 1,
        "form": {"form_id": version.form_id, "version": version.version, "version_id": version.id},
        "answers": answers,
        "attachments": _attachment_hashes(answers),
    }
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    ).encode("utf-8")


def submission_digest(version: FormVersion, answers: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of `canonical_submission`: the userNonVisibleData of every signature on the submission."""
    return hashlib.sha256(canonical_submission(version, answers)).hexdigest()


# The summary the signer reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str | list[str]


@dataclass(frozen=True)
class SummarySection:
    title: str
    rows: list[SummaryRow]


def _display(field: Field, value: Any, language: str) -> str | list[str]:
    if field.type != "repeating_group":
        return display_answer(field, value, language)
    entry_label = forms.label_text(field.entry_label, language) if field.entry_label else ""
    lines = []
    for index, entry in enumerate(value or []):
        parts = []
        for nested in field.fields:
            if nested.is_input and isinstance(entry, Mapping) and forms.is_answered(entry.get(nested.key)):
                shown = display_answer(nested, entry.get(nested.key), language)
                parts.append(f"{forms.label_text(nested.label, language)}: " + _joined(shown))
        lines.append(f"{entry_label} {index + 1}: ".lstrip() + "; ".join(parts))
    return lines or display_answer(field, None, language)


def _joined(shown: str | list[str]) -> str:
    return ", ".join(shown) if isinstance(shown, list) else shown


def summary_sections(
    definition: FormDefinition, answers: Mapping[str, Any], language: str
) -> list[SummarySection]:
    """Every shown answer by page, as the check-answers page lists them, for any set of answers (draft or case)."""
    sections = []
    for page_id in forms.visible_pages(definition, answers):
        page = definition.page(page_id)
        state = forms.evaluate_page(definition, page_id, answers)
        rows = [
            SummaryRow(
                forms.label_text(field.label, language), _display(field, answers.get(field.key), language)
            )
            for field in page.fields
            if field.is_input and state.is_visible(field.key)
        ]
        sections.append(SummarySection(forms.label_text(page.title, language), rows))
    return sections


def _escape(text: str) -> str:
    # simpleMarkdownV1 gives these characters a meaning; answers are shown as typed. Line breaks would start a
    # new block, so each answer stays on its line.
    return " ".join(text.split()).translate(_MARKDOWN_SPECIALS)


def _base64_length(text: str) -> int:
    return 4 * ((len(text.encode("utf-8")) + 2) // 3)


def visible_summary(
    title: str, sections: Sequence[SummarySection], *, limit: int = MAX_VISIBLE_DATA_BASE64
) -> str:
    """The userVisibleData: a simpleMarkdownV1 summary in the locale in force, within BankID's limit.

    If the answers do not fit, the summary ends with how many answers were left out; the digest in the
    userNonVisibleData still covers all of them, and the resident saw them all on the page before signing.
    """
    head = [f"# {_escape(title)}", _escape(_("I confirm that these answers are correct and I sign them."))]
    body: list[str] = []
    for section in sections:
        body.append(f"## {_escape(section.title)}")
        for row in section.rows:
            if isinstance(row.value, list):
                body.append(f"*{_escape(row.label)}*")
                body.extend(f"+ {_escape(line)}" for line in row.value)
            else:
                body.append(f"*{_escape(row.label)}*: {_escape(row.value)}")
    text = "\n".join(head + body)
    if _base64_length(text) <= limit:
        return text
    answers_total = sum(1 for line in body if not line.startswith("## "))
    kept: list[str] = []
    for line in body:
        candidate = "\n".join([*head, *kept, line, _("… and %(count)d more lines.", count=answers_total)])
        if _base64_length(candidate) > limit:
            break
        kept.append(line)
    left_out = answers_total - sum(1 for line in kept if not line.startswith("## "))
    return "\n".join([*head, *kept, _escape(_("… and %(count)d more lines.", count=left_out))])


# BankID's evidence ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureEvidence:
    """What a completed sign order proves, read from completionData and checked against the order."""

    personal_number: str
    name: str
    signature_xml: str
    ocsp_response: str
    ocsp_produced_at: dt.datetime | None
    device: dict[str, Any]
    bank_id_issue_date: str | None
    signed_visible_text: str
    signed_non_visible_data: str


def _child(element: etree._Element, namespace: str, name: str) -> etree._Element | None:
    return element.find(f"{{{namespace}}}{name}")


def _b64_text(element: etree._Element | None, what: str) -> str:
    if element is None or element.text is None:
        raise SignatureInvalid(f"the signature has no {what}")
    try:
        return base64.b64decode(element.text.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise SignatureInvalid(f"the signature's {what} is not base64 UTF-8 text") from error


def _c14n(element: etree._Element) -> bytes:
    # Canonicalised as a document of its own: libxml2's C14N of a subtree in place can write a spurious xmlns=""
    # on descendants. BankID's signed elements declare their namespace themselves, so nothing is lost.
    return etree.tostring(copy.deepcopy(element), method="c14n", exclusive=False, with_comments=False)


def _check_references(root: etree._Element, signed_info: etree._Element) -> None:
    """Each Reference's digest matches the element it names (bankIdSignedData, KeyInfo)."""
    by_id = {element.get("Id"): element for element in root.iter() if element.get("Id")}
    references = signed_info.findall(f"{{{DSIG_NS}}}Reference")
    covered = set()
    for reference in references:
        uri = reference.get("URI", "")
        method = reference.find(f"{{{DSIG_NS}}}DigestMethod")
        value = reference.find(f"{{{DSIG_NS}}}DigestValue")
        target = by_id.get(uri[1:]) if uri.startswith("#") else None
        if target is None or method is None or value is None or value.text is None:
            raise SignatureInvalid(f"the signature has an unusable reference {uri!r}")
        if method.get("Algorithm") not in _SHA256_URIS:
            raise SignatureInvalid(f"unsupported digest method {method.get('Algorithm')!r}")
        digest = base64.b64encode(hashlib.sha256(_c14n(target)).digest()).decode("ascii")
        if digest != value.text.strip():
            raise SignatureInvalid(f"the digest of {uri} does not match: the signed data was changed")
        covered.add(target.tag)
    if f"{{{BANKID_NS}}}bankIdSignedData" not in covered:
        raise SignatureInvalid("the signature does not cover bankIdSignedData")


def _check_signature_value(root: etree._Element, signed_info: etree._Element) -> x509.Certificate:
    """SignatureValue verifies over SignedInfo with the first certificate in KeyInfo (the signer's)."""
    value = _child(root, DSIG_NS, "SignatureValue")
    certificate_text = root.findtext(
        f"{{{DSIG_NS}}}KeyInfo/{{{DSIG_NS}}}X509Data/{{{DSIG_NS}}}X509Certificate"
    )
    if value is None or value.text is None or not certificate_text:
        raise SignatureInvalid("the signature has no value or no certificate")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(certificate_text.strip()))
        signature = base64.b64decode(value.text.strip())
    except (binascii.Error, ValueError) as error:
        raise SignatureInvalid("the signature's value or certificate is malformed") from error
    key = certificate.public_key()
    data = _c14n(signed_info)
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise SignatureInvalid(f"unsupported key type {type(key).__name__}")
    except InvalidSignature as error:
        raise SignatureInvalid("the signature value does not verify") from error
    return certificate


def _ocsp_produced_at(ocsp_b64: str) -> dt.datetime | None:
    try:
        response = ocsp.load_der_ocsp_response(base64.b64decode(ocsp_b64))
        return response.produced_at_utc
    except (binascii.Error, ValueError):
        logger.warning("A BankID OCSP response could not be read; its time is not recorded")
        return None


def read_signature_evidence(order: bankid.BankIDOrder) -> SignatureEvidence:
    """Check a completed sign order's signature XML and return its evidence; raises SignatureInvalid.

    The XML (parsed without DTDs or entities) must verify in itself (reference digests, signature value with the
    signer's certificate) and its bankIdSignedData must contain exactly the userVisibleData and
    userNonVisibleData this order sent. Trust in the certificate chain is BankID's to vouch for through the
    OCSP response, which is kept with the evidence.
    """
    completion = order.completion_data or {}
    user = completion.get("user") or {}
    signature_b64 = completion.get("signature")
    ocsp_b64 = completion.get("ocspResponse")
    if not isinstance(signature_b64, str) or not isinstance(ocsp_b64, str) or not user.get("personalNumber"):
        raise SignatureInvalid(f"order {order.order_ref} completed without a signature or OCSP response")
    try:
        xml_bytes = base64.b64decode(signature_b64, validate=True)
        root = etree.fromstring(xml_bytes, parser=_XML_PARSER)
    except (binascii.Error, ValueError, etree.XMLSyntaxError) as error:
        raise SignatureInvalid(f"the signature of order {order.order_ref} is not XML") from error
    if root.tag != f"{{{DSIG_NS}}}Signature":
        raise SignatureInvalid("the signature XML is not an XMLDSig Signature")
    signed_info = _child(root, DSIG_NS, "SignedInfo")
    signed_data = root.find(f"{{{DSIG_NS}}}Object/{{{BANKID_NS}}}bankIdSignedData")
    if signed_info is None or signed_data is None:
        raise SignatureInvalid("the signature XML has no SignedInfo or no bankIdSignedData")
    _check_references(root, signed_info)
    _check_signature_value(root, signed_info)
    visible = _b64_text(_child(signed_data, BANKID_NS, "usrVisibleData"), "usrVisibleData")
    non_visible = _b64_text(_child(signed_data, BANKID_NS, "usrNonVisibleData"), "usrNonVisibleData")
    if visible != (order.user_visible_data or "") or non_visible != (order.user_non_visible_data or ""):
        raise SignatureInvalid(f"the signed data of order {order.order_ref} is not what was sent")
    device = completion.get("device")
    return SignatureEvidence(
        personal_number=str(user["personalNumber"]),
        name=str(user.get("name") or f"{user.get('givenName', '')} {user.get('surname', '')}".strip()),
        signature_xml=xml_bytes.decode("utf-8"),
        ocsp_response=ocsp_b64,
        ocsp_produced_at=_ocsp_produced_at(ocsp_b64),
        device=dict(device) if isinstance(device, Mapping) else {},
        bank_id_issue_date=str(completion["bankIdIssueDate"]) if completion.get("bankIdIssueDate") else None,
        signed_visible_text=visible,
        signed_non_visible_data=non_visible,
    )


def record_signature(
    case: Case,
    order: bankid.BankIDOrder,
    evidence: SignatureEvidence,
    role: SignatureRole,
    *,
    resident_id: int | None,
    language: str,
    cosign_request_id: int | None = None,
) -> Signature:
    signature = Signature(
        case_id=case.id,
        cosign_request_id=cosign_request_id,
        resident_id=resident_id,
        role=role.value,
        method="bankid",
        personal_number=evidence.personal_number,
        signer_name=evidence.name,
        order_ref=order.order_ref,
        signed_digest=evidence.signed_non_visible_data,
        visible_text=evidence.signed_visible_text,
        language=language,
        signature_xml=evidence.signature_xml,
        ocsp_response=evidence.ocsp_response,
        ocsp_produced_at=evidence.ocsp_produced_at,
        device=evidence.device,
        bank_id_issue_date=evidence.bank_id_issue_date,
        signed_at=clock.now(),
    )
    db.add(signature)
    db.flush()
    audit.record(
        "sign",
        "case",
        case.id,
        resident_id=case.resident_id,
        actor=("resident", str(resident_id)) if resident_id is not None else ("system", None),
        details={
            "role": role.value,
            "method": "bankid",
            "order_ref": order.order_ref,
            "signature": signature.id,
        },
    )
    return signature


# The applicant's signature ---------------------------------------------------------------------------------------


def start_applicant_order(
    draft: Draft, resident: Resident, started_via: Any, end_user_ip: str, language: str, next_url: str
) -> bankid.BankIDOrder:
    """Start the BankID sign order for the draft as it is now; raises DraftIncomplete, SelfCosign, BankIDError."""
    definition = filing.definition_of(draft)
    answers = filing.final_answers(draft, language)
    if resident.personnummer in named_cosigners(definition, answers):
        raise SelfCosign(f"resident {resident.id} named themself as co-signer")
    service = filing.service_of(draft)
    title = service_title(service.title, language) or forms.label_text(definition.title, language)
    return bankid.start_order(
        bankid.OrderPurpose.SIGN,
        started_via,
        end_user_ip,
        user_visible_data=visible_summary(title, summary_sections(definition, answers, language)),
        user_non_visible_data=submission_digest(draft.form_version, answers),
        next_url=next_url,
        subject=(APPLICANT_SUBJECT, str(draft.id)),
    )


def service_title(title: Mapping[str, Any], language: str) -> str:
    return str(title.get(language) or next(iter(title.values()), "")) if title else ""


@dataclass(frozen=True)
class SignedSubmission:
    case: Case
    signature: Signature
    cosign_requests: list[CosignRequest]


def accept_applicant_signature(
    order: bankid.BankIDOrder, access: filing.DraftAccess, actor: filing.Actor, language: str
) -> SignedSubmission:
    """Turn a completed sign order into the case, with the signature, in the caller's transaction.

    The order is consumed first, so whatever is refused afterwards cannot be retried with the same order; a
    refusal leaves the draft as it was. Raises SigningRefused, filing.DraftNotFound or filing.DraftIncomplete.
    """
    from eservices import cosigning  # cosigning builds on this module

    if order.subject_kind != APPLICANT_SUBJECT or order.subject_id is None or not order.subject_id.isdigit():
        raise SigningRefused(f"order {order.order_ref} does not sign a submission")
    draft = filing.load_draft(int(order.subject_id), access, for_update=True)
    if signature_for_order(order.order_ref) is not None or not bankid.consume_completed_order(order):
        raise OrderReplayed(f"order {order.order_ref} was already used")
    if filing.submitted_case(draft) is not None:
        raise OrderReplayed(f"draft {draft.id} was already submitted")
    evidence = read_signature_evidence(order)
    resident = db.get(Resident, draft.resident_id) if draft.resident_id is not None else None
    if resident is None or evidence.personal_number != resident.personnummer:
        raise SignerMismatch(f"order {order.order_ref} was signed by someone other than the draft's resident")
    definition = filing.definition_of(draft)
    answers = filing.final_answers(draft, language)
    if submission_digest(draft.form_version, answers) != evidence.signed_non_visible_data:
        raise AnswersChanged(f"draft {draft.id} changed after order {order.order_ref} started")
    cosigners = named_cosigners(definition, answers)
    if resident.personnummer in cosigners:
        raise SelfCosign(f"resident {resident.id} named themself as co-signer")

    # With co-signers the case waits for them: it is not submitted (no "received" notice, no receipt) until
    # the last one has signed.
    status = CaseStatus.DRAFT_SIGNING if cosigners else CaseStatus.SUBMITTED
    submission = filing.submit_draft(
        draft.id,
        access,
        actor,
        language,
        identity_method="bankid",
        signature_method=SignatureMethod.BANKID,
        status=status,
    )
    case = submission.case
    signature = record_signature(
        case, order, evidence, SignatureRole.APPLICANT, resident_id=resident.id, language=language
    )
    requests = cosigning.request_cosignatures(case, cosigners) if cosigners else []
    return SignedSubmission(case, signature, requests)


# Reading signatures ---------------------------------------------------------------------------------------------


def signature_for_order(order_ref: str) -> Signature | None:
    return db.scalar(select(Signature).where(Signature.order_ref == order_ref))


def signatures_for_case(case_id: int) -> list[Signature]:
    return list(
        db.scalars(
            select(Signature).where(Signature.case_id == case_id).order_by(Signature.signed_at, Signature.id)
        )
    )


def applicant_signature(case_id: int) -> Signature | None:
    return db.scalar(
        select(Signature).where(Signature.case_id == case_id, Signature.role == SignatureRole.APPLICANT.value)
    )


def signature_lines(case_id: int) -> tuple[SignatureLine, ...]:
    """Each signature on the case as the receipt lists it (who, when, method), in the locale in force."""
    roles = {SignatureRole.APPLICANT.value: _("Applicant"), SignatureRole.COSIGNER.value: _("Co-signer")}
    return tuple(
        SignatureLine(
            signer_name=signature.signer_name,
            signed_at=signature.signed_at,
            method="BankID",
            role=roles.get(signature.role, signature.role),
        )
        for signature in signatures_for_case(case_id)
    )


def awaiting_signatures(case: Case) -> bool:
    return case.status == CaseStatus.DRAFT_SIGNING.value


def pending_requests(case_id: int) -> list[CosignRequest]:
    return list(
        db.scalars(
            select(CosignRequest)
            .where(CosignRequest.case_id == case_id, CosignRequest.status == CosignStatus.PENDING.value)
            .order_by(CosignRequest.id)
        )
    )
