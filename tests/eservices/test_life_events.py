"""Life events and proactive offers: answers select steps, rules are checked, checklists are saved and ticked
(also by a submitted case), and register-based offers are made and notified once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any, ClassVar

import pytest
from flask import Flask
from sqlalchemy import func, select

from core import clock
from core.db import db
from core.models import OutboxMessage
from eservices import life_events
from eservices.catalogue_models import LifeEvent, LifeEventQuestion, LifeEventStep, OfferRule
from eservices.models import CaseStatus, Service
from eservices.service import create_case
from forms.prefill import PrefillContext, PrefillProvider, PrefillRegistry
from tests.builders import make_resident, make_service


@pytest.fixture(autouse=True)
def request_context(app: Flask) -> Iterator[None]:
    # Messages are translated for the request's language.
    with app.test_request_context():
        yield


def make_life_event(preschool: Service | None = None) -> LifeEvent:
    event = LifeEvent(slug="moving-here", title={"sv": "Flytta hit", "en": "Moving here"})
    event.questions = [
        LifeEventQuestion(key="within", position=0, text={"sv": "Flyttar du inom kommunen?"}),
        LifeEventQuestion(key="children", position=1, text={"sv": "Har du barn som behöver förskola?"}),
    ]
    event.steps = [
        LifeEventStep(
            key="address",
            position=0,
            title={"sv": "Anmäl flytt"},
            external_url="https://www.skatteverket.se/flytt",
            agency={"sv": "Skatteverket"},
        ),
        LifeEventStep(
            key="preschool",
            position=1,
            title={"sv": "Ansök om förskola"},
            service=preschool,
            show_when=[{"question": "children", "in": ["yes"]}],
        ),
        LifeEventStep(
            key="welcome",
            position=2,
            title={"sv": "Välkomstpaket"},
            show_when=[{"question": "within", "in": ["no"]}],
        ),
    ]
    db.add(event)
    db.flush()
    return event


def keys(steps: Collection[LifeEventStep]) -> list[str]:
    return [step.key for step in steps]


def test_the_answers_decide_which_steps_the_checklist_has_and_keep_their_order(app: Flask) -> None:
    event = make_life_event(make_service())
    assert keys(life_events.checklist_steps(event, {"within": "no", "children": "yes"})) == [
        "address",
        "preschool",
        "welcome",
    ]
    assert keys(life_events.checklist_steps(event, {"within": "yes", "children": "no"})) == ["address"]


def test_every_question_must_be_answered_with_one_of_its_options(app: Flask) -> None:
    event = make_life_event()
    answers, errors = life_events.validate_answers(event, {"within": "yes", "children": "maybe"})
    assert answers == {"within": "yes"}
    assert list(errors) == ["children"]


def test_a_question_without_options_is_a_yes_no_question(app: Flask) -> None:
    event = make_life_event()
    assert [option.value for option in life_events.options_of(event.questions[0])] == ["yes", "no"]


def test_rules_that_refer_to_unknown_questions_or_answers_are_problems(app: Flask) -> None:
    event = make_life_event()
    broken = [
        LifeEventStep(key="a", show_when=[{"question": "pets", "in": ["yes"]}]),
        LifeEventStep(key="b", show_when=[{"question": "children", "in": ["perhaps"]}]),
        LifeEventStep(key="c", show_when=[{"question": "children"}]),
        LifeEventStep(key="d", show_when=[{"question": "children", "in": ["yes"]}]),
    ]
    problems = life_events.rule_problems(event.questions, broken)
    assert [problem.step for problem in problems] == ["a", "b", "c"]
    assert "pets" in problems[0].message


def test_a_saved_checklist_keeps_the_steps_and_can_be_ticked_off(app: Flask) -> None:
    resident = make_resident()
    event = make_life_event(make_service())
    saved = life_events.save_checklist(resident, event, {"within": "yes", "children": "yes"})
    assert [step.title["sv"] for step in saved.steps] == ["Anmäl flytt", "Ansök om förskola"]

    step = life_events.set_step_done(resident.id, saved.id, saved.steps[0].id, True)
    assert step.done_at is not None and step.done_by == "resident"
    assert life_events.checklists_for_resident(resident.id) == [saved]


def test_nobody_can_tick_someone_elses_checklist(app: Flask) -> None:
    owner, other = make_resident(), make_resident()
    saved = life_events.save_checklist(owner, make_life_event(), {"within": "yes", "children": "no"})
    with pytest.raises(life_events.ChecklistNotFound):
        life_events.set_step_done(other.id, saved.id, saved.steps[0].id, True)
    with pytest.raises(life_events.ChecklistNotFound):
        life_events.set_step_done(owner.id, saved.id, 999_999, True)


def test_submitting_the_steps_e_service_ticks_the_step_by_itself(app: Flask) -> None:
    preschool = make_service()
    resident = make_resident()
    saved = life_events.save_checklist(
        resident, make_life_event(preschool), {"within": "yes", "children": "yes"}
    )

    case = create_case(preschool, resident.id, {})

    step = next(step for step in saved.steps if step.service_id == preschool.id)
    assert step.done_by == "case" and step.case_id == case.id
    assert saved.steps[0].done_at is None


def test_someone_elses_case_for_the_same_service_ticks_nothing(app: Flask) -> None:
    preschool = make_service()
    resident = make_resident()
    saved = life_events.save_checklist(
        resident, make_life_event(preschool), {"within": "yes", "children": "yes"}
    )
    create_case(preschool, make_resident().id, {})
    assert all(step.done_at is None for step in saved.steps)


class FakeRegister(PrefillProvider):
    name: ClassVar[str] = "population_register"
    attributes: ClassVar[frozenset[str]] = frozenset({"children"})

    def __init__(self, children: dict[str, list[dict[str, Any]]]) -> None:
        self.children = children

    def fetch(self, context: PrefillContext, attributes: Collection[str]) -> dict[str, Any]:
        assert context.personnummer is not None
        return {"children": self.children.get(context.personnummer, [])}


def register_with(children: dict[str, list[dict[str, Any]]]) -> PrefillRegistry:
    registry = PrefillRegistry()
    registry.add(FakeRegister(children))
    return registry


@pytest.fixture
def preschool_offer(app: Flask) -> OfferRule:
    rule = OfferRule(
        key="preschool_at_one",
        kind="child_turns_age_without_case",
        parameters={"age_years": 1, "within_months": 3},
        service=make_service(slug="preschool-placement"),
        title={"sv": "Förskoleplats för {child_name}", "en": "A preschool place for {child_name}"},
        text={"sv": "{child_name} fyller ett år {date}.", "en": "{child_name} turns one on {date}."},
    )
    db.add(rule)
    db.flush()
    return rule


def child(personnummer: str, born: dt.date, name: str = "Alva") -> dict[str, Any]:
    return {"personnummer": personnummer, "given_name": name, "birth_date": born.isoformat()}


def offer_jobs() -> int:
    return int(db.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind.like("offer.%"))) or 0)


def test_a_child_turning_one_soon_gives_one_offer_notified_once(
    app: Flask, preschool_offer: OfferRule
) -> None:
    today = clock.now().date()
    resident = make_resident(email="parent@example.se", phone=None)
    born = today.replace(year=today.year - 1) + dt.timedelta(days=40)
    register = register_with({resident.personnummer: [child("202501019999", born)]})

    made = life_events.evaluate_offers(resident, providers=register)
    again = life_events.evaluate_offers(resident, providers=register)

    assert len(made) == 1 and again == []
    assert made[0].subject_key == "202501019999"
    assert life_events.offer_title(made[0], "sv") == "Förskoleplats för Alva"
    assert offer_jobs() == 1  # e-mail only: the resident has no phone


def test_no_offer_when_the_child_turns_one_later_or_a_case_exists(
    app: Flask, preschool_offer: OfferRule
) -> None:
    today = clock.now().date()
    late, early = make_resident(), make_resident()
    register = register_with(
        {
            late.personnummer: [child("1", today.replace(year=today.year - 1) + dt.timedelta(days=150))],
            early.personnummer: [child("2", today.replace(year=today.year - 1) + dt.timedelta(days=10))],
        }
    )
    create_case(preschool_offer.service, early.id, {})

    assert life_events.evaluate_offers(late, providers=register) == []
    assert life_events.evaluate_offers(early, providers=register) == []


def test_an_offer_disappears_from_my_pages_once_applied_for_or_dismissed(
    app: Flask, preschool_offer: OfferRule
) -> None:
    today = clock.now().date()
    applies, dismisses = make_resident(), make_resident()
    born = today.replace(year=today.year - 1) + dt.timedelta(days=20)
    register = register_with(
        {applies.personnummer: [child("3", born)], dismisses.personnummer: [child("4", born)]}
    )
    life_events.evaluate_offers(applies, providers=register)
    (offer,) = life_events.evaluate_offers(dismisses, providers=register)

    case = create_case(preschool_offer.service, applies.id, {})
    life_events.dismiss_offer(dismisses.id, offer.id)

    assert life_events.offers_for_resident(applies.id) == []
    assert life_events.offers_for_resident(dismisses.id) == []
    assert case.status == CaseStatus.SUBMITTED.value


def test_the_offer_notification_is_written_in_the_residents_language(
    app: Flask, preschool_offer: OfferRule
) -> None:
    today = clock.now().date()
    resident = make_resident(preferred_language="en")
    register = register_with(
        {resident.personnummer: [child("5", today.replace(year=today.year - 1) + dt.timedelta(days=5))]}
    )
    (offer,) = life_events.evaluate_offers(resident, providers=register)

    rendered = life_events._render_offer(offer, resident, "offer:key")

    assert rendered.language == "en"
    assert "A preschool place for Alva" in rendered.subject
    assert "Alva turns one on" in rendered.body and "/my-pages/" in rendered.body
