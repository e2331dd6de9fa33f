"""Life events and proactive offers: questionnaires whose answers select checklist steps, checklists residents
save and tick off (a submitted case ticks its step by itself), and rules over register data that put offers on
My pages and notify the resident once.

For the contact centre: `checklists_for_resident(resident_id)` lists a resident's saved checklists, and the
questionnaire pages (`/life-events/<slug>?on_behalf_of=<resident id>`) let an agent walk a caller through the
questionnaire and save the checklist on the resident's My pages.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.exc import IntegrityError

from core import audit, clock, outbox
from core.config import Settings
from core.db import db
from core.i18n import translated
from core.models import Resident
from eservices import events
from eservices.catalogue_models import (
    LifeEvent,
    LifeEventQuestion,
    LifeEventStep,
    Offer,
    OfferRule,
    SavedChecklist,
    SavedChecklistStep,
)
from eservices.channels import Recipient, RenderedNotification
from eservices.channels import registry as channels
from eservices.models import Case, CaseStatus
from forms.prefill import PrefillContext, PrefillRegistry
from forms.prefill import registry as prefill_providers

__all__ = [
    "OFFER_CHECKS",
    "OFFER_JOB_PREFIX",
    "ChecklistNotFound",
    "Option",
    "RuleProblem",
    "checklist_steps",
    "checklists_for_resident",
    "delete_checklist",
    "deliver_offer_notification",
    "dismiss_offer",
    "evaluate_offers",
    "evaluate_offers_for_everyone",
    "find_checklist",
    "find_life_event",
    "life_events",
    "offer_text",
    "offer_title",
    "offers_for_resident",
    "options_of",
    "rule_problems",
    "save_checklist",
    "set_step_done",
    "tick_steps_for_case",
    "validate_answers",
]

logger = logging.getLogger(__name__)

OFFER_JOB_PREFIX = "offer."
YES, NO = "yes", "no"
YES_NO_LABELS = {YES: _l("Yes"), NO: _l("No")}


class ChecklistNotFound(LookupError):
    """No such checklist or step for this resident (also when it belongs to someone else)."""


# --- Questionnaires ------------------------------------------------------------------------------------------


def life_events(*, include_inactive: bool = False) -> list[LifeEvent]:
    statement = select(LifeEvent).order_by(LifeEvent.position, LifeEvent.slug)
    if not include_inactive:
        statement = statement.where(LifeEvent.active.is_(True))
    return list(db.scalars(statement))


def find_life_event(slug: str, *, include_inactive: bool = False) -> LifeEvent | None:
    found = db.scalar(select(LifeEvent).where(LifeEvent.slug == slug))
    if found is None or (not found.active and not include_inactive):
        return None
    return found


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def options_of(question: LifeEventQuestion, language: str | None = None) -> list[Option]:
    """The question's answer options; a question without its own options is a yes/no question."""
    if not question.options:
        return [Option(value, str(label)) for value, label in YES_NO_LABELS.items()]
    return [
        Option(str(option["value"]), translated(option.get("label"), language) or str(option["value"]))
        for option in question.options
    ]


def _option_values(question: LifeEventQuestion) -> list[str]:
    return [str(option["value"]) for option in question.options] if question.options else [YES, NO]


