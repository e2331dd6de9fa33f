"""The browser side of the harness: Debian's Chromium, and the checks every page a browser test must pass.

Every page is checked for WCAG 2.0/2.1/2.2 A and AA violations with axe-core, for reflow at 320 CSS px, and
for JavaScript errors and Content-Security-Policy violations in the console. Tests move through Kanal with
`visit`, `submit_and_wait` and `follow_link`, which run the checks on each page they arrive at; a page reached
some other way and left without a check fails the test, so no page slips through unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from axe_playwright_python.base import AXE_SCRIPT
from flask import Flask
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    Playwright,
    Response,
    ViewportSize,
)

from tests.e2e.inventory import inventory

CHROMIUM = "/usr/bin/chromium"
# Without the networking switches Chromium keeps calling home, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROWEST_VIEWPORT: ViewportSize = {"width": 320, "height": 640}
DESKTOP_VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# Chromium reports every 4xx/5xx response in the console; tests assert statuses themselves.
IGNORED_CONSOLE_PREFIXES = ("Failed to load resource:",)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


class AccessibilityViolations(AssertionError):
    """axe-core found WCAG A/AA violations; the message lists each rule with the elements that break it."""


@dataclass
class PageGuard:
    """Watches one page: console problems, and which loaded documents have had their checks.

    It keeps no reference to the page, so the registry below does not keep closed pages alive.
    """

    problems: list[str] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)
    checked_loads: int = 0
    app: Flask | None = None  # the live app, so checked pages can be recorded in the page inventory

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._on_page_error(page.url, error))
        page.on("load", self._on_load)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith(IGNORED_CONSOLE_PREFIXES):
            self.problems.append(
                f"console error on {message.page.url if message.page else '?'}: {message.text}"
            )

    def _on_page_error(self, url: str, error: Error) -> None:
        self.problems.append(f"JavaScript error on {url}: {error.message}")

    def _on_load(self, page: Page) -> None:
        self.loads.append(page.url)

    def assert_no_console_problems(self) -> None:
        if self.problems:
            found = "\n  ".join(self.problems)
            self.problems.clear()
            raise AssertionError(
                f"The browser reported problems (CSP violations or script errors):\n  {found}"
            )

    def unchecked_loads(self) -> list[str]:
        return self.loads[self.checked_loads :]

    def mark_checked(self) -> None:
        self.checked_loads = len(self.loads)


_guards: WeakKeyDictionary[Page, PageGuard] = WeakKeyDictionary()


def guard(page: Page, app: Flask | None = None) -> PageGuard:
    """Start watching `page`; the page fixture does this for every page it hands out."""
    page_guard = PageGuard(app=app)
    page_guard.attach(page)
    _guards[page] = page_guard
    return page_guard


def _guard_of(page: Page) -> PageGuard:
    try:
        return _guards[page]
    except KeyError:
        raise RuntimeError("this page is not guarded; get pages from the `page` fixture") from None


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the current page (evaluated through the DevTools
    protocol, which the page's strict CSP does not restrict, so no policy needs loosening for the test)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results: dict[str, Any] = page.evaluate(f"axe.run(document, {json.dumps(options)})")
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (WCAG A/AA) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}]: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


def check_accessibility(page: Page) -> None:
    violations = accessibility_violations(page)
    if violations:
        raise AccessibilityViolations(describe_violations(page.url, violations))


def horizontal_overflow_at(page: Page, viewport: ViewportSize) -> int:
    """How many CSS px the page is wider than a viewport of this size (0 when it reflows)."""
    original = page.viewport_size
    page.set_viewport_size(viewport)
    try:
        overflow: int = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    finally:
        if original is not None:
            page.set_viewport_size(original)
    return overflow


# The elements that stick out of the viewport, innermost first, so a reflow failure names its cause.
_ELEMENTS_STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const describe = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + [...element.classList].map((name) => "." + name).join("");
  const outside = [...document.body.querySelectorAll("*")].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
  });
  const innermost = outside.filter((element) => !outside.some((other) => other !== element && element.contains(other)));
  return innermost.slice(0, 5).map((element) => {
    const box = element.getBoundingClientRect();
    return describe(element) + " [" + Math.round(box.left) + ".." + Math.round(box.right) + "]";
  });
}"""


def elements_sticking_out_at(page: Page, viewport: ViewportSize) -> list[str]:
    original = page.viewport_size
    page.set_viewport_size(viewport)
    try:
        found: list[str] = page.evaluate(_ELEMENTS_STICKING_OUT)
    finally:
        if original is not None:
            page.set_viewport_size(original)
    return found


def assert_reflows_at_320(page: Page) -> None:
    overflow = horizontal_overflow_at(page, NARROWEST_VIEWPORT)
    if overflow > 0:
        culprits = ", ".join(elements_sticking_out_at(page, NARROWEST_VIEWPORT)) or "?"
        raise AssertionError(
            f"{page.url} scrolls sideways by {overflow} px at 320 CSS px wide (WCAG 1.4.10 Reflow); "
            f"sticking out: {culprits}"
        )


def check_page(page: Page) -> None:
    """Every check a page must pass; the navigation helpers call it on each page they arrive at."""
    page_guard = _guard_of(page)
    unchecked = page_guard.unchecked_loads()
    if len(unchecked) > 1:
        skipped = ", ".join(unchecked[:-1])
        raise AssertionError(
            f"pages were left without accessibility checks: {skipped}; "
            "move through Kanal with visit(), submit_and_wait() or follow_link()"
        )
    page_guard.assert_no_console_problems()
    check_accessibility(page)
    assert_reflows_at_320(page)
    page_guard.assert_no_console_problems()
    page_guard.mark_checked()
    if page_guard.app is not None:
        inventory.record(page_guard.app, page.url, page.evaluate("document.documentElement.lang"))


