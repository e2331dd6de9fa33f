"""Keyboard alone: a resident files an e-service and an agent files one on a caller's behalf using only Tab,
Shift+Tab, Enter, Space and the arrow keys. Every element that takes focus on the way shows a visible focus
indicator (outline or box shadow, by computed style), and focus moves past the last element of a page and back,
so no page traps it. (The form builder's keyboard journey is in test_form_builder_journey.py.)

Every page on the way is checked by the harness (axe-core, reflow at 320 CSS px, console) as usual.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from eservices.demo import DEMO_PASSWORD
from signing.emulator.process import EmulatorControl
from tests.e2e.browser import _arrive, visit
from tests.e2e.inventory_world import AGENT, FATIMA, World, inventory_server
from tests.e2e.live_server import LiveServer
from tests.eservices.casework_fixtures import casework_seal_settings

__all__ = ["casework_seal_settings", "inventory_server"]  # fixtures this module uses by name

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])
MOST_TAB_STOPS = 120
IS_FOCUSED = "element => element === document.activeElement"
FOCUS_INDICATOR = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) { return null; }
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  return { outline, shadow, what: element.outerHTML.slice(0, 120) };
}"""


@pytest.fixture
def live_server(inventory_server: tuple[LiveServer, World]) -> LiveServer:
    return inventory_server[0]


@pytest.fixture
def world(inventory_server: tuple[LiveServer, World]) -> World:
    return inventory_server[1]


def assert_focus_is_visible(page: Page) -> None:
    indicator = page.evaluate(FOCUS_INDICATOR)
    if indicator is None:
        return  # focus is on the page itself (before the first or after the last element)
    assert indicator["outline"] or indicator["shadow"], f"no visible focus indicator on {indicator['what']}"


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has focus, checking the focus indicator at every stop."""
    key = "Shift+Tab" if backwards else "Tab"
    for _press in range(MOST_TAB_STOPS):
        page.keyboard.press(key)
        assert_focus_is_visible(page)
        if target.evaluate(IS_FOCUSED):
            return
    raise AssertionError(f"{target} was not reached with {key} in {MOST_TAB_STOPS} presses")


def press_and_arrive(page: Page, key: str) -> None:
    """Press a key that submits a form or follows a link, and let the harness check the page it leads to."""
    _arrive(page, lambda: page.keyboard.press(key))


def assert_focus_is_not_trapped(page: Page) -> None:
    """Tab reaches the footer's last link and moves on past it; Shift+Tab comes back to it."""
    last_link = page.locator("footer a").last
    tab_to(page, last_link)
    page.keyboard.press("Tab")
    assert not last_link.evaluate(IS_FOCUSED), "focus stayed on the last link: a focus trap"
    page.keyboard.press("Shift+Tab")
    expect(last_link).to_be_focused()


def choose_with_arrows(page: Page, select: Locator, value: str) -> None:
    """Pick an option of a focused select with the arrow keys, as a keyboard user would."""
    page.keyboard.press("Home")
    for _press in range(60):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} is not among the options of {select}")


def answer_the_small_form(page: Page) -> None:
    """The two pages of the small e-service: a name, a yes/no radio group, a long text (optional)."""
    tab_to(page, page.locator("#field-nickname"))
    page.keyboard.type("Simba")
    page.keyboard.press("Tab")  # into the radio group: its first option takes focus
    assert_focus_is_visible(page)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # arrows move within the group and choose
    expect(page.locator("#field-has_pet-1")).to_be_checked()
    tab_to(page, page.locator("#page-form .button-row button[value=continue]"))
    press_and_arrive(page, "Enter")
    tab_to(page, page.locator("#field-story"))
    page.keyboard.type("Read aloud, typed with the keyboard.")
    tab_to(page, page.locator("#page-form .button-row button[value=continue]"))
    press_and_arrive(page, "Enter")
    assert page.url.endswith("/check")


@IN_SWEDISH_AND_ARABIC
def test_a_resident_files_an_e_service_with_the_keyboard_alone(
    page: Page, emulator_control: EmulatorControl, language: str
) -> None:
    visit(page, "/services/inventory-keyboard")
    assert_focus_is_not_trapped(page)
    tab_to(page, page.locator("main a.button[href$='/services/inventory-keyboard/start']"), backwards=True)
    press_and_arrive(page, "Enter")

    # Logged out, the e-service asks for BankID first: "another device" with the keyboard, approved on the phone.
    assert "/login/" in page.url
    tab_to(page, page.locator("button[name=device][value=other]"))
    press_and_arrive(page, "Enter")
    order_ref = page.url.rsplit("/", 1)[-1]
    _arrive(page, lambda: emulator_control.approve(order_ref, FATIMA))
    assert page.url.endswith("/services/inventory-keyboard/start")
    tab_to(page, page.locator("main form button[type=submit]"))
    press_and_arrive(page, "Enter")

    answer_the_small_form(page)
    expect(page.locator("main")).to_contain_text("Simba")
    send = page.locator("main form[action$='/submit'] button")
    tab_to(page, send)
    # Shift+Tab goes back to the change links and Tab returns: the page can be reviewed in both directions.
    tab_to(page, page.locator(".summary-list__action a").last, backwards=True)
    tab_to(page, send)
    press_and_arrive(page, "Enter")

    assert page.url.endswith("/done")
    expect(page.locator(".confirmation__reference")).to_be_visible()
    assert_focus_is_not_trapped(page)


@IN_SWEDISH_AND_ARABIC
def test_an_agent_files_for_a_caller_with_the_keyboard_alone(page: Page, world: World, language: str) -> None:
    visit(page, "/staff/login")
    tab_to(page, page.locator("#email"))
    page.keyboard.type(AGENT)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    press_and_arrive(page, "Enter")
    assert page.url.endswith("/staff/")

    visit(page, "/agent/")
    tab_to(page, page.locator("#q"))
    page.keyboard.type("Ahmadi")
    press_and_arrive(page, "Enter")
    tab_to(page, page.get_by_role("link", name="Fatima Ahmadi").first)
    press_and_arrive(page, "Enter")
    tab_to(page, page.locator("#reason"))
    page.keyboard.type("The caller asked for help with an application")
    tab_to(page, page.locator("main form button[type=submit]"))
    press_and_arrive(page, "Enter")
    assert page.url.endswith(f"/agent/residents/{world.ids['fatima']}")

    tab_to(page, page.locator("main a[href$='/file']"))
    press_and_arrive(page, "Enter")
    service = page.locator("#service")
    tab_to(page, service)
    choose_with_arrows(page, service, "inventory-small")
    tab_to(page, page.locator("main form button[type=submit]"))
    press_and_arrive(page, "Enter")

    answer_the_small_form(page)
    # Sent without a digital signature: the identity was checked another way (the first method is chosen).
    tab_to(page, page.locator("main form[novalidate] button[type=submit]"))
    press_and_arrive(page, "Enter")

    expect(page.locator(".notification--success")).to_be_visible()
    assert_focus_is_not_trapped(page)
