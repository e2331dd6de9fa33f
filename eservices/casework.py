"""Case handling: who may see a case, the officer's queues and search, assignment, the status workflow, notes,
messages with attachments, completion requests, decisions, and the case's lead-time stamps.

Views and the REST API call these functions and render what they return; nothing here commits (the request
does). Changes a case system may make too (status, messages to the resident, decisions) take an `Actor`, a staff
member or an API token, so the same rules hold and the same records are made whoever acts. Every change appends
to the case's timeline, is audit-logged, and where others may want to react sends a signal from
`eservices.events` inside the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from flask_babel import LazyString
from flask_babel import lazy_gettext as _
from sqlalchemy import Select, func, or_, select

from core import audit, clock
from core.db import db
from core.models import Queue, Resident, Role, StaffUser
from core.storage import get_storage
from eservices import events
from eservices.actors import Actor
from eservices.casework_models import (
    AttachmentOwner,
    AttachmentPurpose,
    CaseAttachment,
    CaseDecision,
    CaseMessage,
    CaseNote,
    CompletionRequest,
    CompletionStatus,
    DecisionOutcome,
    DecisionTemplate,
    MessageDirection,
    ServiceWorkflow,
)
from eservices.decision_document import decision_content, request_decision
from eservices.models import Case, CaseEvent, CaseStatus, Service, SignatureMethod
from forms import service as forms
from forms.service import FormDefinition
from signing.document_models import Document
from signing.documents.service import DocumentNotReady, document_bytes, documents_for_case

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES",
    "CASE_HANDLING",
    "CLOSED_STATUSES",
    "DEFAULT_WORKFLOW",
    "MAX_ATTACHMENT_BYTES",
    "Actor",
    "CaseAccessDenied",
    "CaseActor",
    "CaseRuleError",
    "CompletionField",
    "Message",
    "QueueTab",
    "Upload",
    "add_note",
    "allowed_transitions",
    "assign_case",
    "assignable_officers",
    "assisting_staff",
    "attach_signature_page",
    "attachment_bytes",
    "case_attachments",
    "case_decisions",
    "case_documents",
    "case_for_officer",
    "case_for_resident",
    "case_messages",
    "change_status",
    "check_upload",
    "completion_fields",
    "completion_for_resident",
    "completion_requests",
    "decide_case",
    "decision_template_for_officer",
    "decision_templates",
    "department_decision_templates",
    "department_queues",
    "department_services",
    "document_for_case",
    "document_pdf",
    "editable_field_choices",
    "find_attachment",
    "internal_notes",
    "open_completion",
    "queue_cases",
    "queue_for_officer",
    "record_officer_read",
    "request_completion",
    "save_decision_template",
    "search_cases",
    "send_message_from_resident",
    "send_message_to_resident",
    "set_service_workflow",
    "signature_method_names",
    "signature_page",
    "submit_completion",
    "timeline",
    "workflow_for",
]

CASE_HANDLING = "case handling"
"""The reason recorded in the audit log whenever an officer reads a case."""

DEFAULT_WORKFLOW: dict[str, list[str]] = {
    CaseStatus.SUBMITTED.value: [
        CaseStatus.IN_PROGRESS.value,
        CaseStatus.AWAITING_COMPLETION.value,
        CaseStatus.DECIDED.value,
    ],
    CaseStatus.IN_PROGRESS.value: [CaseStatus.AWAITING_COMPLETION.value, CaseStatus.DECIDED.value],
    CaseStatus.AWAITING_COMPLETION.value: [CaseStatus.IN_PROGRESS.value, CaseStatus.DECIDED.value],
    CaseStatus.DECIDED.value: [CaseStatus.CLOSED.value],
    CaseStatus.CLOSED.value: [],
}
"""Submitted → in progress → awaiting completion → decided → closed, with the shortcuts most services allow."""

# Statuses an officer works with; a workflow may only name these.
WORKFLOW_STATUSES = frozenset(DEFAULT_WORKFLOW) | {CaseStatus.WITHDRAWN.value}
CLOSED_STATUSES = frozenset({CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value})

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# What an attachment's first bytes must look like: the name and declared type of an upload are the sender's word,
# so the content decides. PDF and the two common photo formats cover what residents send with completions.
ALLOWED_ATTACHMENT_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
MAX_MESSAGE_LENGTH = 10_000
MAX_FILENAME_LENGTH = 255
SEARCH_LIMIT = 50


class CaseAccessDenied(LookupError):
    """The case (or its document, message or attachment) is not there for this person; logged as denied.

    `status` is what the request answers: 404 for residents (a foreign case looks like no case) and for ids
    that do not exist, 403 for staff of another department.
    """

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


Message: TypeAlias = str | LazyString
"""Text for people: lazily translated, so services work outside requests and are read in the reader's language."""