def _arrive(page: Page, navigate: Callable[[], Response | None]) -> Response:
    with page.expect_navigation(wait_until="load") as navigation:
        navigate()
    response = navigation.value
    if response is None:
        raise AssertionError(f"navigating to {page.url} got no response from the server")
    check_page(page)
    return response


def visit(page: Page, path: str) -> Response:
    """Open `path` (relative to the live server) and check the page; returns the response for its status."""
    response = page.goto(path, wait_until="load")
    if response is None:
        raise AssertionError(f"opening {path} got no response from the server")
    check_page(page)
    return response


def submit_and_wait(page: Page, button: Locator) -> Response:
    """Press a form's submit button, wait for the page that answers, and check it."""
    return _arrive(page, button.click)


def follow_link(page: Page, link: Locator) -> Response:
    """Click a link, wait for the page it leads to (after any redirects), and check it."""
    return _arrive(page, link.click)


def check_last_page(page: Page) -> None:
    """Run at the end of each test: the page the test ended on is checked too, if nothing checked it yet."""
    page_guard = _guard_of(page)
    if page_guard.unchecked_loads():
        check_page(page)
    page_guard.assert_no_console_problems()


# Resident pages are also checked at 200 % text size and for target sizes (test_page_inventory.py uses these).
TEXT_ZOOM_VIEWPORT: ViewportSize = {"width": 640, "height": 800}
MINIMUM_TARGET_PX = 24

# Every interactive element smaller than 24 × 24 CSS px, with WCAG 2.5.8's exceptions: a link inside a sentence or
# block of text (inline), and an undersized target whose 24 px circle, centred on it, touches no other target or
# circle (spacing). Hidden elements and the visually hidden skip link (a target only once focused) are left out.
_UNDERSIZED_TARGETS = """(minimum) => {
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link]";
  const describe = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + [...element.classList].map((name) => "." + name).join("")
    + (element.textContent.trim() ? " \\"" + element.textContent.trim().slice(0, 30) + "\\"" : "");
  const blockOf = (element) => {
    let node = element.parentElement;
    while (node && getComputedStyle(node).display.startsWith("inline")) { node = node.parentElement; }
    return node;
  };
  const inText = (element) => {
    const display = getComputedStyle(element).display;
    if (display !== "inline") { return false; }
    const block = blockOf(element);
    return block !== null && block.textContent.replace(/\\s+/g, " ").trim().length
      > element.textContent.replace(/\\s+/g, " ").trim().length;
  };
  const targets = [...document.querySelectorAll(selector)].filter((element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && !element.closest(".visually-hidden") && !element.classList.contains("skip-link");
  });
  const boxes = targets.map((element) => element.getBoundingClientRect());
  const small = targets.map((element, index) =>
    (boxes[index].width < minimum || boxes[index].height < minimum) && !inText(element));
  const centre = (box) => [box.left + box.width / 2, box.top + box.height / 2];
  const circleTouchesBox = (point, box) => {
    const x = Math.max(box.left, Math.min(point[0], box.right));
    const y = Math.max(box.top, Math.min(point[1], box.bottom));
    return Math.hypot(point[0] - x, point[1] - y) < minimum / 2 - 0.01;
  };
  const problems = [];
  targets.forEach((element, index) => {
    if (!small[index]) { return; }
    const point = centre(boxes[index]);
    const crowded = targets.some((other, otherIndex) => {
      if (otherIndex === index || other.contains(element) || element.contains(other)) { return false; }
      if (small[otherIndex]) {
        const otherPoint = centre(boxes[otherIndex]);
        return Math.hypot(point[0] - otherPoint[0], point[1] - otherPoint[1]) < minimum - 0.01;
      }
      return circleTouchesBox(point, boxes[otherIndex]);
    });
    if (crowded) {
      problems.push(describe(element) + " " + Math.round(boxes[index].width) + "x" + Math.round(boxes[index].height));
    }
  });
  return problems;
}"""


def undersized_targets(page: Page) -> list[str]:
    """Interactive elements below 24 × 24 CSS px that no WCAG 2.5.8 exception covers."""
    found: list[str] = page.evaluate(_UNDERSIZED_TARGETS, MINIMUM_TARGET_PX)
    return found


def assert_targets_are_large_enough(page: Page) -> None:
    problems = undersized_targets(page)
    assert not problems, (
        f"{page.url} has targets smaller than 24 x 24 CSS px (WCAG 2.5.8): {', '.join(problems)}"
    )


def assert_reflows_with_doubled_text(page: Page) -> None:
    """At 200 % text size (the root font size doubled) and 640 CSS px wide, nothing scrolls sideways.

    That is what a 1280 px window at 200 % zoom shows (WCAG 1.4.4 Resize text with 1.4.10 Reflow). The style is
    set through the CSSOM, which the page's CSP allows, and is put back afterwards.
    """
    original = page.viewport_size
    page.set_viewport_size(TEXT_ZOOM_VIEWPORT)
    try:
        overflow: int = page.evaluate(
            "() => { const root = document.documentElement; const before = root.style.fontSize;"
            " root.style.fontSize = '200%';"
            " const overflow = root.scrollWidth - root.clientWidth;"
            " root.style.fontSize = before; return overflow; }"
        )
    finally:
        if original is not None:
            page.set_viewport_size(original)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at 200 % text size, 640 CSS px wide"
