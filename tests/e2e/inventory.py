"""The page inventory: every HTML page Kanal serves, and which of them the browser tests checked in which language.

`check_page` records each page it checks by the endpoint that answered it, with the page's language. When the
browser session ends, every page endpoint must have been checked in Swedish and in Arabic. What is not a page is
exempt, each with its reason: blueprints' static files (`*.static`), the endpoints in `NOT_PAGES` (downloads such
as CSV, JSON, PDF and SVG, and GET targets that only redirect) and machine interfaces (`NOT_PAGE_PREFIXES`). A new
page without a browser test fails the suite.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

REQUIRED_LANGUAGES = frozenset({"sv", "ar"})
NOT_FOUND = "errors.not_found"
STATIC_SUFFIX = ".static"

# Endpoints that answer GET without rendering a page of their own, and why they are exempt.
NOT_PAGES: dict[str, str] = {
    "static": "stylesheets and scripts",
    "i18n.choose_language": "sets the language and redirects back",
    # Images and files, shown inside a page or downloaded.
    "resident_auth.qr_code": "an SVG image, shown inside the BankID page",
    "submission_signing.qr_code": "an SVG image, shown inside the signing page",
    "case_pages.document": "a sealed PDF download (its text alternative is a page)",
    "case_pages.attachment": "a file download",
    "officer.document": "a sealed PDF download",
    "officer.attachment": "a file download",
    "contact_center.case_signature_page": "a file download (the scanned page a resident signed on paper)",
    "channel_statistics.statistics_csv": "a CSV download of the statistics page",
    "channel_statistics.statistics_json": "a JSON download of the statistics page",
    "form_builder.export": "a JSON export of a form definition",
    # GET targets that redirect to a page of their own (which the inventory checks under its own endpoint).
    "filing.resume": "redirects a draft to the page the resident is on",
}
# Endpoint name prefixes that are machine interfaces, not pages.
NOT_PAGE_PREFIXES = ("api.", "api_docs.")


def exemption(endpoint: str) -> str | None:
    """Why `endpoint` is not a page, or None when it is one the browser tests must check."""
    if endpoint in NOT_PAGES:
        return NOT_PAGES[endpoint]
    if endpoint.endswith(STATIC_SUFFIX):
        return "a blueprint's static files (scripts, stylesheets, images)"
    if endpoint.startswith(NOT_PAGE_PREFIXES):
        return "a machine interface (JSON), not a page"
    return None


def page_endpoints(app: Flask) -> set[str]:
    """Every endpoint that answers GET with a page of its own."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and exemption(rule.endpoint) is None
    }


def endpoint_of(app: Flask, url: str) -> str:
    """The endpoint that answers a GET of `url` (what a page checked at that address is recorded under)."""
    adapter = app.url_map.bind("localhost")
    path = urlsplit(url).path
    try:
        endpoint, _arguments = adapter.match(path, method="GET")
    except RequestRedirect as redirect:  # e.g. a missing trailing slash: the page is the one redirected to
        return endpoint_of(app, redirect.new_url)
    except HTTPException:
        return NOT_FOUND  # a 404 page is a page too
    return str(endpoint)


class PageInventory:
    def __init__(self) -> None:
        self.checked: dict[str, set[str]] = defaultdict(set)

    def record(self, app: Flask, url: str, language: str) -> None:
        self.checked[endpoint_of(app, url)].add(language)

    def missing(self, app: Flask) -> dict[str, set[str]]:
        """Page endpoints not yet checked in every required language, with the languages still missing."""
        result: dict[str, set[str]] = {}
        for endpoint in page_endpoints(app):
            lacking = REQUIRED_LANGUAGES - self.checked.get(endpoint, set())
            if lacking:
                result[endpoint] = set(lacking)
        return result

    def stale_exemptions(self, app: Flask) -> list[str]:
        """Exempted endpoints that no longer exist, so the list does not silently outlive the routes."""
        known = {rule.endpoint for rule in app.url_map.iter_rules()}
        return sorted(endpoint for endpoint in NOT_PAGES if endpoint not in known)


inventory = PageInventory()
