"""The page inventory: every HTML page Kanal serves, and which of them the browser tests checked in which language.

`check_page` records each page it checks (endpoint and language). When the browser session ends, every page
endpoint must have been checked in Swedish and in Arabic, unless it is listed in `NOT_PAGES` (downloads, images,
JSON and form targets that only redirect) with the reason. A new page without a browser test fails the suite.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException

REQUIRED_LANGUAGES = frozenset({"sv", "ar"})

# Endpoints that answer GET without rendering a page of their own, and why they are exempt.
NOT_PAGES: dict[str, str] = {
    "static": "stylesheets and scripts",
    "resident_auth.static": "the BankID status page script",
    "resident_auth.qr_code": "an SVG image, shown inside the BankID page",
    "i18n.choose_language": "sets the language and redirects back",
    "case_pages.document": "a sealed PDF download",
    "case_pages.attachment": "a file download",
    "officer.document": "a sealed PDF download",
    "officer.attachment": "a file download",
}
# Endpoint name prefixes that are machine interfaces, not pages.
NOT_PAGE_PREFIXES = ("api.", "api_docs.")


class PageInventory:
    def __init__(self) -> None:
        self.checked: dict[str, set[str]] = defaultdict(set)

    def record(self, app: Flask, url: str, language: str) -> None:
        path = urlsplit(url).path
        adapter = app.url_map.bind("localhost")
        try:
            endpoint, _arguments = adapter.match(path, method="GET")
        except HTTPException:
            endpoint = "errors.not_found"  # a 404 page is a page too
        self.checked[str(endpoint)].add(language)

    def missing(self, app: Flask) -> dict[str, set[str]]:
        """Page endpoints not yet checked in every required language, with the languages still missing."""
        result: dict[str, set[str]] = {}
        for rule in app.url_map.iter_rules():
            endpoint = rule.endpoint
            if "GET" not in (rule.methods or set()) or endpoint in NOT_PAGES:
                continue
            if endpoint.startswith(NOT_PAGE_PREFIXES):
                continue
            lacking = REQUIRED_LANGUAGES - self.checked.get(endpoint, set())
            if lacking:
                result[endpoint] = lacking
        return result


inventory = PageInventory()
