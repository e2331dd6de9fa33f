"""A resident signs an application with BankID and a second resident co-signs it, in Swedish and Arabic, in a real
browser against the BankID emulator. The applicant's own attempt to open the co-sign link is refused.

Every page on the way, the refusal included, is checked by the harness (axe-core WCAG A/AA, reflow at 320 px,
console errors). The co-signer uses a browser of their own (a second browser context).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from signing.emulator.process import EmulatorControl
from tests.e2e.bankid_steps import log_in_on_the_phone, sign_on_the_phone
from tests.e2e.browser import (
    DESKTOP_VIEWPORT,
    check_last_page,
    follow_link,
    guard,
    submit_and_wait,
    visit,
)
from tests.e2e.conftest import BROWSER_LOCALES
from tests.e2e.live_server import LiveServer
from tests.eservices.filing_helpers import make_eservice
from tests.eservices.signing_helpers import FATIMA, JOHAN, signed_form

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])


@pytest.fixture
def live_server_settings(bankid_emulator: str) -> dict[str, str]:
    return {"KANAL_BANKID_URL": bankid_emulator}


@IN_SWEDISH_AND_ARABIC
def test_a_resident_signs_an_application_and_a_second_resident_cosigns_it(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    emulator_control: EmulatorControl,
    language: str,
) -> None:
    with live_server.data():
        make_eservice(signed_form(cosigners=True), slug="permit")

    # The applicant fills in the form, names the other guardian, and signs after checking the answers.
    visit(page, "/services/permit/start")
    assert "/login/" in page.url
    log_in_on_the_phone(page, emulator_control, FATIMA)
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    page.locator("#field-nickname").fill("Kalle")
    page.locator("#field-guardians-0-guardian_pnr").fill(JOHAN)
    submit_and_wait(page, page.locator("#page-form .button-row button[value=continue]"))
    assert page.url.endswith("/check")
    submit_and_wait(page, page.locator("main form[action$='/submit'] button"))
    assert page.url.endswith("/sign")
    expect(page.locator("main")).to_contain_text("Kalle")
    sign_on_the_phone(page, emulator_control, FATIMA)

    assert re.search(r"/signatures/\d{4}-\d{6}$", page.url)
    status_url = page.url
    expect(page.locator("[data-cosigner=pending]")).to_have_count(1)
    cosign_link = page.locator("main input[readonly]").input_value()
    # The link is no use to the applicant: nobody co-signs their own application.
    refused = visit(page, cosign_link)
    assert refused.status == 403
    expect(page.locator("[data-refusal]")).to_be_visible()

    # The other guardian, in their own browser: logs in, finds the application, reads it and signs.
    context = browser.new_context(
        base_url=live_server.url, locale=BROWSER_LOCALES[language], viewport=DESKTOP_VIEWPORT
    )
    try:
        cosigner = context.new_page()
        guard(cosigner, live_server.app)
        visit(cosigner, "/cosign/")
        log_in_on_the_phone(cosigner, emulator_control, JOHAN)
        assert cosigner.url.endswith("/cosign/")
        follow_link(cosigner, cosigner.locator("main .card__title a").first)
        expect(cosigner.locator("main")).to_contain_text("Kalle")
        sign_on_the_phone(cosigner, emulator_control, JOHAN)
        expect(cosigner.locator("[data-cosign-signed]")).to_be_visible()
        expect(cosigner.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        check_last_page(cosigner)
    finally:
        context.close()

    # Back with the applicant: everyone has signed, and the application has gone to the case officers.
    visit(page, status_url)
    expect(page.locator("[data-all-signed]")).to_be_visible()
    expect(page.locator("[data-cosigner=signed]")).to_have_count(1)