class CaseRuleError(ValueError):
    """A change the rules do not allow (a status the workflow forbids, an empty message); says why, translated
    when turned into a string."""


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file someone sends, as the view received it."""

    filename: str
    data: bytes


@dataclasses.dataclass(frozen=True)
class CompletionField:
    """An answer the resident may change in a completion: its key, its label and the value now."""

    key: str
    label: str
    value: Any


class QueueTab:
    UNASSIGNED = "unassigned"
    MINE = "mine"
    ALL = "all"
    ALL_TABS = (UNASSIGNED, MINE, ALL)


CaseActor: TypeAlias = Actor | StaffUser
"""Who handles a case: an `Actor` (a staff member's or an API token's), or simply the staff member."""


def _handler(who: CaseActor) -> Actor:
    """The actor behind a case-handling change; residents and anonymous actors may not make these changes."""
    actor = Actor.staff(who) if isinstance(who, StaffUser) else who
    if actor.kind not in (Actor.STAFF, Actor.API_TOKEN):
        raise ValueError(f"a {actor.kind} actor cannot handle cases")
    return actor


def _audit_case_handling(
    action: str,
    subject_kind: str,
    subject_id: object,
    case: Case,
    actor: Actor,
    details: dict[str, Any] | None = None,
) -> None:
    """Audit a change someone handling the case made, for the reason "case handling"."""
    audit.record(
        action,
        subject_kind,
        subject_id,
        resident_id=case.resident_id,
        reason=CASE_HANDLING,
        details=details,
        actor=actor.as_tuple(),
    )


def _deny(
    subject_kind: str, subject_id: object, status: int, *, resident_id: int | None = None
) -> CaseAccessDenied:
    audit.record(
        "denied",
        subject_kind,
        subject_id,
        resident_id=resident_id,
        details={"status": status},
    )
    return CaseAccessDenied(status)


def _append_event(
    case: Case,
    kind: str,
    *,
    actor: Actor,
    data: dict[str, Any] | None = None,
    visible_to_resident: bool = True,
) -> CaseEvent:
    # eservices.service re-exports this module at its end, so importing it here at load time would be circular.
    from eservices.service import add_case_event as append_event

    event = append_event(
        case, kind, actor=actor.as_tuple(), data=data, visible_to_resident=visible_to_resident
    )
    # A message or a note changes no column of the case, yet a case system syncing by `updated_at` (the REST
    # API's `changed_since`) must see the case again.
    case.updated_at = event.at
    return event


def _find_by_reference(reference: str) -> Case | None:
    if len(reference) > 20:
        return None
    return db.scalar(select(Case).where(Case.reference == reference))


# --- who may see what -------------------------------------------------------------------------------------------


def case_for_resident(reference: str, resident: Resident) -> Case:
    """The resident's own case; anyone else's, or none, raises CaseAccessDenied(404) and is logged."""
    case = _find_by_reference(reference)
    if case is None or case.resident_id != resident.id or case.status == CaseStatus.DRAFT_SIGNING.value:
        raise _deny("case", reference, 404, resident_id=case.resident_id if case is not None else None)
    return case


def _officer_may_see(case: Case, staff: StaffUser) -> bool:
    return staff.department_id is not None and case.queue.department_id == staff.department_id


def case_for_officer(reference: str, staff: StaffUser) -> Case:
    """A case in the officer's department: 404 if there is none, 403 if it is another department's (both logged).

    This does not log the read itself; call `record_officer_read` when the case is shown.
    """
    case = _find_by_reference(reference)
    if case is None:
        raise _deny("case", reference, 404)
    if not _officer_may_see(case, staff):
        raise _deny("case", case.id, 403, resident_id=case.resident_id)
    return case


def record_officer_read(case: Case, staff: StaffUser) -> None:
    """Audit an officer reading a case's personal data, with the reason "case handling"."""
    _audit_case_handling("read", "case", case.id, case, Actor.staff(staff), {"reference": case.reference})


def assisting_staff(case: Case) -> StaffUser | None:
    """Who filed the case on the resident's behalf, if someone did."""
    return db.get(StaffUser, case.assisted_by_id) if case.assisted_by_id is not None else None


# --- queues and search ------------------------------------------------------------------------------------------


def department_queues(staff: StaffUser) -> list[Queue]:
    """The queues of the officer's own department (none without a department)."""
    if staff.department_id is None:
        return []
    return list(
        db.scalars(select(Queue).where(Queue.department_id == staff.department_id).order_by(Queue.name))
    )


def queue_for_officer(queue_id: int, staff: StaffUser) -> Queue:
    """One of the officer's department's queues; another department's raises CaseAccessDenied(403), logged."""
    queue = db.get(Queue, queue_id)
    if queue is None:
        raise _deny("queue", queue_id, 404)
    if staff.department_id is None or queue.department_id != staff.department_id:
        raise _deny("queue", queue_id, 403)
    return queue


