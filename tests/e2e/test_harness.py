"""The harness's own checks must catch what they promise to, under the same strict CSP Kanal serves.

These pages are made up here and served by Playwright's request interception, so they never touch the app.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route

from core.security import CONTENT_SECURITY_POLICY
from tests.e2e.browser import (
    AccessibilityViolations,
    assert_reflows_at_320,
    assert_reflows_with_doubled_text,
    check_accessibility,
    check_page,
    guard,
    undersized_targets,
)

ORIGIN = "http://harness.kanal.test"

ACCESSIBLE = """<!doctype html><html lang="sv"><head><title>Bra sida</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main><h1>Rubrik</h1><p>Text.</p></main></body></html>"""

INACCESSIBLE = """<!doctype html><html><head><title>Dålig sida</title></head>
<body><main><h1>Rubrik</h1><img src="/logo.png"><p class="faint">Ljusgrå text</p>
<input type="text" name="unlabelled"></main></body></html>"""

INLINE_SCRIPT_AND_STYLE = """<!doctype html><html lang="sv"><head><title>Otillåtet</title>
<style>p { color: red; }</style></head>
<body><main><h1>Rubrik</h1><script>document.title = "ran";</script></main></body></html>"""

THROWS = """<!doctype html><html lang="sv"><head><title>Fel</title><script src="/broken.js"></script></head>
<body><main><h1>Rubrik</h1></main></body></html>"""

TOO_WIDE = """<!doctype html><html lang="sv"><head><title>Bred</title><link rel="stylesheet" href="/wide.css">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Rubrik</h1><div class="wide">Bred</div></main></body></html>"""

SMALL_TARGETS = """<!doctype html><html lang="sv"><head><title>Små</title><link rel="stylesheet" href="/small.css">
</head><body><main><h1>Rubrik</h1><p>Läs <a href="/a">mer här</a> om saken.</p>
<div><button class="tiny">A</button><button class="tiny">B</button></div>
<button class="tiny alone">C</button></main></body></html>"""

FIXED_TEXT_WIDTH = """<!doctype html><html lang="sv"><head><title>Fast</title><link rel="stylesheet" href="/fixed.css">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Rubrik</h1><p class="nowrap">En rad som aldrig bryts om hur stor texten än blir</p>
</main></body></html>"""

RESOURCES = {
    "/accessible": ("text/html; charset=utf-8", ACCESSIBLE),
    "/inaccessible": ("text/html; charset=utf-8", INACCESSIBLE),
    "/inline": ("text/html; charset=utf-8", INLINE_SCRIPT_AND_STYLE),
    "/throws": ("text/html; charset=utf-8", THROWS),
    "/too-wide": ("text/html; charset=utf-8", TOO_WIDE),
    "/style.css": ("text/css", ".faint { color: #ccc; }"),
    "/wide.css": ("text/css", ".wide { width: 40rem; }"),
    "/broken.js": ("text/javascript", "undefinedFunction();"),
    "/logo.png": ("image/png", ""),
    "/small-targets": ("text/html; charset=utf-8", SMALL_TARGETS),
    "/small.css": (
        "text/css",
        ".tiny { width: 12px; height: 12px; padding: 0; font-size: 8px; margin: 0; } "
        ".alone { margin-block-start: 60px; display: block; }",
    ),
    "/fixed-text-width": ("text/html; charset=utf-8", FIXED_TEXT_WIDTH),
    "/fixed.css": ("text/css", ".nowrap { white-space: nowrap; font-size: 1.5rem; }"),
}


def _serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    content_type, body = RESOURCES.get(path, ("text/plain", "not found"))
    route.fulfill(
        status=200 if path in RESOURCES else 404,
        content_type=content_type,
        body=body,
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )


@pytest.fixture
def bare_page(browser: Browser) -> Iterator[Page]:
    """A page the harness does not check on its own, so the checks themselves can be exercised."""
    context = browser.new_context(base_url=ORIGIN)
    context.route(f"{ORIGIN}/**", _serve)
    yield context.new_page()
    context.close()


def test_axe_runs_under_kanals_strict_content_security_policy(bare_page: Page) -> None:
    page_guard = guard(bare_page)
    bare_page.goto("/accessible")

    check_page(bare_page)

    assert page_guard.problems == []


def test_accessibility_check_names_each_broken_rule_and_element(bare_page: Page) -> None:
    bare_page.goto("/inaccessible")

    with pytest.raises(AccessibilityViolations) as failure:
        check_accessibility(bare_page)

    report = str(failure.value)
    assert f"on {ORIGIN}/inaccessible" in report
    for rule in ("html-has-lang", "image-alt", "label"):
        assert f"- {rule} [" in report
    assert "at img:" in report
    assert "at input" in report


def test_inline_script_and_style_are_reported_as_csp_violations(bare_page: Page) -> None:
    guard(bare_page)
    bare_page.goto("/inline")

    with pytest.raises(AssertionError, match="Content Security Policy"):
        check_page(bare_page)
    assert bare_page.title() == "Otillåtet", "the inline script must not have run"


def test_a_javascript_error_fails_the_page(bare_page: Page) -> None:
    guard(bare_page)
    bare_page.goto("/throws")

    with pytest.raises(AssertionError, match="undefinedFunction"):
        check_page(bare_page)


def test_a_page_wider_than_320_css_px_fails_the_reflow_check(bare_page: Page) -> None:
    bare_page.goto("/too-wide")

    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_reflows_at_320(bare_page)


def test_a_page_left_without_a_check_is_reported(bare_page: Page) -> None:
    guard(bare_page)
    bare_page.goto("/accessible")
    bare_page.goto("/inaccessible")

    with pytest.raises(AssertionError, match=r"left without accessibility checks: .*/accessible"):
        check_page(bare_page)


def test_crowded_small_targets_are_reported_but_inline_links_and_well_spaced_ones_are_not(
    bare_page: Page,
) -> None:
    bare_page.goto("/small-targets")

    problems = undersized_targets(bare_page)

    assert len(problems) == 2, problems
    assert all(problem.startswith("button.tiny") for problem in problems)
    assert not any("mer här" in problem or "alone" in problem for problem in problems)


def test_text_that_cannot_wrap_fails_the_doubled_text_check(bare_page: Page) -> None:
    bare_page.goto("/fixed-text-width")

    with pytest.raises(AssertionError, match="200 % text size"):
        assert_reflows_with_doubled_text(bare_page)
