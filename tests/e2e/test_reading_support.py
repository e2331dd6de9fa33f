"""Reading support and display settings in a real browser: the Listen button is a progressive enhancement on the
browser's own speech synthesis, and text size and contrast are remembered per browser; both work with the
keyboard alone and tell screen reader users what happened.

Headless Chromium may have no voices, so speech synthesis is replaced by a recording stand-in (an init script) or
removed, to test both sides of the enhancement.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import _arrive, visit
from tests.e2e.live_server import LiveServer

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])

RECORDING_SPEECH = """
window.__spoken = [];
window.__cancelled = 0;
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: {
    speak: function (utterance) { window.__spoken.push({ text: utterance.text, lang: utterance.lang }); },
    cancel: function () { window.__cancelled += 1; },
  },
});
"""
NO_SPEECH = """
delete window.SpeechSynthesisUtterance;
delete window.speechSynthesis;
delete Window.prototype.speechSynthesis;
"""


def focus_by_tabbing(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element is focused, as a keyboard user would; fails if it is never reached."""
    target = page.locator(selector)
    for _press in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with Tab in {limit} presses")


def assert_focus_is_visible(page: Page) -> None:
    """The focused element shows an outline or a box shadow (WCAG 2.4.7), by computed style."""
    indicator = page.evaluate(
        "() => { const style = getComputedStyle(document.activeElement);"
        " return { outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,"
        " shadow: style.boxShadow !== 'none' }; }"
    )
    assert indicator["outline"] or indicator["shadow"], "the focused element has no visible focus indicator"


@IN_SWEDISH_AND_ARABIC
def test_listen_is_hidden_where_the_browser_cannot_speak(page: Page, language: str) -> None:
    page.add_init_script(NO_SPEECH)

    visit(page, "/accessibility")

    expect(page.locator("[data-listen]")).to_be_hidden()


@IN_SWEDISH_AND_ARABIC
def test_listen_reads_the_main_content_aloud_and_stops_with_the_keyboard(page: Page, language: str) -> None:
    page.add_init_script(RECORDING_SPEECH)
    visit(page, "/accessibility")
    button = page.locator("[data-listen]")
    status = page.locator("[data-listen-status]")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(status).to_have_attribute("aria-live", "polite")

    focus_by_tabbing(page, "[data-listen]")
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")

    expect(button).to_have_attribute("aria-pressed", "true")
    expect(status).not_to_be_empty()
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 1
    assert spoken[0]["lang"] == language
    assert page.locator("main h1").inner_text() in spoken[0]["text"]
    assert (
        "Skip" not in spoken[0]["text"] and page.locator(".site-footer").inner_text() not in spoken[0]["text"]
    )
    started_message = status.inner_text()

    page.keyboard.press("Space")

    expect(button).to_have_attribute("aria-pressed", "false")
    expect(status).not_to_have_text(started_message)
    assert page.evaluate("window.__cancelled") >= 1


@IN_SWEDISH_AND_ARABIC
def test_text_size_and_contrast_are_chosen_with_the_keyboard_and_remembered_in_this_browser(
    page: Page, live_server: LiveServer, language: str
) -> None:
    visit(page, "/accessibility")
    focus_by_tabbing(page, ".reading-tools a[href^='/display-settings']")
    assert_focus_is_visible(page)
    _arrive(page, lambda: page.keyboard.press("Enter"))
    assert "/display-settings" in page.url

    # Radio groups: Tab into the group, arrows choose within it.
    focus_by_tabbing(page, "input[name=text_size]:checked")
    assert_focus_is_visible(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=text_size][value=larger]")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=contrast][value=high]")).to_be_checked()
    page.keyboard.press("Tab")
    assert_focus_is_visible(page)
    _arrive(page, lambda: page.keyboard.press("Enter"))

    html = page.locator("html")
    expect(html).to_have_class("text-larger high-contrast")
    expect(page.locator(".notifications[role=status]")).to_be_visible()
    root_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root_size >= 24  # 150 % of the browser's 16 px

    visit(page, "/")
    expect(html).to_have_class("text-larger high-contrast")

    browser = page.context.browser
    assert browser is not None
    other_browser = browser.new_context(base_url=live_server.url)
    try:
        other = other_browser.new_page()
        other.goto("/")
        assert other.locator("html").get_attribute("class") in (None, "")
    finally:
        other_browser.close()
