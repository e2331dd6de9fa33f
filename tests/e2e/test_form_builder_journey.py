"""A form admin builds an e-service in the browser and publishes it; residents file it while it changes.

The admin builds a three-page form with a condition, a repeating group and a required attachment, and publishes
it. A resident starts it; the admin publishes version 2 while the resident's draft is on version 1; the
resident finishes on version 1 and a new resident gets version 2. A second test works the builder with the
keyboard alone. Every page on the way is checked by the harness (axe-core, reflow at 320 px, console).

Residents log in through a test-only route (BankID has its own browser test); the admin logs in with a password.
The e-service is linked to the form in the catalogue with the builders, because the catalogue's service page
does not pick forms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Blueprint, redirect
from flask_wtf.csrf import CSRFProtect
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.auth import log_in_resident
from core.db import db
from core.models import Resident, Role
from eservices.models import Case
from forms import builder
from forms.models import Draft, Form
from forms.service import example_definitions
from tests.builders import DEFAULT_PASSWORD, make_resident, make_service, make_staff
from tests.conftest import test_environ
from tests.e2e.browser import (
    DESKTOP_VIEWPORT,
    _arrive,
    check_last_page,
    follow_link,
    guard,
    submit_and_wait,
    visit,
)
from tests.e2e.conftest import BROWSER_LOCALES, NAVIGATION_TIMEOUT_MS
from tests.e2e.live_server import LiveServer

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])
ADMIN_EMAIL = "formadmin@exempelstad.se"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

test_login = Blueprint("form_builder_test_login", __name__)


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


def another_browser(browser: Browser, live_server: LiveServer, language: str) -> Page:
    """A second person's browser (own cookies), guarded like the `page` fixture's."""
    context = browser.new_context(
        base_url=live_server.url, locale=BROWSER_LOCALES[language], viewport=DESKTOP_VIEWPORT
    )
    context.set_default_timeout(NAVIGATION_TIMEOUT_MS)
    other = context.new_page()
    guard(other)
    return other


def log_in_admin(page: Page) -> None:
    visit(page, "/staff/login")
    page.locator("#email").fill(ADMIN_EMAIL)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    submit_and_wait(page, page.locator("main form button[type=submit]"))


def submit(page: Page) -> None:
    submit_and_wait(page, page.locator("main form:not([method=get]) button.button[type=submit]").last)


def add_question(page: Page, page_id: str, field_type: str, **inputs: str) -> None:
    follow_link(page, page.locator(f"a[href$='/pages/{page_id}/questions/new']").first)
    page.locator(f"input[name=type][value={field_type}]").check()
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    fill(page, inputs)
    submit(page)
    expect(page.locator(".notification--success")).to_be_visible()


def fill(page: Page, inputs: dict[str, str]) -> None:
    for name, value in inputs.items():
        target = page.locator(f"#{name}")
        if value == "check":
            target.check()
        elif target.evaluate("element => element.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)


def continue_button(page: Page) -> Locator:
    return page.locator("#page-form .button-row button[value=continue]")


def resident_logs_in(page: Page, resident_id: int) -> None:
    response = page.request.post(f"/test-login/resident/{resident_id}", max_redirects=0)
    assert response.status == 302


@IN_SWEDISH_AND_ARABIC
def test_an_admin_builds_and_versions_a_form_while_residents_file_it(
    page: Page, browser: Browser, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        make_staff(roles=[Role.FORM_ADMIN], email=ADMIN_EMAIL)
        first_resident = make_resident(given_name="Ada").id
        second_resident = make_resident(given_name="Bo").id

    # The admin builds the form: three pages, a condition, a repeating group and a required attachment.
    log_in_admin(page)
    visit(page, "/admin/forms/")
    follow_link(page, page.locator("main a[href$='/admin/forms/new']"))
    fill(page, {"key": "garden-plot", "title": "Ansökan om odlingslott", "page_title": "Om dig"})
    page.locator("input[name=languages][value=en]").uncheck()
    fill(page, {"question_key": "name", "question_type": "short_text", "question_label": "Ditt namn"})
    submit(page)
    assert page.url.endswith("/admin/forms/garden-plot/")

    add_question(
        page, "start", "yes_no", key="has_helpers", label="Odlar du tillsammans med andra?", required="check"
    )
    follow_link(page, page.locator("main a[href$='/admin/forms/garden-plot/pages/new']"))
    fill(
        page,
        {
            "page_id": "helpers",
            "title": "Medodlare",
            "question_key": "how",
            "question_label": "Hur delar ni på arbetet?",
        },
    )
    submit(page)
    add_question(
        page,
        "helpers",
        "repeating_group",
        key="helpers",
        label="Vilka odlar med dig?",
        entry_label="Medodlare",
        first_key="helper_name",
        first_label="Namn",
        required="check",
    )
    follow_link(page, page.locator("a[href$='/conditions/page/helpers/show_when']"))
    fill(page, {"rule-0-field": "has_helpers", "rule-0-operator": "equals", "rule-0-choice": "yes"})
    submit_and_wait(page, page.locator(".button-row button[value=save]"))
    expect(page.locator("#page-helpers")).to_contain_text("Odlar du tillsammans med andra?")

    follow_link(page, page.locator("main a[href$='/admin/forms/garden-plot/pages/new']"))
    fill(
        page,
        {
            "page_id": "documents",
            "title": "Bilagor",
            "question_key": "plot_area",
            "question_label": "Önskat område",
        },
    )
    submit(page)
    add_question(
        page, "documents", "file_upload", key="site_plan", label="Skiss över odlingen", required="check"
    )

    follow_link(page, page.locator(".builder-tabs a[href$='/publish']"))
    page.locator("#change_note").fill("Första versionen")
    submit(page)
    expect(page.locator("main table")).to_contain_text("Första versionen")

    with live_server.data():
        form = db.scalar(select(Form).where(Form.key == "garden-plot"))
        assert form is not None
        make_service(slug="odlingslott", form_id=form.id, title={"sv": "Odlingslott", "en": "Allotment"})

    # The first resident starts on version 1 and gets as far as the last page.
    resident = another_browser(browser, live_server, language)
    resident_logs_in(resident, first_resident)
    visit(resident, "/services/odlingslott/start")
    submit_and_wait(resident, resident.locator("main form button[type=submit]"))
    resident.locator("#field-name").fill("Ada Andersson")
    resident.locator("#field-has_helpers").check()
    submit_and_wait(resident, continue_button(resident))
    resident.locator("#field-helpers-0-helper_name").fill("Bo Berg")
    submit_and_wait(resident, continue_button(resident))
    expect(resident.locator("h1")).to_have_text("Bilagor")
    documents_url = resident.url

    # Meanwhile the admin adds a required question and publishes version 2.
    visit(page, "/admin/forms/garden-plot/")
    add_question(
        page, "documents", "number", key="plot_size", label="Hur stor yta vill du ha (m²)?", required="check"
    )
    follow_link(page, page.locator(".builder-tabs a[href$='/publish']"))
    expect(page.locator("main")).to_contain_text("Hur stor yta vill du ha (m²)?")
    page.locator("#change_note").fill("Fråga om yta")
    submit(page)
    expect(page.locator("main table tbody tr").first).to_contain_text("Fråga om yta")
    follow_link(page, page.locator("main a[href*='from=1'][href*='to=2']"))
    expect(page.locator("main table")).to_contain_text("Hur stor yta vill du ha (m²)?")

    # The first resident finishes on version 1: the new question never appears.
    visit(resident, documents_url)
    expect(resident.locator("#field-plot_size")).to_have_count(0)
    resident.locator("#field-plot_area").fill("Norra kvarteret")
    resident.locator("#field-site_plan").set_input_files(
        {"name": "skiss.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    submit_and_wait(resident, continue_button(resident))
    assert resident.url.endswith("/check")
    expect(resident.locator("main")).to_contain_text("Bo Berg")
    submit_and_wait(resident, resident.locator("main form[action$='/submit'] button"))
    assert resident.url.endswith("/done")
    with live_server.data():
        case = db.scalar(select(Case).join(Case.resident).where(Resident.id == first_resident))
        assert case is not None and case.form_version is not None
        assert case.form_version.version == 1
        assert case.answers["helpers"] == [{"helper_name": "Bo Berg"}]
    check_last_page(resident)

    # A new resident gets version 2, and the condition skips the helpers page for a "no".
    newcomer = another_browser(browser, live_server, language)
    resident_logs_in(newcomer, second_resident)
    visit(newcomer, "/services/odlingslott/start")
    submit_and_wait(newcomer, newcomer.locator("main form button[type=submit]"))
    newcomer.locator("#field-name").fill("Bo Berg")
    newcomer.locator("#field-has_helpers-1").check()
    submit_and_wait(newcomer, continue_button(newcomer))
    expect(newcomer.locator("h1")).to_have_text("Bilagor")
    expect(newcomer.locator("#field-plot_size")).to_be_visible()
    with live_server.data():
        draft = db.scalar(select(Draft).where(Draft.resident_id == second_resident))
        assert draft is not None and draft.form_version.version == 2
    check_last_page(newcomer)


def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _press in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def is_focused(target: Locator) -> bool:
    return bool(target.evaluate("element => element === document.activeElement"))


def test_the_builder_works_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        make_staff(roles=[Role.FORM_ADMIN], email=ADMIN_EMAIL)
        data = builder.new_definition(
            key="keyboard",
            title="Tangentbord",
            languages=["sv"],
            default_language="sv",
            page_title="Start",
            first_question=builder.FieldSpec(key="first", type="yes_no", label="Första frågan"),
        )
        data = builder.add_field(
            data, "start", builder.FieldSpec(key="second", type="short_text", label="Andra frågan")
        )
        builder.create_form(data)

    log_in_admin(page)
    visit(page, "/admin/forms/keyboard/")
    # Move the first question down with the Space key, stepping back to its button with Shift+Tab.
    move_down = page.locator("#field-first button[value=down]")
    tab_to(page, page.locator("#field-second a").first)
    page.keyboard.press("Shift+Tab")
    assert is_focused(move_down)
    _arrive(page, lambda: page.keyboard.press("Space"))
    keys = page.locator(".builder-page .builder-field").evaluate_all("items => items.map(item => item.id)")
    assert keys == ["field-second", "field-first"]

    # Build a condition from the dropdowns with arrow keys, and save it with Enter.
    conditions = page.locator("a[href$='/conditions/field/second/show_when']")
    tab_to(page, conditions)
    _arrive(page, lambda: page.keyboard.press("Enter"))
    question = page.locator("#rule-0-field")
    tab_to(page, question)
    page.keyboard.press("ArrowDown")
    expect(question).to_have_value("first")
    page.keyboard.press("Tab")
    assert is_focused(page.locator("#rule-0-operator"))
    page.keyboard.press("Tab")
    value = page.locator("#rule-0-choice")
    assert is_focused(value)
    page.keyboard.press("ArrowDown")
    expect(value).to_have_value("yes")
    save = page.locator(".button-row button[value=save]")
    tab_to(page, save)
    _arrive(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#field-second")).to_contain_text("Första frågan")

    # Publish from the keyboard: the tab link, the change note and Enter on the button.
    tab_to(page, page.locator(".builder-tabs a[href$='/publish']"))
    _arrive(page, lambda: page.keyboard.press("Enter"))
    tab_to(page, page.locator("#change_note"))
    page.keyboard.type("Första versionen")
    page.keyboard.press("Tab")
    _arrive(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("main table")).to_contain_text("Första versionen")


@IN_SWEDISH_AND_ARABIC
def test_every_builder_page_passes_the_accessibility_checks(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        make_staff(roles=[Role.FORM_ADMIN], email=ADMIN_EMAIL)
        builder.import_definition(json.dumps(example_definitions()["preschool-placement"]))

    log_in_admin(page)
    base = "/admin/forms/preschool-placement"
    for path in (
        f"{base}/settings",
        f"{base}/translations?language=ar",
        f"{base}/statistics",
        f"{base}/import",
        f"{base}/versions",
        f"{base}/questions/children/prefill",
        f"{base}/questions/has_sibling",
        f"{base}/questions/has_sibling/remove",
        f"{base}/pages/needs",
        f"{base}/pages/needs/remove",
        f"{base}/conditions/field/sibling_name/show_when",
        f"{base}/preview?page=children&language=ar",
        "/admin/forms/import",
    ):
        assert visit(page, path).status == 200, path
    # The preview, walked like a resident: an error state, then the check-answers page.
    visit(page, f"{base}/preview?language={language}")
    submit_and_wait(page, continue_button(page))
    expect(page.locator(".error-summary")).to_be_visible()
    visit(page, f"{base}/preview?page=check-answers&language=sv")
    expect(page.locator("main h1")).to_be_visible()
