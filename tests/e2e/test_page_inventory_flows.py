"""The pages only a flow reaches, in Swedish and Arabic: each filing step with its error state, one question per
page, signing with BankID and co-signing, the agent's filing on behalf with a phone BankID order or signed on
paper, the staff two-factor step, verifying a document, and the error states of forms. Every page on the way is
checked by the harness (axe-core, reflow at 320 CSS px, console) and recorded in the page inventory.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from core.models import Role
from signing.emulator.process import EmulatorControl
from tests.builders import DEFAULT_PASSWORD, make_staff
from tests.e2e.browser import _arrive, follow_link, submit_and_wait, visit
from tests.e2e.inventory_world import (
    AGENT,
    FATIMA,
    FORM_ADMIN,
    JOHAN,
    SYSTEM_ADMIN,
    World,
    inventory_server,
    log_in_resident_over_http,
    log_in_staff_over_http,
)
from tests.e2e.live_server import LiveServer
from tests.eservices.casework_fixtures import casework_seal_settings
from tests.eservices.filing_helpers import PDF

__all__ = ["casework_seal_settings", "inventory_server"]  # fixtures this module uses by name

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def live_server(inventory_server: tuple[LiveServer, World]) -> LiveServer:
    return inventory_server[0]


@pytest.fixture
def world(inventory_server: tuple[LiveServer, World]) -> World:
    return inventory_server[1]


def continue_button(page: Page) -> Locator:
    return page.locator("#page-form .button-row button[value=continue]")


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on screen"
    return found


def assert_starts_on_the_reading_side(page: Page, element: Locator, language: str) -> None:
    """The element starts where reading starts: at the right edge of the content in Arabic, the left in Swedish."""
    content, item = box(page.locator("main")), box(element)
    if language == "ar":
        assert abs((content["x"] + content["width"]) - (item["x"] + item["width"])) < 48, (item, content)
    else:
        assert abs(content["x"] - item["x"]) < 48, (item, content)


def assert_error_summary_mirrors(page: Page, language: str) -> None:
    """The summary's list is indented on the inline-start side, which is the right in Arabic (computed style)."""
    padding = page.locator(".error-summary__list").evaluate(
        "list => { const style = getComputedStyle(list);"
        " return [parseFloat(style.paddingLeft), parseFloat(style.paddingRight)]; }"
    )
    start, end = (padding[1], padding[0]) if language == "ar" else (padding[0], padding[1])
    assert start > 0 and end == 0, f"error summary list padding left/right: {padding}"


def expect_error_summary(page: Page) -> None:
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")


@IN_SWEDISH_AND_ARABIC
def test_filing_steps_with_an_error_state_check_answers_and_confirmation(page: Page, language: str) -> None:
    visit(page, "/services/inventory-small/start")
    submit_and_wait(page, page.locator("main form button[type=submit]"))

    submit_and_wait(page, continue_button(page))
    expect_error_summary(page)
    assert_error_summary_mirrors(page, language)
    assert_starts_on_the_reading_side(page, page.locator("label[for=field-nickname]"), language)
    assert_starts_on_the_reading_side(page, page.locator("h1"), language)
    page.locator("#field-nickname").fill("Simba")
    page.locator("#field-has_pet-1").check()
    submit_and_wait(page, continue_button(page))
    submit_and_wait(page, continue_button(page))
    assert page.url.endswith("/check")
    expect(page.locator("main")).to_contain_text("Simba")
    # Check answers: the question comes first in reading order, so it is right of its answer in Arabic.
    row = page.locator(".summary-list__row").first
    key, value = box(row.locator(".summary-list__key")), box(row.locator(".summary-list__value"))
    assert (key["x"] > value["x"]) if language == "ar" else (key["x"] < value["x"]), (key, value)
    assert_starts_on_the_reading_side(page, row.locator(".summary-list__key"), language)
    submit_and_wait(page, page.locator("main form[action$='/submit'] button"))

    assert page.url.endswith("/done")


@IN_SWEDISH_AND_ARABIC
def test_one_question_per_page(page: Page, emulator_control: EmulatorControl, language: str) -> None:
    log_in_resident_over_http(page, emulator_control, FATIMA)
    visit(page, "/services/inventory-one-by-one/start")
    submit_and_wait(page, page.locator("main form button[type=submit]"))

    assert "/pages/about/nickname" in page.url
    submit_and_wait(page, continue_button(page))
    expect_error_summary(page)