def validate_answers(life_event: LifeEvent, raw: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(answers by question key, error message by question key). Every question must be answered."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for question in life_event.questions:
        value = raw.get(question.key)
        if isinstance(value, str) and value in _option_values(question):
            answers[question.key] = value
        else:
            errors[question.key] = _("Choose an answer to: %(question)s", question=translated(question.text))
    return answers, errors


def _holds(condition: Mapping[str, Any], answers: Mapping[str, str]) -> bool:
    return answers.get(str(condition.get("question"))) in [str(value) for value in condition.get("in", [])]


def checklist_steps(life_event: LifeEvent, answers: Mapping[str, str]) -> list[LifeEventStep]:
    """The steps these answers lead to, in the order they should be done."""
    return [step for step in life_event.steps if all(_holds(rule, answers) for rule in step.show_when or [])]


@dataclass(frozen=True)
class RuleProblem:
    """Why a step's rule cannot be saved; `step` is the step's key."""

    step: str
    message: str


def rule_problems(
    questions: Sequence[LifeEventQuestion], steps: Sequence[LifeEventStep]
) -> list[RuleProblem]:
    """Rules that refer to unknown questions or answers, or are malformed. Saving is refused while any exist."""
    values = {question.key: _option_values(question) for question in questions}
    problems: list[RuleProblem] = []
    for step in steps:
        rules = step.show_when
        if not isinstance(rules, list):
            problems.append(RuleProblem(step.key, _("The rule must be a list of conditions.")))
            continue
        for rule in rules:
            if not isinstance(rule, Mapping) or not isinstance(rule.get("in"), list) or not rule.get("in"):
                problems.append(
                    RuleProblem(step.key, _("Each condition needs a question and the answers it accepts."))
                )
                continue
            key = str(rule.get("question"))
            if key not in values:
                problems.append(
                    RuleProblem(step.key, _("The rule refers to an unknown question: %(key)s", key=key))
                )
                continue
            for value in rule["in"]:
                if str(value) not in values[key]:
                    problems.append(
                        RuleProblem(
                            step.key,
                            _(
                                "The question %(key)s has no answer %(value)s.",
                                key=key,
                                value=str(value),
                            ),
                        )
                    )
    return problems


# --- Saved checklists ----------------------------------------------------------------------------------------


def save_checklist(
    resident: Resident,
    life_event: LifeEvent,
    answers: Mapping[str, str],
    *,
    saved_by_staff_id: int | None = None,
) -> SavedChecklist:
    """Save the checklist these answers give to the resident's My pages (an agent passes their own id)."""
    checklist = SavedChecklist(
        resident_id=resident.id,
        life_event=life_event,
        answers=dict(answers),
        saved_by_staff_id=saved_by_staff_id,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    for position, step in enumerate(checklist_steps(life_event, answers)):
        checklist.steps.append(
            SavedChecklistStep(
                step_id=step.id,
                position=position,
                title=dict(step.title),
                timing=dict(step.timing),
                agency=dict(step.agency),
                service_id=step.service_id,
                external_url=step.external_url,
            )
        )
    db.add(checklist)
    db.flush()
    audit.record(
        "create",
        "saved_checklist",
        checklist.id,
        resident_id=resident.id,
        details={"life_event": life_event.slug, "on_behalf": saved_by_staff_id is not None},
    )
    return checklist


def checklists_for_resident(resident_id: int) -> list[SavedChecklist]:
    """The resident's saved checklists, newest first, with their steps (for My pages and the agent's view)."""
    return list(
        db.scalars(
            select(SavedChecklist)
            .where(SavedChecklist.resident_id == resident_id)
            .order_by(SavedChecklist.created_at.desc(), SavedChecklist.id.desc())
        )
    )


def find_checklist(resident_id: int, checklist_id: int) -> SavedChecklist:
    checklist = db.get(SavedChecklist, checklist_id)
    if checklist is None or checklist.resident_id != resident_id:
        raise ChecklistNotFound(checklist_id)
    return checklist


def set_step_done(
    resident_id: int, checklist_id: int, step_id: int, done: bool, *, by: str = "resident"
) -> SavedChecklistStep:
    """Tick a step off (or untick it). `by` is "resident" or "agent"."""
    checklist = find_checklist(resident_id, checklist_id)
    step = next((item for item in checklist.steps if item.id == step_id), None)
    if step is None:
        raise ChecklistNotFound(step_id)
    step.done_at = clock.now() if done else None
    step.done_by = by if done else None
    if not done:
        step.case_id = None
    checklist.updated_at = clock.now()
    audit.record(
        "update",
        "saved_checklist_step",
        step.id,
        resident_id=resident_id,
        details={"done": done, "by": by},
    )
    return step


def delete_checklist(resident_id: int, checklist_id: int) -> None:
    checklist = find_checklist(resident_id, checklist_id)
    db.delete(checklist)
    audit.record("delete", "saved_checklist", checklist_id, resident_id=resident_id)


# Built once (every submission runs it; building it costs more than running it).
_OPEN_STEPS_AND_OFFERS = union_all(
    select(literal("step").label("kind"), SavedChecklistStep.id.label("id"))
    .join(SavedChecklist, SavedChecklist.id == SavedChecklistStep.checklist_id)
    .where(
        SavedChecklist.resident_id == bindparam("resident_id"),
        SavedChecklistStep.service_id == bindparam("service_id"),
        SavedChecklistStep.done_at.is_(None),
    ),
    select(literal("offer").label("kind"), Offer.id.label("id"))
    .join(OfferRule, OfferRule.id == Offer.rule_id)
    .where(
        Offer.resident_id == bindparam("resident_id"),
        OfferRule.service_id == bindparam("service_id"),
        Offer.case_id.is_(None),
    ),
)


def tick_steps_for_case(case: Case) -> list[SavedChecklistStep]:
    """Tick every open step for the case's service on the owner's checklists, and settle matching offers."""
    if case.resident_id is None:
        return []
    # One statement finds both the open steps and the open offers; most residents have neither, and then
    # submitting pays a single round trip for this.
    found = db.execute(
        _OPEN_STEPS_AND_OFFERS, {"resident_id": case.resident_id, "service_id": case.service_id}
    ).all()
    step_ids = sorted(row.id for row in found if row.kind == "step")
    offer_ids = sorted(row.id for row in found if row.kind == "offer")
    steps = (
        list(db.scalars(select(SavedChecklistStep).where(SavedChecklistStep.id.in_(step_ids))))
        if step_ids
        else []
    )
    for step in steps:
        step.done_at = clock.now()
        step.done_by = "case"
        step.case_id = case.id
    if offer_ids:
        for offer in db.scalars(select(Offer).where(Offer.id.in_(offer_ids))):
            offer.case_id = case.id
    return steps


@events.case_submitted.connect
def _on_case_submitted(case: Case, **_extra: Any) -> None:
    tick_steps_for_case(case)


# --- Proactive offers ----------------------------------------------------------------------------------------

OfferCheck = Callable[[Resident, OfferRule, Mapping[str, Any], dt.date], list[tuple[str, dict[str, Any]]]]
"""Given a resident, a rule, the resident's register data and today's date: (subject key, details) per offer."""


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


def _has_case_for(resident: Resident, service_id: int) -> bool:
    return (
        db.scalar(
            select(Case.id)
            .where(
                Case.resident_id == resident.id,
                Case.service_id == service_id,
                Case.status != CaseStatus.WITHDRAWN.value,
            )
            .limit(1)
        )
        is not None
    )


def _child_turns_age_without_case(
    resident: Resident, rule: OfferRule, register: Mapping[str, Any], today: dt.date
) -> list[tuple[str, dict[str, Any]]]:
    """A child of the resident reaches `age_years` within `within_months` and the resident has no case for the
    rule's service yet (e.g. a preschool place for a child who turns one)."""
    age = int(rule.parameters.get("age_years", 1))
    within = int(rule.parameters.get("within_months", 3))
    if _has_case_for(resident, rule.service_id):
        return []
    found = []
    for child in register.get("children") or []:
        try:
            born = dt.date.fromisoformat(str(child.get("birth_date")))
        except ValueError:
            continue
        birthday = _add_months(born, 12 * age)
        if today <= birthday <= _add_months(today, within):
            details = {"child_name": child.get("given_name", ""), "date": birthday.isoformat()}
            found.append((str(child.get("personnummer")), details))
    return found


OFFER_CHECKS: dict[str, OfferCheck] = {"child_turns_age_without_case": _child_turns_age_without_case}
"""The kinds of offer rule, by name; an admin picks one and sets its parameters and service."""

REGISTER_ATTRIBUTES = frozenset({"children"})


def evaluate_offers(
    resident: Resident, *, providers: PrefillRegistry | None = None, today: dt.date | None = None
) -> list[Offer]:
    """Run every active rule for the resident; new offers are saved and their notification is queued once."""
    providers = providers if providers is not None else prefill_providers
    if "population_register" not in providers:
        return []
    rules = list(db.scalars(select(OfferRule).where(OfferRule.active.is_(True)).order_by(OfferRule.id)))
    if not rules:
        return []
    register = providers["population_register"].fetch(PrefillContext(resident), REGISTER_ATTRIBUTES)
    today = today or clock.now().date()
    made: list[Offer] = []
    for rule in rules:
        check = OFFER_CHECKS.get(rule.kind)
        if check is None:
            logger.warning("offer rule %s has an unknown kind %r; skipped", rule.key, rule.kind)
            continue
        for subject_key, details in check(resident, rule, register, today):
            offer = _make_offer_once(resident, rule, subject_key, details)
            if offer is not None:
                made.append(offer)
    return made


def _make_offer_once(
    resident: Resident, rule: OfferRule, subject_key: str, details: dict[str, Any]
) -> Offer | None:
    existing = db.scalar(
        select(Offer).where(
            Offer.resident_id == resident.id, Offer.rule_id == rule.id, Offer.subject_key == subject_key
        )
    )
    if existing is not None:
        return None
    offer = Offer(
        resident_id=resident.id,
        rule_id=rule.id,
        subject_key=subject_key,
        details=details,
        created_at=clock.now(),
    )
    try:
        # A concurrent evaluation may have made the same offer; the unique constraint settles it.
        with db.begin_nested():
            db.add(offer)
            db.flush()
    except IntegrityError:
        return None
    _queue_offer_notification(resident, offer, rule, subject_key)
    audit.record("create", "offer", offer.id, resident_id=resident.id, details={"rule": rule.key})
    return offer


def _settings() -> Settings:
    settings: Settings = current_app.extensions["kanal.settings"]
    return settings


def _recipient(resident: Resident) -> Recipient:
    return Recipient(language=resident.preferred_language, email=resident.email, phone=resident.phone)


def _queue_offer_notification(resident: Resident, offer: Offer, rule: OfferRule, subject_key: str) -> None:
    recipient = _recipient(resident)
    for channel in channels.create_all(_settings()):
        if channel.address_of(recipient) is None:
            continue
        key = f"offer:{resident.id}:{rule.id}:{subject_key}:{channel.name}"
        outbox.enqueue(OFFER_JOB_PREFIX + channel.name, {"offer_id": offer.id}, key)


def evaluate_offers_for_everyone(*, providers: PrefillRegistry | None = None) -> int:
    """Run the rules for every resident (a daily job); returns how many offers were made."""
    made = 0
    for resident in db.scalars(select(Resident).order_by(Resident.id)):
        made += len(evaluate_offers(resident, providers=providers))
    return made


def offers_for_resident(resident_id: int) -> list[Offer]:
    """Offers still open: not dismissed and not yet taken up with a case."""
    return list(
        db.scalars(
            select(Offer)
            .where(Offer.resident_id == resident_id, Offer.dismissed_at.is_(None), Offer.case_id.is_(None))
            .order_by(Offer.created_at.desc(), Offer.id.desc())
        )
    )


def dismiss_offer(resident_id: int, offer_id: int) -> None:
    offer = db.get(Offer, offer_id)
    if offer is None or offer.resident_id != resident_id:
        raise ChecklistNotFound(offer_id)
    offer.dismissed_at = clock.now()
    audit.record("update", "offer", offer.id, resident_id=resident_id, details={"dismissed": True})


def offer_title(offer: Offer, language: str | None = None) -> str:
    """The rule's heading with the offer's details filled in."""
    return _fill_in(translated(offer.rule.title, language), offer)


def offer_text(offer: Offer, language: str | None = None) -> str:
    """The rule's text with the offer's details filled in ("{child_name}" becomes the child's name)."""
    return _fill_in(translated(offer.rule.text, language), offer)


def _fill_in(text: str, offer: Offer) -> str:
    try:
        return text.format(**{key: str(value) for key, value in offer.details.items()})
    except (KeyError, IndexError, ValueError):
        return text


def _render_offer(offer: Offer, resident: Resident, idempotency_key: str) -> RenderedNotification:
    settings = _settings()
    language = (
        resident.preferred_language
        if resident.preferred_language in settings.languages
        else settings.default_language
    )
    with force_locale(language):
        title = offer_title(offer, language)
        values = {"municipality": settings.municipality_name, "title": title}
        subject = _("%(municipality)s has an offer for you: %(title)s", **values)
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=resident.given_name),
                offer_text(offer, language),
                _("Log in to My pages to read more and apply:"),
                settings.base_url + "/my-pages/",
            ]
        )
        short_text = _("%(municipality)s: %(title)s. Log in to My pages to read more.", **values)
    return RenderedNotification(
        language=language, subject=subject, body=body, short_text=short_text, idempotency_key=idempotency_key
    )


def deliver_offer_notification(channel_name: str, payload: dict[str, Any], job: outbox.JobContext) -> None:
    """Perform one `offer.<channel>` outbox job: render in the resident's language and send."""
    offer = db.get(Offer, int(payload["offer_id"]))
    resident = db.get(Resident, offer.resident_id) if offer is not None else None
    if offer is None or resident is None:
        logger.warning("Offer notification %s: the offer or resident is gone; nothing sent", job.message_id)
        return
    channel = channels.create(channel_name, _settings())
    address = channel.address_of(_recipient(resident))
    if address is None:
        return
    channel.send(_render_offer(offer, resident, job.idempotency_key), address)


def _register_offer_handlers(names: Collection[str]) -> None:
    for name in names:
        if OFFER_JOB_PREFIX + name in outbox.registry:
            continue

        def handle(payload: dict[str, Any], job: outbox.JobContext, channel_name: str = name) -> None:
            deliver_offer_notification(channel_name, payload, job)

        handle.__name__ = f"deliver_{name}_offer"
        outbox.registry.register(OFFER_JOB_PREFIX + name, handle)


_register_offer_handlers(channels.names())