def queue_cases(queue: Queue, staff: StaffUser, tab: str) -> list[Case]:
    """The queue's cases for a tab: open unassigned ones, open ones assigned to me, or every case; oldest first."""
    statement = select(Case).where(Case.queue_id == queue.id, Case.status != CaseStatus.DRAFT_SIGNING.value)
    if tab == QueueTab.UNASSIGNED:
        statement = statement.where(Case.assignee_id.is_(None), Case.status.not_in(CLOSED_STATUSES))
    elif tab == QueueTab.MINE:
        statement = statement.where(Case.assignee_id == staff.id, Case.status.not_in(CLOSED_STATUSES))
    return list(db.scalars(statement.order_by(Case.submitted_at, Case.id)))


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def search_cases(staff: StaffUser, query: str) -> list[Case]:
    """Cases of the officer's department matching a reference, a personnummer (10 or 12 digits, any dashes) or
    part of the resident's name. The search itself is audit-logged, since it reads personal data."""
    query = query.strip()
    if not query or staff.department_id is None:
        return []
    department_queue_ids = select(Queue.id).where(Queue.department_id == staff.department_id)
    statement: Select[Case] = (
        select(Case)
        .outerjoin(Resident, Resident.id == Case.resident_id)
        .where(Case.queue_id.in_(department_queue_ids), Case.status != CaseStatus.DRAFT_SIGNING.value)
    )
    digits = _digits(query)
    if _looks_like_reference(query):
        statement = statement.where(Case.reference == query)
        kind = "reference"
    elif len(digits) in (10, 12) and len(digits) >= len(query.replace(" ", "")) - 2:
        column = Resident.personnummer if len(digits) == 12 else func.substr(Resident.personnummer, 3, 10)
        statement = statement.where(column == digits)
        kind = "personnummer"
    else:
        # Both sides are lowered by the database, so they agree (SQLite's lower() folds only ASCII letters).
        full_name = func.lower(Resident.given_name + " " + Resident.family_name)
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(full_name.like(func.lower(pattern), escape="\\"))
        kind = "name"
    found = list(db.scalars(statement.order_by(Case.submitted_at.desc(), Case.id.desc()).limit(SEARCH_LIMIT)))
    audit.record(
        "search",
        "case",
        None,
        reason=CASE_HANDLING,
        details={"by": kind, "results": len(found)},
        actor=Actor.staff(staff).as_tuple(),
    )
    return found


def _looks_like_reference(query: str) -> bool:
    year, dash, number = query.partition("-")
    return bool(dash) and len(year) == 4 and year.isdigit() and number.isdigit()


# --- assignment and status ----------------------------------------------------------------------------------------


def _first_action(case: Case) -> None:
    # Lead-time statistics measure from submission to the first thing an officer does with the case.
    if case.first_action_at is None:
        case.first_action_at = clock.now()


def assignable_officers(case: Case) -> list[StaffUser]:
    """Active case officers of the case's department."""
    officers = db.scalars(
        select(StaffUser)
        .where(StaffUser.department_id == case.queue.department_id, StaffUser.active.is_(True))
        .order_by(StaffUser.full_name)
    )
    return [officer for officer in officers if officer.has_role(Role.CASE_OFFICER)]


def assign_case(case: Case, staff: StaffUser, assignee_id: int | None) -> None:
    """Assign (or reassign, or with None release) the case to an officer of its department."""
    assignee = None
    if assignee_id is not None:
        assignee = db.get(StaffUser, assignee_id)
        if assignee is None or assignee not in assignable_officers(case):
            raise CaseRuleError(_("Choose a case officer of this department."))
    if case.assignee_id == assignee_id:
        return
    previous = case.assignee_id
    case.assignee_id = assignee_id
    _first_action(case)
    _append_event(
        case,
        "assigned",
        actor=Actor.staff(staff),
        data={"from": previous, "to": assignee_id, "to_name": assignee.full_name if assignee else None},
        visible_to_resident=False,
    )
    _audit_case_handling(
        "assign", "case", case.id, case, Actor.staff(staff), {"from": previous, "to": assignee_id}
    )


def workflow_for(service: Service) -> dict[str, list[str]]:
    """The service's allowed status changes, or the default workflow."""
    configured = db.scalar(select(ServiceWorkflow).where(ServiceWorkflow.service_id == service.id))
    if configured is None or not configured.transitions:
        return {status: list(targets) for status, targets in DEFAULT_WORKFLOW.items()}
    return {
        str(status): [str(target) for target in targets] for status, targets in configured.transitions.items()
    }


def set_service_workflow(service: Service, transitions: Mapping[str, Iterable[str]]) -> ServiceWorkflow:
    """Configure which status changes the service's cases allow; unknown statuses raise ValueError.

    Every workflow must let a case be decided and then closed, since decisions and lead times rely on it.
    """
    cleaned: dict[str, list[str]] = {}
    for status, targets in transitions.items():
        targets = list(targets)
        unknown = {status, *targets} - WORKFLOW_STATUSES
        if unknown:
            raise ValueError(f"unknown statuses in workflow: {', '.join(sorted(unknown))}")
        cleaned[status] = sorted(set(targets), key=targets.index)
    reachable = {target for targets in cleaned.values() for target in targets}
    if CaseStatus.DECIDED.value not in reachable or CaseStatus.CLOSED.value not in cleaned.get(
        CaseStatus.DECIDED.value, []
    ):
        raise ValueError("a workflow must lead to decided, and from decided to closed")
    configured = db.scalar(select(ServiceWorkflow).where(ServiceWorkflow.service_id == service.id))
    if configured is None:
        configured = ServiceWorkflow(service_id=service.id)
        db.add(configured)
    configured.transitions = cleaned
    db.flush()
    return configured


