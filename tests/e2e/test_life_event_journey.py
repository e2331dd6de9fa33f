"""Life events and search in a real browser, in Swedish and Arabic: a resident answers a questionnaire, saves the
checklist to My pages, files the e-service from the checklist and finds the step ticked; search finds services
from misspelt and inflected Swedish; a helpful 404 for an unknown life event. Every page is checked by the
harness (axe-core WCAG A/AA, reflow at 320 px, console).

Residents are logged in through a test-only route (the BankID login has its own browser test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Blueprint, redirect
from flask_wtf.csrf import CSRFProtect
from playwright.sync_api import Page, expect
from werkzeug.wrappers import Response

from core.auth import log_in_resident
from core.db import db
from core.models import Resident
from eservices.catalogue_models import LifeEvent, LifeEventQuestion, LifeEventStep, ServiceDetails
from tests.builders import make_resident, make_service
from tests.conftest import test_environ
from tests.e2e.browser import follow_link, submit_and_wait, visit
from tests.e2e.live_server import LiveServer
from tests.eservices.filing_helpers import make_eservice, small_form

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])

test_login = Blueprint("test_login_life_events", __name__)


@test_login.post("/test-login/resident/<int:resident_id>")
def log_in_as_resident(resident_id: int) -> Response:
    resident = db.get(Resident, resident_id)
    assert resident is not None
    log_in_resident(resident)
    return redirect("/my-pages/")


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(test_environ(database_url, tmp_path))
    server.app.register_blueprint(test_login)
    csrf: CSRFProtect = server.app.extensions["csrf"]
    csrf.exempt(test_login)
    yield server.start()
    server.stop()


def log_in_as(page: Page, resident_id: int) -> None:
    response = page.request.post(f"/test-login/resident/{resident_id}", max_redirects=0)
    assert response.status == 302


def seed_catalogue(language: str) -> int:
    """A preschool e-service, a building permit, a baby life event; returns the resident's id."""
    preschool = make_eservice(
        small_form(),
        slug="preschool-placement",
        title={
            "sv": "Ansök om plats i förskola",
            "en": "Apply for a preschool place",
            "ar": "التقديم على الروضة",
        },
        summary={"sv": "För barn från ett års ålder.", "en": "From the age of one.", "ar": "من عمر سنة."},
    )
    db.add(ServiceDetails(service_id=preschool.id, phone="0123-45 60 00", synonyms={"sv": ["dagis"]}))
    make_service(
        slug="building-permit",
        title={"sv": "Ansök om bygglov", "en": "Apply for a building permit", "ar": "رخصة البناء"},
        summary={"sv": "När du ska bygga.", "en": "When you build.", "ar": "عند البناء."},
    )
    event = LifeEvent(
        slug="expecting-a-baby",
        title={"sv": "Vänta barn", "en": "Expecting a baby", "ar": "انتظار مولود"},
        summary={
            "sv": "Före och efter födseln.",
            "en": "Before and after the birth.",
            "ar": "قبل الولادة وبعدها.",
        },
    )
    event.questions = [
        LifeEventQuestion(
            key="need_preschool",
            position=0,
            text={
                "sv": "Kommer ni att behöva förskola?",
                "en": "Will you need preschool?",
                "ar": "هل ستحتاجون إلى الروضة؟",
            },
        )
    ]
    event.steps = [
        LifeEventStep(
            key="parental_benefit",
            position=0,
            title={
                "sv": "Ansök om föräldrapenning",
                "en": "Apply for parental benefit",
                "ar": "إعانة الوالدين",
            },
            agency={"sv": "Försäkringskassan", "en": "the Social Insurance Agency", "ar": "صندوق التأمينات"},
            external_url="https://www.forsakringskassan.se/",
        ),
        LifeEventStep(
            key="preschool",
            position=1,
            title={"sv": "Ansök om förskola", "en": "Apply for preschool", "ar": "التقديم على الروضة"},
            service=preschool,
            show_when=[{"question": "need_preschool", "in": ["yes"]}],
        ),
    ]
    db.add(event)
    return make_resident(given_name="Layla", family_name="Ahmadi", preferred_language=language).id


