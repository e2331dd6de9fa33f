"""A resident logs in with BankID on another device: Kanal's QR page, the emulator's test phone, My pages.

The emulator runs as its own process; the test phone is opened in a second tab, as a person trying the demo
would. Kanal's pages are checked by the harness (axe-core, reflow, console); the test phone is the emulator's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from signing.emulator.process import EmulatorControl
from tests.conftest import test_environ
from tests.e2e.browser import _arrive, submit_and_wait, visit
from tests.e2e.live_server import LiveServer

FATIMA = "198512308480"
IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])


@pytest.fixture
def live_server(database_url: str, tmp_path: Path, bankid_emulator: str) -> Iterator[LiveServer]:
    server = LiveServer(test_environ(database_url, tmp_path, KANAL_BANKID_URL=bankid_emulator)).start()
    yield server
    server.stop()


def start_on_another_device(page: Page) -> str:
    visit(page, "/login/")
    submit_and_wait(page, page.locator("button[name=device][value=other]"))
    expect(page.locator("img[data-bankid-qr]")).to_be_visible()
    return page.url.rsplit("/", 1)[-1]


@IN_SWEDISH_AND_ARABIC
def test_resident_logs_in_by_approving_on_the_test_phone(
    page: Page, bankid_emulator: str, emulator_control: EmulatorControl, language: str
) -> None:
    order_ref = start_on_another_device(page)
    qr = page.locator("img[data-bankid-qr]")
    first_frame = qr.get_attribute("src")
    # The animated QR code is redrawn every second.
    expect(qr).not_to_have_attribute("src", first_frame or "")

    phone = page.context.new_page()
    phone.goto(bankid_emulator + "/")
    order = phone.locator(f"#order-{order_ref}")
    order.get_by_label(f"Fatima Ahmadi, {FATIMA}").check()

    # The status page collects every 2 seconds and moves on by itself once the order is complete.
    _arrive(page, order.get_by_role("button", name="Approve").click)

    assert page.url.endswith("/my-pages/")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Fatima Ahmadi")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


@IN_SWEDISH_AND_ARABIC
def test_a_cancelled_order_shows_bankids_message_and_a_way_to_try_again(
    page: Page, emulator_control: EmulatorControl, language: str
) -> None:
    order_ref = start_on_another_device(page)

    _arrive(page, lambda: emulator_control.fail(order_ref, "userCancel"))

    expect(page.locator("[data-bankid-message]")).to_be_visible()
    submit_and_wait(page, page.locator("form button[type=submit]").first)
    expect(page.locator("img[data-bankid-qr]")).to_be_visible()


def test_without_javascript_the_continue_button_collects(
    page: Page, emulator_control: EmulatorControl
) -> None:
    page.context.route("**/bankid.js", lambda route: route.abort())
    order_ref = start_on_another_device(page)
    emulator_control.approve(order_ref, FATIMA)

    submit_and_wait(page, page.locator("[data-bankid-continue] button"))

    assert page.url.endswith("/my-pages/")
