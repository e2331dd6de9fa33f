"""Fixtures for browser tests: one Chromium per session, the live app per test, a fresh guarded page per test.

A test picks the browser's language with `@pytest.mark.parametrize("language", [...])`; the page fixture then
sends that Accept-Language, as a resident's browser would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from core.app import create_app
from tests.conftest import test_environ
from tests.e2e.browser import CHROMIUM, DESKTOP_VIEWPORT, check_last_page, guard, launch_chromium
from tests.e2e.inventory import inventory
from tests.e2e.live_server import LiveServer

# Locale strings a browser set to each language would send; the first part is what Kanal matches on.
BROWSER_LOCALES = {"sv": "sv-SE", "en": "en-GB", "da": "da-DK", "ar": "ar"}
NAVIGATION_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/e2e drives the browser; the marker lets `-m "not e2e"` leave it out elsewhere.
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; `make test-e2e` installs Debian's chromium package"
        )
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server_settings() -> dict[str, str]:
    """Environment variables the live app gets on top of the test defaults; override it in a test module."""
    return {}


@pytest.fixture
def live_server(
    database_url: str, tmp_path: Path, live_server_settings: dict[str, str]
) -> Iterator[LiveServer]:
    server = LiveServer(test_environ(database_url, tmp_path, **live_server_settings)).start()
    yield server
    server.stop()


@pytest.fixture
def language() -> str:
    return "sv"


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, language: str
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        locale=BROWSER_LOCALES[language],
        viewport=DESKTOP_VIEWPORT,
    )
    context.set_default_timeout(NAVIGATION_TIMEOUT_MS)
    browser_page = context.new_page()
    guard(browser_page, live_server.app)
    try:
        yield browser_page
        # The page a test ends on is checked too, unless the test already failed and would only add noise.
        if not request.node.stash.get(CALL_FAILED, True):
            check_last_page(browser_page)
    finally:
        context.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With KANAL_E2E_INVENTORY=1 (set by `make test`), fail when a page was not checked in Swedish and Arabic.

    After a failed run the missing pages are still listed (a failed test may be why they were not reached).
    """
    if os.environ.get("KANAL_E2E_INVENTORY") != "1" or exitstatus not in (0, 1):
        return
    app = create_app(test_environ("sqlite:///:memory:", Path(tempfile.gettempdir())))
    writer = session.config.get_terminal_writer()
    stale = inventory.stale_exemptions(app)
    if stale:
        writer.line(f"\nPage inventory: exemptions for endpoints that no longer exist: {', '.join(stale)}")
    missing = inventory.missing(app)
    if missing:
        lines = "\n".join(
            f"  {endpoint}: not checked in {', '.join(sorted(languages))}"
            for endpoint, languages in sorted(missing.items())
        )
        writer.line(
            f"\nPage inventory: {len(missing)} page(s) have no browser test with axe checks:\n{lines}",
            red=True,
        )
        session.exitstatus = 1