@IN_SWEDISH_AND_ARABIC
def test_a_resident_saves_a_life_event_checklist_files_the_e_service_and_sees_the_step_ticked(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        resident_id = seed_catalogue(language)
    log_in_as(page, resident_id)

    visit(page, "/")
    follow_link(page, page.locator("main a[href='/life-events/expecting-a-baby']"))
    expect(page.locator("main fieldset legend")).to_have_count(1)
    # Sending without an answer shows the error summary, linked to the question.
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect(page.locator(".error-summary a[href='#question-need_preschool-0']")).to_be_visible()
    page.locator("#question-need_preschool-0").check()
    submit_and_wait(page, page.locator("main form button[type=submit]"))

    expect(page.locator("main ol.checklist > li")).to_have_count(2)
    expect(page.locator("main a[href='https://www.forsakringskassan.se/']")).to_be_visible()
    submit_and_wait(page, page.locator("main form[action$='/save'] button"))

    assert "/my-pages/checklists/" in page.url
    preschool_step = page.locator("main ol.checklist > li").nth(1)
    expect(preschool_step).to_have_attribute("data-done", "no")

    # File the e-service straight from the checklist.
    follow_link(page, preschool_step.locator("a[href$='/services/preschool-placement/start']"))
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    page.locator("#field-nickname").fill("Lolo")
    page.locator("#field-has_pet-1").check()
    submit_and_wait(page, page.locator("#page-form .button-row button[value=continue]"))
    submit_and_wait(page, page.locator("#page-form .button-row button[value=continue]"))
    submit_and_wait(page, page.locator("main form[action$='/submit'] button"))

    visit(page, "/my-pages/")
    follow_link(page, page.locator("main a[href^='/my-pages/checklists/']").first)
    expect(page.locator("main ol.checklist > li").nth(1)).to_have_attribute("data-done", "yes")
    expect(page.locator("main ol.checklist > li").nth(0)).to_have_attribute("data-done", "no")

    # Ticking the other step by hand.
    submit_and_wait(page, page.locator("main ol.checklist > li").nth(0).locator("form button"))
    expect(page.locator("main ol.checklist > li").nth(0)).to_have_attribute("data-done", "yes")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


@IN_SWEDISH_AND_ARABIC
def test_search_finds_services_from_misspelt_and_inflected_swedish(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        seed_catalogue(language)

    visit(page, "/")
    for query, slug in (
        ("förskolan", "preschool-placement"),
        ("forskola", "preschool-placement"),
        ("bygglof", "building-permit"),
    ):
        page.locator("main form[role=search] input[name=q]").first.fill(query)
        submit_and_wait(page, page.locator("main form[role=search] button").first)
        expect(page.locator(f"main .card-list a[href='/services/{slug}']").first).to_be_visible()

    # No dead end: nothing found still offers categories, life events and the contact centre.
    page.locator("main form[role=search] input[name=q]").first.fill("qwxzvb")
    submit_and_wait(page, page.locator("main form[role=search] button").first)
    expect(page.locator("main a[href^='/categories/']").first).to_be_visible()
    expect(page.locator("main a[href='/life-events/expecting-a-baby']")).to_be_visible()
    follow_link(page, page.locator("main a[href^='/categories/']").first)


@IN_SWEDISH_AND_ARABIC
def test_an_unknown_life_event_gives_a_page_that_helps(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        seed_catalogue(language)
    response = visit(page, "/life-events/moving-to-mars")
    assert response.status == 404
    follow_link(page, page.locator("main a[href='/life-events/expecting-a-baby']"))
    expect(page.locator("main h1")).to_have_count(1)