def allowed_transitions(case: Case) -> list[str]:
    """The statuses the case may move to next, by its service's workflow."""
    return workflow_for(case.service).get(case.status, [])


def _move(case: Case, new_status: str, actor: Actor) -> CaseEvent:
    old_status = case.status
    now = clock.now()
    case.status = new_status
    if new_status == CaseStatus.DECIDED.value:
        case.decided_at = now
    if new_status in CLOSED_STATUSES and case.closed_at is None:
        case.closed_at = now
    event = _append_event(case, "status_changed", actor=actor, data={"from": old_status, "to": new_status})
    events.case_status_changed.send(
        case, old_status=old_status, new_status=new_status, actor=actor.as_tuple(), event=event
    )
    return event


def change_status(case: Case, actor: CaseActor, new_status: str) -> CaseEvent:
    """Move the case along its workflow; returns the "status_changed" timeline event.

    Deciding goes through `decide_case`, which records the decision.
    """
    who = _handler(actor)
    if new_status == CaseStatus.DECIDED.value:
        raise CaseRuleError(_("Record a decision to decide the case."))
    if new_status not in allowed_transitions(case):
        raise CaseRuleError(_("The case cannot move to that status from where it is now."))
    _first_action(case)
    event = _move(case, new_status, who)
    _audit_case_handling("update", "case", case.id, case, who, {"status": new_status})
    return event


# --- notes, messages and attachments ---------------------------------------------------------------------------


def _clean_text(text: str, empty_message: Message) -> str:
    text = text.strip()
    if not text:
        raise CaseRuleError(empty_message)
    if len(text) > MAX_MESSAGE_LENGTH:
        raise CaseRuleError(_("Write at most %(count)d characters.", count=MAX_MESSAGE_LENGTH))
    return text


def add_note(case: Case, staff: StaffUser, body: str) -> CaseNote:
    """An internal note: on the officer's timeline only, never shown to the resident."""
    note = CaseNote(
        case_id=case.id,
        author_staff_id=staff.id,
        body=_clean_text(body, _("Write the note.")),
        created_at=clock.now(),
    )
    db.add(note)
    db.flush()
    _first_action(case)
    _append_event(
        case, "note_added", actor=Actor.staff(staff), data={"note_id": note.id}, visible_to_resident=False
    )
    _audit_case_handling("create", "case_note", note.id, case, Actor.staff(staff))
    return note


def _content_type_of(data: bytes) -> str | None:
    for content_type, signatures in ALLOWED_ATTACHMENT_TYPES.items():
        if data.startswith(signatures):
            return content_type
    return None


def check_upload(upload: Upload) -> str:
    """The upload's real content type; raises CaseRuleError when it is empty, too big or of another type."""
    if not upload.data:
        raise CaseRuleError(_("The file %(name)s is empty.", name=upload.filename))
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        raise CaseRuleError(_("The file %(name)s is larger than 10 MB.", name=upload.filename))
    content_type = _content_type_of(upload.data)
    if content_type is None:
        raise CaseRuleError(_("The file %(name)s must be a PDF, PNG or JPEG file.", name=upload.filename))
    return content_type


def _display_name(filename: str) -> str:
    # Only shown and offered as the download name: path parts and control characters go, the rest stays.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in name if character.isprintable()).strip()
    return name[:MAX_FILENAME_LENGTH] or "file"


def _owner_of(actor: Actor) -> AttachmentOwner:
    if actor.kind == Actor.API_TOKEN:
        return AttachmentOwner.CASE_SYSTEM
    return AttachmentOwner.STAFF if actor.kind == Actor.STAFF else AttachmentOwner.RESIDENT


def _store_attachments(
    case: Case,
    uploads: Sequence[Upload],
    *,
    actor: Actor,
    message: CaseMessage | None = None,
    completion: CompletionRequest | None = None,
    decision: CaseDecision | None = None,
    purpose: AttachmentPurpose | None = None,
) -> list[CaseAttachment]:
    content_types = [check_upload(upload) for upload in uploads]  # all checked before any is stored
    stored_attachments = []
    for upload, content_type in zip(uploads, content_types, strict=True):
        stored = get_storage().store(upload.data)
        attachment = CaseAttachment(
            case_id=case.id,
            message=message,
            completion_request_id=completion.id if completion is not None else None,
            decision_id=decision.id if decision is not None else None,
            uploaded_by=_owner_of(actor).value,
            uploaded_by_staff_id=actor.staff_id,
            purpose=purpose.value if purpose is not None else None,
            filename=_display_name(upload.filename),
            content_type=content_type,
            size=len(upload.data),
            sha256=stored.sha256,
            storage_key=stored.key,
            created_at=clock.now(),
        )
        db.add(attachment)
        stored_attachments.append(attachment)
    db.flush()
    return stored_attachments


