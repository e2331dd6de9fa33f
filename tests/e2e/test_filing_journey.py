"""A resident applies for a preschool place in a real browser, in Swedish and Arabic: BankID login on the
emulator, every page of the form (children prefilled from the population register), an error state, a change
from the check-answers page, and the confirmation with the case reference.

Every page on the way, error states included, is checked by the harness (axe-core WCAG A/AA, reflow at 320 px,
console errors).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from signing.emulator.process import EmulatorControl
from tests.e2e.bankid_steps import log_in_on_the_phone, sign_on_the_phone
from tests.e2e.browser import follow_link, submit_and_wait, visit
from tests.e2e.live_server import LiveServer
from tests.eservices.filing_helpers import FATIMA, example, make_eservice

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])


@pytest.fixture
def live_server_settings(bankid_emulator: str) -> dict[str, str]:
    return {"KANAL_BANKID_URL": bankid_emulator}


def continue_button(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#page-form .button-row button[value=continue]")


@IN_SWEDISH_AND_ARABIC
def test_a_resident_applies_for_a_preschool_place_from_the_service_page_to_the_case_reference(
    page: Page, live_server: LiveServer, emulator_control: EmulatorControl, language: str
) -> None:
    with live_server.data():
        make_eservice(example("preschool-placement"), slug="preschool-placement")

    visit(page, "/services/preschool-placement")
    follow_link(page, page.locator("main a.button[href$='/services/preschool-placement/start']"))
    assert "/login/" in page.url
    log_in_on_the_phone(page, emulator_control, FATIMA)
    assert page.url.endswith("/services/preschool-placement/start")
    submit_and_wait(page, page.locator("main form button[type=submit]"))

    # Guardian: name and personnummer come from the profile and are locked; the e-mail is missing.
    expect(page.locator("#field-name")).to_have_value("Fatima Ahmadi")
    expect(page.locator("#field-name")).to_have_attribute("readonly", "")
    submit_and_wait(page, continue_button(page))
    expect(page.locator(".error-summary a[href='#field-email']")).to_be_visible()
    expect(page.locator("#field-email")).to_have_attribute("aria-invalid", "true")
    page.locator("#field-email").fill("fatima@example.se")
    submit_and_wait(page, continue_button(page))

    # Children: both prefilled from the population register.
    expect(page.locator("#field-children-0-child_name")).to_have_value("Layla Ahmadi")
    expect(page.locator("#field-children-1-child_name")).to_have_value("Adam Ahmadi")
    for index in (0, 1):
        page.locator(f"#field-children-{index}-start_date").fill("2030-08-01")
        page.locator(f"#field-children-{index}-hours_per_week").fill("30")
        page.locator(f"#field-children-{index}-preferred_preschool").select_option("solrosen")
        page.locator(f"#field-children-{index}-has_sibling-1").check()
    submit_and_wait(page, continue_button(page))

    # Needs, then the confirmation of truthfulness.
    page.locator("#field-special_needs-1").check()
    page.locator("#field-home_languages-1").check()
    submit_and_wait(page, continue_button(page))
    page.locator("#field-truthful").check()
    submit_and_wait(page, continue_button(page))

    # Check answers, change the e-mail, and come back to check answers.
    assert page.url.endswith("/check")
    expect(page.locator("main")).to_contain_text("fatima@example.se")
    follow_link(page, page.locator("main a[href$='/pages/guardian?change=1#field-email']"))
    page.locator("#field-email").fill("fatima.ahmadi@example.se")
    submit_and_wait(page, continue_button(page))
    assert urlsplit(page.url).path.endswith("/check")
    expect(page.locator("main")).to_contain_text("fatima.ahmadi@example.se")

    # The preschool application must be signed: the resident signs with BankID on her phone.
    submit_and_wait(page, page.locator("main form[action$='/submit'] button"))
    sign_on_the_phone(page, emulator_control, FATIMA)

    expect(page.locator(".confirmation__reference")).to_have_text(re.compile(r"^\d{4}-\d{6}$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
