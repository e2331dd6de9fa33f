"""The filing flow as a service: start a draft on a service's published form, save it page by page, show the
answers for checking, and submit it as a case in one transaction.

The flow takes an actor (the resident, or an agent on the resident's behalf) and a channel, so the contact
centre walks the same flow. Every draft is bound to the exact form version it was started on and keeps using it
after a newer version is published. A draft becomes at most one case: submitting locks the draft row, and the
case's unique `draft_id` makes a double click or a browser retry land on the case the first click made.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value

from core import audit, clock
from core.db import db, update_row
from core.models import Resident
from eservices import attachments
from eservices.actors import Actor
from eservices.attachment_models import Attachment
from eservices.models import Case, CaseStatus, Channel, Service, SignatureMethod
from eservices.service import create_case
from forms import service as forms
from forms.models import Draft, FormVersion
from forms.rendering import display_answer, form_values
from forms.service import Field, FieldError, FormDefinition

__all__ = [
    "Actor",
    "AnswerRow",
    "CheckAnswers",
    "DraftAccess",
    "DraftIncomplete",
    "DraftNotFound",
    "FilingError",
    "LoginRequired",
    "NoPublishedForm",
    "PageOutcome",
    "Section",
    "Step",
    "Submission",
    "Upload",
    "answer_for_display",
    "check_answers",
    "definition_of",
    "drafts_for_resident",
    "final_answers",
    "load_draft",
    "prefill_marks_of",
    "published_version",
    "purge_expired_drafts",
    "resume_step",
    "save_page",
    "service_of",
    "start_draft",
    "step_after",
    "step_before",
    "steps",
    "submit_draft",
    "submitted_case",
    "valid_step",
]

DEFAULT_RETENTION_DAYS = 30
CHECK_ANSWERS = "#check"
"""A draft's `current_page` once every page is done; no page id can contain "#"."""


class FilingError(Exception):
    """Something the filing flow refuses; views turn each kind into a page or a redirect."""


class DraftNotFound(FilingError):
    """No such draft for this person: unknown, forged, someone else's, or purged. Always a 404."""


class NoPublishedForm(FilingError):
    """The service has no e-service form to file (yet)."""


class LoginRequired(FilingError):
    """The form needs an identified resident; anonymous filing is not allowed by its definition."""


class SignatureRequired(FilingError):
    """Sending a draft whose form must be signed, without a signature: it is sent by the sign step instead."""


class DraftIncomplete(FilingError):
    """Submitting a draft whose answers no longer pass validation; `step` is the first one to fix."""

    def __init__(self, step: Step) -> None:
        super().__init__(f"draft incomplete at {step.key}")
        self.step = step


@dataclass(frozen=True)
class DraftAccess:
    """Whose drafts this request may open: the logged-in resident's, and anonymous drafts whose tokens the
    browser session holds."""

    resident_id: int | None = None
    tokens: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    """One screen of the flow: a page, or one question of a page in a "one question per page" form."""

    page_id: str
    field_key: str | None = None

    @property
    def key(self) -> str:
        return self.page_id if self.field_key is None else f"{self.page_id}/{self.field_key}"

    @classmethod
    def from_key(cls, key: str) -> Step:
        page_id, _, field_key = key.partition("/")
        return cls(page_id, field_key or None)


@dataclass(frozen=True)
class Upload:
    """A file as it arrived with a page: its bytes and the name the resident's computer gave it."""

    stream: IO[bytes]
    filename: str | None