def _add_message(
    case: Case, actor: Actor, direction: MessageDirection, text: str, uploads: Sequence[Upload]
) -> tuple[CaseMessage, CaseEvent]:
    """Store a message with its files and put it on the timeline; the caller has checked the text."""
    for upload in uploads:
        check_upload(upload)
    message = CaseMessage(
        case_id=case.id,
        direction=direction.value,
        author_staff_id=actor.staff_id,
        author_api_token_id=actor.api_token_id,
        body=text,
        created_at=clock.now(),
    )
    db.add(message)
    db.flush()
    attachments = _store_attachments(case, uploads, actor=actor, message=message)
    event = _append_event(
        case,
        f"message_{direction.value}",
        actor=actor,
        data={"message_id": message.id, "attachments": [attachment.filename for attachment in attachments]},
    )
    return message, event


def send_message_to_resident(
    case: Case, actor: CaseActor, body: str, uploads: Sequence[Upload] = ()
) -> CaseMessage:
    """A message from the officer or the case system, shown on the resident's case page; the resident is
    notified by signal."""
    who = _handler(actor)
    text = _clean_text(body, _("Write the message."))
    message, event = _add_message(case, who, MessageDirection.TO_RESIDENT, text, uploads)
    _first_action(case)
    _audit_case_handling("create", "case_message", message.id, case, who)
    events.message_to_resident.send(case, message=message, event=event)
    return message


def send_message_from_resident(
    case: Case, resident: Resident, body: str, uploads: Sequence[Upload] = ()
) -> CaseMessage:
    """A message from the resident to whoever handles the case, with optional attachments."""
    if case.status in CLOSED_STATUSES:
        raise CaseRuleError(_("The case is closed. Start a new errand if you need more help."))
    text = _clean_text(body, _("Write your message."))
    actor = Actor.resident(resident)
    message, _event = _add_message(case, actor, MessageDirection.FROM_RESIDENT, text, uploads)
    audit.record("create", "case_message", message.id, resident_id=resident.id, actor=actor.as_tuple())
    return message


def case_messages(case: Case) -> list[CaseMessage]:
    return list(
        db.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id))
    )


def internal_notes(case: Case) -> list[CaseNote]:
    """Staff only: never pass these to a resident's page."""
    return list(db.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)))


def case_attachments(case: Case) -> list[CaseAttachment]:
    return list(
        db.scalars(
            select(CaseAttachment).where(CaseAttachment.case_id == case.id).order_by(CaseAttachment.id)
        )
    )


def attach_signature_page(case: Case, agent: StaffUser, upload: Upload) -> CaseAttachment:
    """Keep the scanned page the resident signed on paper with the case, and say so on its timeline.

    The file is checked by its content like every case attachment (`check_upload`: PDF, PNG or JPEG, at most
    10 MB; raises CaseRuleError) and stored with its SHA-256. Residents, case officers and the case system see it
    with the case's other files.
    """
    actor = Actor.staff(agent)
    [attachment] = _store_attachments(case, [upload], actor=actor, purpose=AttachmentPurpose.SIGNATURE_PAGE)
    _append_event(
        case,
        "signed_on_paper",
        actor=actor,
        data={"attachment_id": attachment.id, "filename": attachment.filename, "agent_name": agent.full_name},
    )
    audit.record(
        "create",
        "case_attachment",
        attachment.id,
        resident_id=case.resident_id,
        actor=actor.as_tuple(),
        details={"purpose": AttachmentPurpose.SIGNATURE_PAGE.value, "sha256": attachment.sha256},
    )
    return attachment


def signature_page(case: Case) -> CaseAttachment | None:
    """The scanned signature page of a case signed on paper; None for any other case."""
    return db.scalar(
        select(CaseAttachment)
        .where(
            CaseAttachment.case_id == case.id,
            CaseAttachment.purpose == AttachmentPurpose.SIGNATURE_PAGE.value,
        )
        .order_by(CaseAttachment.id)
        .limit(1)
    )


def signature_method_names() -> dict[str | None, Message]:
    """How a case was signed, as residents and staff read it (None: the case was sent without a signature)."""
    return {
        SignatureMethod.BANKID.value: _("Signed with BankID"),
        SignatureMethod.BANKID_PHONE.value: _("Signed with BankID on the resident's phone during a call"),
        SignatureMethod.PAPER.value: _("Signed on paper"),
        None: _("Not signed"),
    }