@IN_SWEDISH_AND_ARABIC
def test_signing_and_co_signing_pages(
    page: Page, live_server: LiveServer, emulator_control: EmulatorControl, language: str
) -> None:
    log_in_resident_over_http(page, emulator_control, FATIMA)
    visit(page, "/services/inventory-signed/start")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    page.locator("#field-nickname").fill("Tillstånd")
    page.locator("#field-guardians-0-guardian_pnr").fill(JOHAN)
    submit_and_wait(page, continue_button(page))
    submit_and_wait(page, page.locator("main form[action$='/submit'] button"))
    assert page.url.endswith("/sign")

    submit_and_wait(page, page.locator("button[name=device][value=other]"))
    assert "/signing/" in page.url
    order_ref = page.url.rsplit("/", 1)[-1]
    # The order page collects by itself and moves on once the phone has approved.
    _arrive(page, lambda: emulator_control.approve(order_ref, FATIMA))
    assert "/signatures/" in page.url

    page.context.clear_cookies()
    log_in_resident_over_http(page, emulator_control, JOHAN)
    visit(page, "/cosign/")
    follow_link(page, page.locator("main a[href^='/cosign/']").first)
    expect(page.locator("main")).to_contain_text("Tillstånd")


@IN_SWEDISH_AND_ARABIC
def test_an_agent_opens_a_record_files_on_behalf_and_starts_a_phone_bankid_order(
    page: Page, world: World, emulator_control: EmulatorControl, language: str
) -> None:
    log_in_staff_over_http(page, AGENT)
    visit(page, f"/agent/residents/{world.ids['fatima']}/open")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect_error_summary(page)
    page.locator("#reason").fill("Caller wants help with an application")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    assert page.url.endswith(f"/agent/residents/{world.ids['fatima']}")

    follow_link(page, page.locator("a[href$='/file']"))
    page.locator("#service").select_option(value="inventory-small")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    submit_and_wait(page, continue_button(page))
    expect_error_summary(page)
    page.locator("#field-nickname").fill("Simba")
    page.locator("#field-has_pet-1").check()
    submit_and_wait(page, continue_button(page))
    submit_and_wait(page, continue_button(page))
    assert page.url.endswith("/check")

    submit_and_wait(page, page.locator("form[action$='/sign'] button"))
    assert "/agent/bankid/" in page.url


@IN_SWEDISH_AND_ARABIC
def test_an_agent_files_on_behalf_signed_on_paper_with_the_forms_error_state(
    page: Page, world: World, language: str
) -> None:
    log_in_staff_over_http(page, AGENT)
    visit(page, f"/agent/residents/{world.ids['fatima']}/open")
    page.locator("#reason").fill("Caller signs on paper")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    follow_link(page, page.locator("a[href$='/file']"))
    page.locator("#service").select_option(value="inventory-paper")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    page.locator("#field-nickname").fill("Simba")
    submit_and_wait(page, continue_button(page))
    assert page.url.endswith("/check")
    paper_form = page.locator("form[enctype='multipart/form-data']")

    # Without the scanned signature page: the paper form's error state.
    submit_and_wait(page, paper_form.locator("button[type=submit]"))
    expect_error_summary(page)
    assert_error_summary_mirrors(page, language)
    expect(page.locator("#signature_page")).to_have_attribute("aria-invalid", "true")

    page.locator("#signature_page").set_input_files(
        {"name": "signature-page.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    submit_and_wait(page, paper_form.locator("button[type=submit]"))
    expect(page.locator(".notification--success")).to_be_visible()
    expect(page.locator("main table [data-signature-method=paper]").first).to_be_visible()


@IN_SWEDISH_AND_ARABIC
def test_staff_two_factor_step_and_its_error_state(
    page: Page, live_server: LiveServer, language: str
) -> None:
    email = f"totp-{language}@exempelstad.se"
    with live_server.data():
        make_staff(roles=[Role.CASE_OFFICER], email=email, totp_secret=TOTP_SECRET)
    visit(page, "/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    assert page.url.endswith("/staff/login/code")

    submit_and_wait(page, page.locator("main form button[type=submit]"))

    expect_error_summary(page)


@IN_SWEDISH_AND_ARABIC
def test_verifying_a_file_that_is_not_a_sealed_document(page: Page, language: str) -> None:
    visit(page, "/verify/")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect_error_summary(page)

    page.locator("main input[type=file]").set_input_files(
        files=[{"name": "brev.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    submit_and_wait(page, page.locator("main form button[type=submit]"))

    expect(page.locator("h1")).to_have_count(1)


@IN_SWEDISH_AND_ARABIC
def test_form_error_states_of_public_and_staff_pages(page: Page, language: str) -> None:
    visit(page, "/callback/?service=preschool-placement")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect_error_summary(page)

    log_in_staff_over_http(page, SYSTEM_ADMIN)
    visit(page, "/admin/accessibility-statement/")
    page.locator("#contact_email").fill("")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect_error_summary(page)

    page.context.clear_cookies()
    log_in_staff_over_http(page, FORM_ADMIN)
    visit(page, "/admin/easy-read/home-care")
    page.locator("#text_da").fill("Hjemmehjælp er hjælp i dit hjem.")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect(page.locator(".notifications[role=status]")).to_be_visible()
    # The text boxes carry their language, so a screen reader reads each in its own voice.
    visit(page, "/admin/easy-read/home-care")
    expect(page.locator("#text_ar")).to_have_attribute("lang", "ar")