@dataclass
class PageOutcome:
    """What saving a page led to: go on to `next_step` (None: check answers), go back, or show the page again
    with `values` and `errors`."""

    saved: bool
    errors: list[FieldError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    next_step: Step | None = None
    went_back: bool = False
    logic_answers: dict[str, Any] = field(default_factory=dict)
    """The answers that decide which fields the page shows when it is shown again."""


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str | list[str]
    step: Step
    field_key: str


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[AnswerRow]


@dataclass(frozen=True)
class CheckAnswers:
    sections: list[Section]
    first_problem: Step | None
    """The first step whose answers do not pass validation any more, or None when the draft can be submitted."""


@dataclass(frozen=True)
class Submission:
    case: Case
    created: bool
    """False when the draft had already been submitted (a double click or retry): `case` is that case."""


# Versions and definitions -----------------------------------------------------------------------------------


def published_version(service: Service) -> FormVersion | None:
    """The newest published version of the service's form: the one a new draft starts on."""
    if service.form_id is None:
        return None
    return db.scalar(
        select(FormVersion)
        .where(FormVersion.form_id == service.form_id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )


def definition_for_version(version: FormVersion) -> FormDefinition:
    """The checked definition of a published version; versions are immutable, so loading is cached by content."""
    return forms.published_definition(version)


def definition_of(draft: Draft) -> FormDefinition:
    return definition_for_version(draft.form_version)


def service_of(draft: Draft) -> Service:
    service = db.scalar(select(Service).where(Service.form_id == draft.form_version.form_id))
    if service is None:
        raise DraftNotFound(f"no service files form {draft.form_version.form_id}")
    return service


# Steps ------------------------------------------------------------------------------------------------------


def _one_question_per_page(definition: FormDefinition) -> bool:
    return bool(definition.settings.get("one_question_per_page", False))


def steps(definition: FormDefinition, answers: Mapping[str, Any]) -> list[Step]:
    """The screens a person walks through for these answers, in order (hidden and skipped pages left out)."""
    pages = forms.visible_pages(definition, answers)
    if not _one_question_per_page(definition):
        return [Step(page_id) for page_id in pages]
    result: list[Step] = []
    for page_id in pages:
        state = forms.evaluate_page(definition, page_id, answers)
        questions = [
            page_field.key
            for page_field in definition.page(page_id).fields
            if page_field.is_input and state.is_visible(page_field.key)
        ]
        result.extend(Step(page_id, key) for key in questions)
        if not questions:
            result.append(Step(page_id))
    return result


def _all_steps(definition: FormDefinition) -> list[Step]:
    if not _one_question_per_page(definition):
        return [Step(page.id) for page in definition.pages]
    result = []
    for page in definition.pages:
        keys = [page_field.key for page_field in page.fields if page_field.is_input]
        result.extend([Step(page.id, key) for key in keys] or [Step(page.id)])
    return result


def step_after(definition: FormDefinition, step: Step, answers: Mapping[str, Any]) -> Step | None:
    """The next screen after `step` (even when `step` itself is no longer shown); None means check answers."""
    visible = set(steps(definition, answers))
    order = _all_steps(definition)
    position = order.index(step) if step in order else -1
    return next((candidate for candidate in order[position + 1 :] if candidate in visible), None)


def step_before(definition: FormDefinition, step: Step, answers: Mapping[str, Any]) -> Step | None:
    """The screen before `step`, or None on the first one."""
    visible = set(steps(definition, answers))
    order = _all_steps(definition)
    position = order.index(step) if step in order else 0
    return next((candidate for candidate in reversed(order[:position]) if candidate in visible), None)


def valid_step(definition: FormDefinition, step: Step) -> bool:
    """Whether the step names a page (and question) of this definition; anything else is a forged URL."""
    if not definition.has_page(step.page_id):
        return False
    if _one_question_per_page(definition):
        return step in _all_steps(definition)
    return step.field_key is None


def resume_step(draft: Draft, language: str) -> Step | None:
    """Where to continue a draft: the screen it was left on while that is still shown, else the first screen
    that needs an answer; None means the check-answers page."""
    definition = definition_of(draft)
    if draft.current_page and draft.current_page != CHECK_ANSWERS:
        remembered = Step.from_key(draft.current_page)
        if remembered in steps(definition, draft.answers):
            return remembered
    return _first_problem(definition, draft, language)


# Drafts -----------------------------------------------------------------------------------------------------


def start_draft(service: Service, actor: Actor, channel: Channel, resident: Resident | None) -> Draft:
    """A new draft on the service's current published form version, prefilled for the resident.

    `resident` is whom the case will belong to (None for an anonymous report); `actor` who is typing.
    """
    version = published_version(service)
    if version is None or not service.active:
        raise NoPublishedForm(service.slug)
    definition = definition_for_version(version)
    if resident is None and not definition.anonymous_allowed:
        raise LoginRequired(service.slug)
    prefilled = forms.prefill(definition, forms.PrefillContext(resident))
    first = steps(definition, prefilled.answers)
    draft = Draft(
        form_version_id=version.id,
        form_version=version,
        resident_id=resident.id if resident is not None else None,
        answers=dict(prefilled.answers),
        prefilled={"answers": prefilled.answers, "origins": prefilled.to_json()},
        current_page=first[0].key if first else None,
        actor_kind=actor.kind,
        actor_id=actor.id,
        channel=channel.value,
        # Anonymous drafts are found again only through this token, kept in the browser's signed session.
        token=secrets.token_urlsafe(32) if resident is None else None,
    )
    db.add(draft)
    db.flush()
    audit.record(
        "create",
        "draft",
        draft.id,
        resident_id=draft.resident_id,
        actor=actor.as_tuple(),
        details={"service": service.slug, "form_version": version.id, "channel": channel.value},
    )
    return draft


def _may_open(draft: Draft, access: DraftAccess) -> bool:
    if draft.resident_id is not None:
        return draft.resident_id == access.resident_id
    return draft.token is not None and draft.token in access.tokens


def load_draft(draft_id: int, access: DraftAccess, *, for_update: bool = False) -> Draft:
    """The draft, if this person may open it; DraftNotFound otherwise (never saying whose it is)."""
    query = select(Draft).where(Draft.id == draft_id)
    if for_update:
        # Concurrent submits of one draft queue up here; the second sees the case the first created.
        query = query.with_for_update().execution_options(populate_existing=True)
    draft = db.scalar(query)
    if draft is None or not _may_open(draft, access):
        raise DraftNotFound(str(draft_id))
    return draft


def submitted_case(draft: Draft) -> Case | None:
    """The case the draft became, if it was submitted (a draft that was not costs no look-up)."""
    if draft.submitted_at is None:
        return None
    return db.scalar(select(Case).where(Case.draft_id == draft.id))


def drafts_for_resident(resident_id: int) -> list[Draft]:
    """The resident's unfinished drafts, newest first, to resume from any device."""
    return list(
        db.scalars(
            select(Draft)
            .where(Draft.resident_id == resident_id, Draft.submitted_at.is_(None))
            .order_by(Draft.updated_at.desc(), Draft.id.desc())
        )
    )


def _prefill_result(draft: Draft) -> forms.PrefillResult:
    stored = draft.prefilled or {}
    return forms.PrefillResult.from_json(stored.get("answers", {}), stored.get("origins", {}))


def prefill_marks_of(draft: Draft) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(prefilled answers, their origins) as stored on the draft, for marking prefilled values on a page."""
    stored = draft.prefilled or {}
    return stored.get("answers", {}), stored.get("origins", {})


def _file_answers(draft: Draft, page_field: Field) -> list[dict[str, Any]]:
    return [
        attachments.file_answer(item) for item in attachments.attachments_for_draft(draft.id, page_field.key)
    ]


def save_page(
    draft: Draft,
    step: Step,
    raw_input: Mapping[str, Any],
    uploads: Mapping[str, Sequence[Upload]],
    language: str,
    action: str = "continue",
) -> PageOutcome:
    """Handle one submitted page: store its files, then continue, go back, or add/remove a group entry or file.

    `raw_input` is the page as `forms.rendering.parse_page` read it; unknown names were already left out.
    Continuing validates the page and saves it on the draft; going back saves whatever passed validation so
    nothing typed is lost; adding or removing an entry or a file only shows the page again.
    """
    if draft.submitted_at is not None:
        raise DraftNotFound(f"draft {draft.id} was submitted; its answers belong to the case now")
    definition = definition_of(draft)
    if not valid_step(definition, step):
        raise DraftNotFound(step.key)
    page = definition.page(step.page_id)
    answers = dict(draft.answers)
    errors: list[FieldError] = []
    for page_field in page.fields:
        if page_field.type != "file_upload" or step.field_key not in (None, page_field.key):
            continue
        for upload in uploads.get(page_field.key, ()):
            try:
                attachments.store_upload(draft.id, page_field, upload.stream, upload.filename)
            except attachments.UploadRejected as rejected:
                errors.append(FieldError(page_field.key, rejected.message, dict(rejected.params)))
    if action.startswith("remove-file:"):
        attachment_id = action.partition(":")[2]
        if attachment_id.isdigit():
            attachments.remove_attachment(draft.id, int(attachment_id))

    raw = dict(raw_input)
    if step.field_key is not None:
        # One question per page: the page's other questions keep their stored answers.
        raw = {
            **_stored_as_raw(definition, step.page_id, answers),
            step.field_key: raw_input.get(step.field_key),
        }
    for page_field in page.fields:
        if page_field.type == "file_upload":
            raw[page_field.key] = _file_answers(draft, page_field)
    cleaned, page_errors = forms.validate_page(
        definition, step.page_id, raw, answers, language, prefilled=_prefill_result(draft)
    )
    if step.field_key is not None:
        page_errors = [error for error in page_errors if _error_key(error) == step.field_key]
    values: dict[str, Any] = {
        **raw_input,
        **form_values(definition, step.page_id, _prefill_result(draft).locked_values(definition).fields),
    }
    outcome = PageOutcome(saved=False, errors=errors, values=values, logic_answers={**answers, **cleaned})

    if action.startswith(("add:", "remove:", "remove-file:")):
        _change_entries(definition, step, values, action)
        return outcome
    errors.extend(page_errors)
    if action == "back":
        failed = {_error_key(error) for error in errors}
        kept = {key: value for key, value in cleaned.items() if key not in failed}
        _store(draft, {**answers, **kept}, step)
        outcome.saved, outcome.went_back = True, True
        outcome.next_step = step_before(definition, step, draft.answers)
        return outcome
    if errors:
        return outcome
    answers.update(cleaned)
    following = step_after(definition, step, answers)
    _store(draft, answers, following)
    outcome.saved, outcome.next_step = True, following
    return outcome


def _store(draft: Draft, answers: dict[str, Any], current: Step | None) -> None:
    # JSON columns are replaced, never changed in place, so SQLAlchemy sees the change.
    draft.answers = answers
    draft.current_page = current.key if current is not None else CHECK_ANSWERS
    draft.updated_at = clock.now()
    db.flush()


def _error_key(error: FieldError) -> str:
    return error.path.split("[", 1)[0].split(".", 1)[0]


def _stored_as_raw(definition: FormDefinition, page_id: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    # Cleaned answers are valid raw input too (the cleaners accept their own output).
    return {page_field.key: answers.get(page_field.key) for page_field in definition.page(page_id).fields}


def _change_entries(definition: FormDefinition, step: Step, values: dict[str, Any], action: str) -> None:
    parts = action.split(":")
    group_key = parts[1] if len(parts) > 1 else ""
    page_keys = {page_field.key for page_field in definition.page(step.page_id).fields}
    if group_key not in page_keys or definition.field(group_key).type != "repeating_group":
        return  # a forged action: show the page as it was
    entries = list(values.get(group_key) or [])
    if parts[0] == "add":
        if not entries:
            entries.append({})  # the blank entry the page showed counts as the first
        entries.append({})
    elif len(parts) == 3 and parts[2].isdigit() and int(parts[2]) < len(entries):
        del entries[int(parts[2])]
    values[group_key] = entries


# Checking and submitting ------------------------------------------------------------------------------------


def _validate_all(
    definition: FormDefinition, draft: Draft, language: str
) -> tuple[dict[str, Any], list[tuple[str, list[FieldError]]]]:
    """Re-validate every shown page from the stored answers: (final answers, problems per page)."""
    answers = dict(draft.answers)
    prefilled = _prefill_result(draft)
    final: dict[str, Any] = {}
    problems: list[tuple[str, list[FieldError]]] = []
    for page_id in forms.visible_pages(definition, answers):
        raw = _stored_as_raw(definition, page_id, answers)
        cleaned, errors = forms.validate_page(
            definition, page_id, raw, answers, language, prefilled=prefilled
        )
        final.update(cleaned)
        if errors:
            problems.append((page_id, errors))
    return {key: value for key, value in final.items() if value is not None}, problems


def _step_of(definition: FormDefinition, problems: list[tuple[str, list[FieldError]]]) -> Step | None:
    """The step that shows the first problem, or None without problems."""
    if not problems:
        return None
    page_id, errors = problems[0]
    if _one_question_per_page(definition):
        return Step(page_id, _error_key(errors[0]))
    return Step(page_id)


def _first_problem(definition: FormDefinition, draft: Draft, language: str) -> Step | None:
    _final, problems = _validate_all(definition, draft, language)
    return _step_of(definition, problems)


def _complete_answers(definition: FormDefinition, draft: Draft, language: str) -> dict[str, Any]:
    """The draft's final answers; raises DraftIncomplete at the first step that needs attention."""
    final, problems = _validate_all(definition, draft, language)
    step = _step_of(definition, problems)
    if step is not None:
        raise DraftIncomplete(step)
    return final


def check_answers(draft: Draft, language: str) -> CheckAnswers:
    """Every shown answer by page, each with the step to change it, and the first step that needs attention."""
    definition = definition_of(draft)
    answers = draft.answers
    per_question = _one_question_per_page(definition)
    sections = []
    for page_id in forms.visible_pages(definition, answers):
        page = definition.page(page_id)
        state = forms.evaluate_page(definition, page_id, answers)
        rows = []
        for page_field in page.fields:
            if not page_field.is_input or not state.is_visible(page_field.key):
                continue
            rows.append(
                AnswerRow(
                    label=forms.label_text(page_field.label, language),
                    value=answer_for_display(page_field, answers.get(page_field.key), language),
                    step=Step(page_id, page_field.key if per_question else None),
                    field_key=page_field.key,
                )
            )
        sections.append(Section(forms.label_text(page.title, language), rows))
    return CheckAnswers(sections, _first_problem(definition, draft, language))


def answer_for_display(page_field: Field, value: Any, language: str) -> str | list[str]:
    """An answer as people read it; a repeating group as one line per entry ("Child 1: Name: Layla; ...")."""
    if page_field.type != "repeating_group":
        return display_answer(page_field, value, language)
    entry_label = forms.label_text(page_field.entry_label, language) if page_field.entry_label else ""
    lines = []
    for index, entry in enumerate(value or []):
        parts = []
        for nested in page_field.fields:
            if nested.is_input and forms.is_answered(entry.get(nested.key)):
                shown = display_answer(nested, entry.get(nested.key), language)
                text = ", ".join(shown) if isinstance(shown, list) else shown
                parts.append(f"{forms.label_text(nested.label, language)}: {text}")
        lines.append(f"{entry_label} {index + 1}: " + "; ".join(parts))
    return lines or display_answer(page_field, None, language)


# Hook for eservices.submission_signing: a signature covers exactly the answers the case will get.
def final_answers(draft: Draft, language: str) -> dict[str, Any]:
    """The answers `submit_draft` would give the case now; raises DraftIncomplete when a page needs attention."""
    return _complete_answers(definition_of(draft), draft, language)


def submit_draft(
    draft_id: int,
    access: DraftAccess,
    actor: Actor,
    language: str,
    *,
    identity_method: str | None = None,
    signature_method: SignatureMethod | None = None,
    assisted_by_id: int | None = None,
    status: CaseStatus = CaseStatus.SUBMITTED,
) -> Submission:
    """Turn the draft into a case, in the caller's transaction; the same case again for a repeated submit.

    The answers are validated once more in full on the draft's own form version, so a stale or tampered draft
    cannot become a case. The case gets the service's queue, channel and a "submitted" event and audit entry
    (from `create_case`), and the draft's files move to it. The draft keeps no answers afterwards.
    `assisted_by_id` (the agent filing on the resident's behalf) and `signature_method` (how the applicant signed)
    are given to the case as it is created.
    """
    draft, version, service = _lock_for_submit(draft_id, access)
    if draft.submitted_at is not None:
        existing = submitted_case(draft)
        if existing is not None:
            return Submission(existing, created=False)
    definition = definition_for_version(version)
    if definition.requires_signature and signature_method is None:
        raise SignatureRequired(str(draft_id))
    final = _complete_answers(definition, draft, language)
    # The form's statistics (time to complete, share of answers prefilled) need the draft before it is emptied.
    statistics = forms.submission_statistics(draft)
    # The draft is emptied and marked in the same transaction as the case is made: a concurrent submit of it,
    # waiting for its row lock, then reads the marked draft and finds the case.
    now = clock.now()
    update_row(
        draft, {"answers": {}, "prefilled": {}, "current_page": None, "submitted_at": now, "updated_at": now}
    )
    case = create_case(
        service,
        draft.resident_id,
        final,
        channel=Channel(draft.channel),
        actor=actor.as_tuple(),
        identity_method=identity_method,
        signature_method=signature_method,
        assisted_by_id=assisted_by_id,
        form_version_id=draft.form_version_id,
        draft_id=draft.id,
        status=status,
        form_statistics=statistics,
    )
    set_committed_value(case, "form_version", version)  # already loaded; spares whoever reads it next a query
    attachments.link_to_case(draft.id, case.id, _storage_keys(definition, final))
    return Submission(case, created=True)


# The submit's first statement, built once: every submit runs it.
_LOCK_FOR_SUBMIT = (
    select(Draft, FormVersion, Service)
    .join(FormVersion, FormVersion.id == Draft.form_version_id)
    .outerjoin(Service, Service.form_id == FormVersion.form_id)
    .where(Draft.id == bindparam("draft_id"))
    .with_for_update(of=Draft)
    # The checked definition is kept by its digest (forms.published_definition); its JSON is read only once.
    .options(defer(FormVersion.definition))
    .execution_options(populate_existing=True)
)


def _lock_for_submit(draft_id: int, access: DraftAccess) -> tuple[Draft, FormVersion, Service]:
    """The draft, locked until the transaction ends, with its version and service.

    The version comes from the same statement: `draft.form_version` would be loaded again, since refreshing the
    locked draft (`populate_existing`) resets its relationships. Concurrent submits of one draft queue up on the
    row lock; the one that waited reads the draft as the first one left it (marked `submitted_at`).
    """
    row = db.execute(_LOCK_FOR_SUBMIT, {"draft_id": draft_id}).first()
    if row is None or not _may_open(row[0], access):
        raise DraftNotFound(str(draft_id))
    draft, version, service = row
    if service is None:
        raise DraftNotFound(f"no service files the form of draft {draft_id}")
    return draft, version, service


def _storage_keys(definition: FormDefinition, answers: Mapping[str, Any]) -> Iterable[str]:
    for key, value in answers.items():
        try:
            kind = definition.field(key).type
        except KeyError:
            continue
        if kind == "file_upload" and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping) and isinstance(item.get("storage_key"), str):
                    yield item["storage_key"]


def _retention_days(definition: Mapping[str, Any], default_days: int) -> int:
    """How many days after its last save a draft of a form with this definition is kept."""
    days = definition.get("settings", {}).get("draft_retention_days")
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else default_days


def _expired_draft_ids(default_days: int) -> tuple[list[int], dict[int, int]]:
    """Drafts past their form's retention, and how many of them per retention period (days: drafts).

    A form's retention is what its newest published version says, so a form admin who shortens it (and
    publishes) shortens it for drafts started on older versions too; forms that say nothing keep `default_days`.
    """
    now = clock.now()
    form_ids = db.scalars(
        select(FormVersion.form_id).join(Draft, Draft.form_version_id == FormVersion.id).distinct()
    ).all()
    draft_ids: list[int] = []
    per_period: dict[int, int] = {}
    for form_id in sorted(form_ids):
        newest = db.scalar(
            select(FormVersion.definition)
            .where(FormVersion.form_id == form_id)
            .order_by(FormVersion.version.desc())
            .limit(1)
        )
        days = _retention_days(newest or {}, default_days)
        expired = db.scalars(
            select(Draft.id)
            .join(FormVersion, FormVersion.id == Draft.form_version_id)
            .where(FormVersion.form_id == form_id, Draft.updated_at < now - dt.timedelta(days=days))
        ).all()
        if expired:
            draft_ids.extend(expired)
            per_period[days] = per_period.get(days, 0) + len(expired)
    return draft_ids, per_period


def purge_expired_drafts(
    default_days: int = DEFAULT_RETENTION_DAYS, *, override_days: int | None = None
) -> int:
    """Delete drafts kept past their retention with the files no case kept; returns how many drafts went.

    Each draft is kept for its form's `draft_retention_days`, or `default_days` when the form sets none;
    `override_days`, when given, applies to every draft instead (an operator's explicit choice for one run).
    Submitted drafts go too (their case stays and forgets the draft id); cron or a scheduler runs this daily.
    """
    if override_days is not None:
        cutoff = clock.now() - dt.timedelta(days=override_days)
        draft_ids = list(db.scalars(select(Draft.id).where(Draft.updated_at < cutoff)))
        per_period = {override_days: len(draft_ids)} if draft_ids else {}
    else:
        draft_ids, per_period = _expired_draft_ids(default_days)
    if not draft_ids:
        return 0
    attachments.delete_draft_attachments(draft_ids)
    db.execute(
        update(Attachment)
        .where(Attachment.draft_id.in_(draft_ids))
        .values(draft_id=None)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(Case)
        .where(Case.draft_id.in_(draft_ids))
        .values(draft_id=None)
        .execution_options(synchronize_session=False)
    )
    db.execute(delete(Draft).where(Draft.id.in_(draft_ids)).execution_options(synchronize_session=False))
    audit.record(
        "purge",
        "draft",
        None,
        actor=("system", None),
        details={
            "drafts": len(draft_ids),
            "days": override_days,
            "default_days": default_days,
            "per_retention_days": {str(days): count for days, count in sorted(per_period.items())},
        },
    )
    return len(draft_ids)