def find_attachment(case: Case, attachment_id: int) -> CaseAttachment:
    """The case's attachment; one of another case (or none) raises CaseAccessDenied(404), logged."""
    attachment = db.get(CaseAttachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise _deny("case_attachment", attachment_id, 404, resident_id=case.resident_id)
    return attachment


def attachment_bytes(attachment: CaseAttachment) -> bytes:
    """The stored file, checked against the SHA-256 recorded when it was uploaded."""
    storage = get_storage()
    data = storage.read(attachment.storage_key)
    if storage.sha256(attachment.storage_key) != attachment.sha256:
        raise ValueError(f"the stored file of attachment {attachment.id} does not match its SHA-256")
    return data


# --- completion requests ---------------------------------------------------------------------------------------


def _form_definition(case: Case) -> FormDefinition | None:
    """The form definition the case was filed with, if it was filed through a form."""
    if case.form_version is None:
        return None
    return forms.published_definition(case.form_version)


def _field_label(definition: FormDefinition | None, key: str, language: str) -> str:
    if definition is not None:
        try:
            return forms.label_text(definition.field(key).label, language) or key
        except KeyError:
            return key
    return key


def editable_field_choices(case: Case, language: str) -> list[tuple[str, str]]:
    """The answers an officer may ask the resident to change with a plain input: (key, label), answers first.

    Lists, groups, addresses and files are left out; files come as attachments of the completion instead.
    """
    definition = _form_definition(case)
    keys = [key for key, value in case.answers.items() if not isinstance(value, list | dict)]
    if definition is not None:
        plain = {
            field.key
            for field in definition.fields()
            if field.is_input and field.group_key is None and field.type in _PLAIN_FIELD_TYPES
        }
        keys = [key for key in keys if key in plain] + sorted(plain - set(keys))
    return [(key, _field_label(definition, key, language)) for key in keys]


# Answers a plain text input can hold.
_PLAIN_FIELD_TYPES = frozenset(
    {
        "short_text",
        "long_text",
        "number",
        "date",
        "email",
        "phone",
        "postcode",
        "personnummer",
        "organisationsnummer",
        "single_choice",
    }
)


def request_completion(
    case: Case,
    staff: StaffUser,
    *,
    description: str,
    field_keys: Sequence[str],
    wants_attachments: bool,
    due_date: dt.date,
) -> CompletionRequest:
    """Ask the resident for what is missing by a date; the case waits for completion meanwhile."""
    text = _clean_text(description, _("Describe what is missing."))
    if due_date < clock.now().date():
        raise CaseRuleError(_("The due date cannot be in the past."))
    known = {key for key, _label in editable_field_choices(case, "sv")}
    unknown = [key for key in field_keys if key not in known]
    if unknown:
        raise CaseRuleError(_("Choose answers from the list."))
    if not field_keys and not wants_attachments:
        raise CaseRuleError(_("Choose at least one answer to change, or ask for attachments."))
    if open_completion(case) is not None:
        raise CaseRuleError(_("The resident already has a completion request to answer."))
    if (
        case.status != CaseStatus.AWAITING_COMPLETION.value
        and CaseStatus.AWAITING_COMPLETION.value not in allowed_transitions(case)
    ):
        raise CaseRuleError(_("The case cannot wait for a completion from where it is now."))
    completion = CompletionRequest(
        case_id=case.id,
        requested_by_id=staff.id,
        description=text,
        field_keys=list(dict.fromkeys(field_keys)),
        wants_attachments=wants_attachments,
        due_date=due_date,
        status=CompletionStatus.OPEN.value,
        created_at=clock.now(),
    )
    db.add(completion)
    db.flush()
    _first_action(case)
    event = _append_event(
        case,
        "completion_requested",
        actor=Actor.staff(staff),
        data={
            "completion_id": completion.id,
            "description": text,
            "fields": completion.field_keys,
            "wants_attachments": wants_attachments,
            "due_date": due_date.isoformat(),
        },
    )
    if case.status != CaseStatus.AWAITING_COMPLETION.value:
        _move(case, CaseStatus.AWAITING_COMPLETION.value, Actor.staff(staff))
    _audit_case_handling("create", "completion_request", completion.id, case, Actor.staff(staff))
    events.completion_requested.send(case, completion=completion, due=due_date, event=event)
    return completion


def completion_requests(case: Case) -> list[CompletionRequest]:
    return list(
        db.scalars(
            select(CompletionRequest)
            .where(CompletionRequest.case_id == case.id)
            .order_by(CompletionRequest.id)
        )
    )


def open_completion(case: Case) -> CompletionRequest | None:
    return db.scalar(
        select(CompletionRequest).where(
            CompletionRequest.case_id == case.id, CompletionRequest.status == CompletionStatus.OPEN.value
        )
    )


def completion_for_resident(case: Case, completion_id: int) -> CompletionRequest:
    """The case's completion request; another case's (or none) raises CaseAccessDenied(404), logged."""
    completion = db.get(CompletionRequest, completion_id)
    if completion is None or completion.case_id != case.id:
        raise _deny("completion_request", completion_id, 404, resident_id=case.resident_id)
    return completion


def completion_fields(case: Case, completion: CompletionRequest, language: str) -> list[CompletionField]:
    definition = _form_definition(case)
    return [
        CompletionField(key, _field_label(definition, key, language), case.answers.get(key))
        for key in completion.field_keys
    ]


def _validate_answer(
    definition: FormDefinition | None, case: Case, key: str, raw: str, language: str
) -> tuple[Any, list[Message]]:
    """Clean one answer with the form engine's validators when the case has a form; plain text otherwise."""
    if definition is None:
        return raw.strip(), []
    try:
        field = definition.field(key)
    except KeyError:
        return raw.strip(), []
    cleaned, errors = forms.validate_page(definition, field.page_id, {key: raw}, case.answers, language)
    own = [error for error in errors if error.path == key or error.path.startswith(f"{key}.")]
    return cleaned.get(key), [error.translate(_) for error in own]


def submit_completion(
    case: Case,
    completion: CompletionRequest,
    resident: Resident,
    raw_answers: Mapping[str, str],
    uploads: Sequence[Upload],
    language: str,
) -> dict[str, list[Message]]:
    """Apply the resident's completion: changed answers (each a timeline event keeping the old value) and files.

    Returns errors by field key (the key "attachments" for files); nothing is changed unless there are none.
    """
    if completion.status != CompletionStatus.OPEN.value:
        return {"form": [_("This completion has already been sent.")]}
    definition = _form_definition(case)
    errors: dict[str, list[Message]] = {}
    changes: dict[str, tuple[Any, Any]] = {}
    for key in completion.field_keys:
        raw = raw_answers.get(key, "")
        value, field_errors = _validate_answer(definition, case, key, raw, language)
        if field_errors:
            errors[key] = field_errors
        elif value != case.answers.get(key):
            changes[key] = (case.answers.get(key), value)
    if completion.wants_attachments:
        for upload in uploads:
            try:
                check_upload(upload)
            except CaseRuleError as problem:
                errors.setdefault("attachments", []).append(str(problem))
    if not changes and not (completion.wants_attachments and uploads) and not errors:
        errors["form"] = [_("Change an answer or add a file before you send.")]
    if errors:
        return errors

    actor = Actor.resident(resident)
    answers = dict(case.answers)
    for key, (old, new) in changes.items():
        answers[key] = new
        _append_event(
            case,
            "answer_changed",
            actor=actor,
            data={"completion_id": completion.id, "field": key, "old": old, "new": new},
        )
    # A new dict, so the JSON column is seen as changed; the old values live on in the timeline events.
    case.answers = answers
    attachments = _store_attachments(
        case,
        uploads if completion.wants_attachments else (),
        actor=actor,
        completion=completion,
    )
    for attachment in attachments:
        _append_event(
            case,
            "attachment_added",
            actor=actor,
            data={
                "completion_id": completion.id,
                "attachment_id": attachment.id,
                "filename": attachment.filename,
            },
        )
    completion.status = CompletionStatus.COMPLETED.value
    completion.completed_at = clock.now()
    _append_event(
        case,
        "completion_submitted",
        actor=actor,
        data={"completion_id": completion.id, "fields": sorted(changes), "attachments": len(attachments)},
    )
    if (
        case.status == CaseStatus.AWAITING_COMPLETION.value
        and CaseStatus.IN_PROGRESS.value in allowed_transitions(case)
    ):
        _move(case, CaseStatus.IN_PROGRESS.value, actor)
    audit.record(
        "update",
        "case",
        case.id,
        resident_id=resident.id,
        actor=actor.as_tuple(),
        details={"completion_id": completion.id, "changed": sorted(changes)},
    )
    return {}


# --- decisions ---------------------------------------------------------------------------------------------------


def decision_templates(service: Service) -> list[DecisionTemplate]:
    """Active templates for the service and the global ones, the service's first."""
    return list(
        db.scalars(
            select(DecisionTemplate)
            .where(
                DecisionTemplate.active.is_(True),
                or_(DecisionTemplate.service_id == service.id, DecisionTemplate.service_id.is_(None)),
            )
            .order_by(DecisionTemplate.service_id.is_(None), DecisionTemplate.title)
        )
    )


def department_services(staff: StaffUser) -> list[Service]:
    """The services whose cases land in the officer's department's queues."""
    if staff.department_id is None:
        return []
    return list(
        db.scalars(
            select(Service)
            .join(Queue, Queue.id == Service.queue_id)
            .where(Queue.department_id == staff.department_id)
            .order_by(Service.slug)
        )
    )


def department_decision_templates(staff: StaffUser) -> list[DecisionTemplate]:
    """Every template the officer may use or edit: the global ones and those of the department's services."""
    service_ids = [service.id for service in department_services(staff)]
    return list(
        db.scalars(
            select(DecisionTemplate)
            .where(or_(DecisionTemplate.service_id.is_(None), DecisionTemplate.service_id.in_(service_ids)))
            .order_by(DecisionTemplate.service_id.is_not(None), DecisionTemplate.title)
        )
    )


def decision_template_for_officer(template_id: int, staff: StaffUser) -> DecisionTemplate:
    """A template the officer may edit; another department's raises CaseAccessDenied(403), logged."""
    template = db.get(DecisionTemplate, template_id)
    if template is None:
        raise _deny("decision_template", template_id, 404)
    if template.service_id is not None and template.service_id not in {
        service.id for service in department_services(staff)
    }:
        raise _deny("decision_template", template_id, 403)
    return template


def save_decision_template(
    staff: StaffUser,
    *,
    title: str,
    body: str,
    service: Service | None,
    outcome: str | None,
    active: bool = True,
    template: DecisionTemplate | None = None,
) -> DecisionTemplate:
    """Create or edit a template; a service template only for a service of the officer's department."""
    if service is not None and (
        staff.department_id is None or service.queue.department_id != staff.department_id
    ):
        raise CaseRuleError(_("Choose a service of your department."))
    if outcome is not None and outcome not in {item.value for item in DecisionOutcome}:
        raise CaseRuleError(_("Choose an outcome."))
    if not title.strip():
        raise CaseRuleError(_("Give the template a title."))
    template = template or DecisionTemplate()
    template.title = title.strip()[:200]
    template.body = _clean_text(body, _("Write the template text."))
    template.service_id = service.id if service is not None else None
    template.outcome = outcome
    template.active = active
    template.updated_by_id = staff.id
    db.add(template)
    db.flush()
    audit.record("update", "decision_template", template.id, actor=Actor.staff(staff).as_tuple())
    return template


def decide_case(
    case: Case,
    actor: CaseActor,
    *,
    outcome: str,
    reasoning: str,
    template_id: int | None = None,
    attachments: Sequence[Upload] = (),
) -> CaseDecision:
    """Record the decision, move the case to decided, and queue the sealed decision letter for the resident.

    `attachments` are files that come with the decision (a case system's own decision PDF); they are kept on the
    decision and shown beside it, while the sealed letter is made from the outcome and reasoning as always.
    """
    who = _handler(actor)
    if outcome not in {item.value for item in DecisionOutcome}:
        raise CaseRuleError(_("Choose an outcome."))
    text = _clean_text(reasoning, _("Write the reasoning for the decision."))
    if CaseStatus.DECIDED.value not in allowed_transitions(case):
        raise CaseRuleError(_("The case cannot be decided from where it is now."))
    if open_completion(case) is not None:
        raise CaseRuleError(_("The resident has not answered the completion request yet."))
    for upload in attachments:
        check_upload(upload)
    template = db.get(DecisionTemplate, template_id) if template_id is not None else None
    now = clock.now()
    _first_action(case)
    resident = db.get(Resident, case.resident_id) if case.resident_id is not None else None
    content = decision_content(
        case, outcome=outcome, reasoning=text, decided_by=who.display_name, decided_at=now, resident=resident
    )
    document = request_decision(case, content)
    decision = CaseDecision(
        case_id=case.id,
        outcome=outcome,
        reasoning=text,
        template_id=template.id if template is not None else None,
        decided_by_id=who.staff_id,
        decided_by_api_token_id=who.api_token_id,
        decided_at=now,
        document_id=document.id,
    )
    db.add(decision)
    db.flush()
    stored = _store_attachments(case, attachments, actor=who, decision=decision)
    data: dict[str, Any] = {"decision_id": decision.id, "outcome": outcome, "document_id": document.id}
    if stored:
        data["attachments"] = [attachment.filename for attachment in stored]
    event = _append_event(case, "decided", actor=who, data=data)
    _move(case, CaseStatus.DECIDED.value, who)
    _audit_case_handling(
        "decide", "case", case.id, case, who, {"outcome": outcome, "decision_id": decision.id}
    )
    events.decision_made.send(case, decision=decision, outcome=outcome, event=event)
    return decision


def case_decisions(case: Case) -> list[CaseDecision]:
    return list(
        db.scalars(select(CaseDecision).where(CaseDecision.case_id == case.id).order_by(CaseDecision.id))
    )


# --- documents and timeline --------------------------------------------------------------------------------------


def document_for_case(case: Case, document_id: int) -> Document:
    """The case's document; another case's (or none) raises CaseAccessDenied(404), logged."""
    document = db.get(Document, document_id)
    if document is None or document.case_id != case.id:
        raise _deny("document", document_id, 404, resident_id=case.resident_id)
    return document


def document_pdf(document: Document) -> bytes | None:
    """The sealed PDF, or None while the worker has not sealed it yet."""
    try:
        return document_bytes(document)
    except DocumentNotReady:
        return None


def case_documents(case: Case) -> list[Document]:
    return documents_for_case(case.id)


def timeline(case: Case, *, for_resident: bool) -> list[CaseEvent]:
    """The case's events, oldest first; a resident's timeline leaves out what only staff may see."""
    statement = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if for_resident:
        statement = statement.where(CaseEvent.visible_to_resident.is_(True))
    return list(db.scalars(statement.order_by(CaseEvent.at, CaseEvent.id)))
