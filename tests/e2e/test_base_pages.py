"""The base pages in a real browser, in Swedish and Arabic: home, staff login and start page, error pages.

Every page visited here is also checked by the harness for WCAG A/AA violations (axe-core), reflow at 320
CSS px and console errors; see tests/e2e/browser.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from tests.builders import make_service, make_staff
from tests.e2e.browser import follow_link, submit_and_wait, visit
from tests.e2e.live_server import LiveServer

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])
DIRECTIONS = {"sv": "ltr", "ar": "rtl"}
PASSWORD = "a staff password that is long enough"


def assert_page_is_in(page: Page, language: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", DIRECTIONS[language])


def assert_one_main_heading(page: Page) -> None:
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main h1")).to_be_visible()


@IN_SWEDISH_AND_ARABIC
def test_home_page_greets_the_resident_in_their_language(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        make_service(popular=True, title={"sv": "Ansök om förskoleplats", "ar": "التقديم على مكان في الروضة"})

    response = visit(page, "/")

    assert response.status == 200
    assert_page_is_in(page, language)
    assert_one_main_heading(page)
    expected_title = "Ansök om förskoleplats" if language == "sv" else "التقديم على مكان في الروضة"
    expect(page.get_by_role("link", name=expected_title)).to_be_visible()


@IN_SWEDISH_AND_ARABIC
def test_skip_link_is_the_first_thing_a_keyboard_user_reaches(page: Page, language: str) -> None:
    visit(page, "/")

    page.keyboard.press("Tab")

    skip_link = page.locator(".skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    expect(skip_link).to_have_attribute("href", "#main-content")


@IN_SWEDISH_AND_ARABIC
def test_staff_login_page_has_a_labelled_form(page: Page, language: str) -> None:
    response = visit(page, "/staff/login")

    assert response.status == 200
    assert_page_is_in(page, language)
    assert_one_main_heading(page)
    expect(page.locator("#email")).to_have_attribute("autocomplete", "username")
    expect(page.locator("label[for=email]")).to_be_visible()
    expect(page.locator("label[for=password]")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)


@IN_SWEDISH_AND_ARABIC
def test_empty_login_form_lists_each_missing_field_in_an_error_summary(page: Page, language: str) -> None:
    visit(page, "/staff/login")

    submit_and_wait(page, page.locator("main form button[type=submit]"))

    assert_page_is_in(page, language)
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#email']")).to_be_visible()
    expect(summary.locator("a[href='#password']")).to_be_visible()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    # The page title tells a screen reader user at once that something went wrong.
    assert page.title() != ""
    summary.locator("a[href='#password']").click()
    expect(page.locator("#password")).to_be_focused()


@IN_SWEDISH_AND_ARABIC
def test_wrong_password_gives_a_message_that_does_not_reveal_whether_the_account_exists(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        make_staff(email="erik@exempelstad.se", password=PASSWORD)
    visit(page, "/staff/login")
    page.locator("#email").fill("erik@exempelstad.se")
    page.locator("#password").fill("not the password")

    response = submit_and_wait(page, page.locator("main form button[type=submit]"))
    wrong_password_message = page.get_by_role("alert").inner_text()
    page.locator("#email").fill("nobody@exempelstad.se")
    page.locator("#password").fill("not the password")
    submit_and_wait(page, page.locator("main form button[type=submit]"))

    assert response.status == 400
    assert_page_is_in(page, language)
    expect(page.get_by_role("alert")).to_have_text(wrong_password_message)
    expect(page.locator("#password")).to_have_value("")


@IN_SWEDISH_AND_ARABIC
def test_staff_member_logs_in_sees_the_start_page_and_logs_out(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        make_staff(
            email="amina@exempelstad.se", full_name="Amina Berg", password=PASSWORD, roles=[Role.AGENT]
        )
    visit(page, "/staff/login")
    page.locator("#email").fill("amina@exempelstad.se")
    page.locator("#password").fill(PASSWORD)

    submit_and_wait(page, page.locator("main form button[type=submit]"))

    assert page.url == f"{live_server.url}/staff/"
    assert_page_is_in(page, language)
    assert_one_main_heading(page)
    expect(page.locator("h1")).to_contain_text("Amina Berg")

    submit_and_wait(page, page.locator(".account-nav button[type=submit]"))

    assert page.url == f"{live_server.url}/staff/login"
    expect(page.locator(".account-nav button[type=submit]")).to_have_count(0)
    expect(page.locator(".notifications[role=status]")).to_be_visible()


@IN_SWEDISH_AND_ARABIC
def test_staff_start_page_sends_a_visitor_who_is_not_logged_in_to_the_login_page(
    page: Page, live_server: LiveServer, language: str
) -> None:
    visit(page, "/staff/")

    assert page.url.startswith(f"{live_server.url}/staff/login")
    assert_page_is_in(page, language)
    expect(page.locator("#email")).to_be_visible()


@IN_SWEDISH_AND_ARABIC
@pytest.mark.parametrize(("path", "status"), [("/no-such-page", 404), ("/staff/logout", 405)])
def test_error_pages_are_friendly_and_lead_back_home(
    page: Page, language: str, path: str, status: int
) -> None:
    response = visit(page, path)

    assert response.status == status
    assert_page_is_in(page, language)
    assert_one_main_heading(page)
    expect(page.locator("main")).not_to_contain_text("Traceback")
    expect(page.locator("main")).to_contain_text(str(status))

    follow_link(page, page.locator("main a[href='/']"))

    assert_one_main_heading(page)


def test_language_switcher_changes_the_language_and_stays_on_the_same_page(page: Page) -> None:
    visit(page, "/staff/login")
    assert_page_is_in(page, "sv")

    follow_link(page, page.locator(".language-switcher a[hreflang=ar]"))

    assert page.url.endswith("/staff/login")
    assert_page_is_in(page, "ar")
    expect(page.locator(".language-switcher [aria-current=true]")).to_have_attribute("lang", "ar")

    follow_link(page, page.locator("footer a[href='/']"))

    assert_page_is_in(page, "ar")

    follow_link(page, page.locator(".language-switcher a[hreflang=sv]"))

    assert_page_is_in(page, "sv")
