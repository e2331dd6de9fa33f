"""The resident's BankID steps in the browser, with the emulator playing the resident's phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from signing.emulator.process import EmulatorControl
from tests.e2e.browser import _arrive, submit_and_wait


def _approve_when_polled(page: Page, emulator: EmulatorControl, personal_number: str) -> None:
    order_ref = page.url.rsplit("/", 1)[-1]

    def approve() -> None:
        emulator.approve(order_ref, personal_number)

    # The status page collects every 2 seconds and moves on by itself once the phone has approved.
    _arrive(page, approve)


def log_in_on_the_phone(page: Page, emulator: EmulatorControl, personal_number: str) -> None:
    """On the login page: BankID on another device, approved on the emulator; ends where login was asked for."""
    submit_and_wait(page, page.locator("button[name=device][value=other]"))
    _approve_when_polled(page, emulator, personal_number)


def sign_on_the_phone(page: Page, emulator: EmulatorControl, personal_number: str) -> None:
    """On a sign page: sign on another device; the status page polls and moves on when the phone has signed."""
    submit_and_wait(page, page.locator("main button[name=device][value=other]"))
    expect(page.locator("img[data-bankid-qr]")).to_be_visible()
    _approve_when_polled(page, emulator, personal_number)
