"""Every page of Kanal that a link or an address reaches directly, in Swedish and Arabic, with the demo
municipality's data behind it: public pages, My pages, the case officer's, agent's and administrators' pages, and
their empty states. Each visit is checked by the harness (axe-core WCAG 2.0/2.1/2.2 A and AA, reflow at 320 CSS
px, console and CSP) and recorded in the page inventory; residents' pages are also checked at 200 % text size
and for targets of at least 24 x 24 CSS px; pages reached only through a flow (BankID, signing,
filing steps, form errors) are in test_page_inventory_flows.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from signing.emulator.process import EmulatorControl
from tests.e2e.browser import assert_reflows_with_doubled_text, assert_targets_are_large_enough, visit
from tests.e2e.inventory_world import (
    AGENT,
    CASE_OFFICER,
    FATIMA,
    FORM_ADMIN,
    LARS,
    SYSTEM_ADMIN,
    World,
    inventory_server,
    log_in_once,
    log_in_resident_over_http,
    log_in_staff_over_http,
)
from tests.e2e.live_server import LiveServer
from tests.eservices.casework_fixtures import casework_seal_settings

__all__ = ["casework_seal_settings", "inventory_server"]  # fixtures this module uses by name

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])
DIRECTIONS = {"sv": "ltr", "ar": "rtl"}
RESIDENTS = {"fatima": FATIMA, "lars": LARS}
STAFF = {"officer": CASE_OFFICER, "agent": AGENT, "form_admin": FORM_ADMIN, "admin": SYSTEM_ADMIN}


@dataclass(frozen=True)
class Stop:
    """A page to check: who looks at it (nobody, a resident or a staff member) and its address."""

    name: str
    path: str
    who: str | None = None
    status: int = 200

    def __str__(self) -> str:
        return self.name


STOPS = [
    # Anyone.
    Stop("home", "/"),
    Stop("category", "/categories/{category}"),
    Stop("service page with an easy-to-read link", "/services/preschool-placement"),
    Stop("easy-to-read summary", "/services/preschool-placement/easy-read"),
    Stop("service without an e-service", "/services/noise-complaint"),
    Stop("anonymous e-service start page", "/services/inventory-small/start"),
    Stop("search without a query", "/search"),
    Stop("search with results", "/search?q=f%C3%B6rskola"),
    Stop("search without results", "/search?q=qqqqzzzz"),
    Stop("life events", "/life-events/"),
    Stop("life event questionnaire", "/life-events/expecting-a-baby"),
    Stop(
        "life event checklist",
        "/life-events/moving-here/checklist?within_municipality=no&preschool_children=yes&school_children=no"
        "&own_house=yes",
    ),
    Stop("life event questions left unanswered", "/life-events/expecting-a-baby/checklist", status=400),
    Stop("unknown life event", "/life-events/moving-to-mars", status=404),
    Stop("callback request", "/callback/?service=preschool-placement"),
    Stop("callback thanks", "/callback/thanks?service=preschool-placement"),
    Stop("verify a document", "/verify/"),
    Stop("accessibility statement", "/accessibility"),
    Stop("display settings", "/display-settings"),
    Stop("resident login", "/login/"),
    Stop("staff login", "/staff/login"),
    Stop("page not found", "/no-such-page", status=404),
    # Residents.
    Stop("my pages", "/my-pages/", "fatima"),
    Stop("my pages, empty", "/my-pages/", "lars"),
    Stop("case page", "/my-pages/cases/{case_reference}", "fatima"),
    Stop("completion form", "/my-pages/cases/{case_reference}/completions/{completion}", "fatima"),
    Stop("receipt as text", "/my-pages/cases/{case_reference}/documents/{receipt}/text", "fatima"),
    Stop("decision as text", "/my-pages/cases/{case_reference}/documents/{decision}/text", "fatima"),
    Stop(
        "arabic receipt as text",
        "/my-pages/cases/{arabic_case_reference}/documents/{arabic_receipt}/text",
        "fatima",
    ),
    Stop("someone else's case", "/my-pages/cases/{case_reference}", "lars", status=404),
    Stop("saved checklist", "/my-pages/checklists/{checklist}", "fatima"),
    Stop("co-signing requests, none", "/cosign/", "lars"),
    # Case officers.
    Stop("staff start page", "/staff/", "officer"),
    Stop("officer start page", "/officer/", "officer"),
    Stop("officer queue", "/officer/queues/{education_queue}", "officer"),
    Stop("officer search", "/officer/search", "officer"),
    Stop("officer search with results", "/officer/search?q={case_reference}", "officer"),
    Stop("officer search without results", "/officer/search?q=nobody-at-all", "officer"),
    Stop("officer case page", "/officer/cases/{case_reference}", "officer"),
    Stop("completion request form", "/officer/cases/{case_reference}/completion", "officer"),
    Stop("decision form", "/officer/cases/{case_reference}/decision", "officer"),
    Stop("decision templates", "/officer/decision-templates", "officer"),
    Stop("new decision template", "/officer/decision-templates/new", "officer"),
    Stop("decision template", "/officer/decision-templates/{template}", "officer"),
    Stop("forbidden page", "/admin/", "officer", status=403),
    # Contact centre agents.
    Stop("agent workspace", "/agent/", "agent"),
    Stop("resident search", "/agent/search?q=Ahmadi", "agent"),
    Stop("resident search without results", "/agent/search?q=Nobody", "agent"),
    Stop("open a resident's record", "/agent/residents/{fatima}/open", "agent"),
    Stop("callback queue", "/agent/queues/{contact_queue}", "agent"),
    Stop("callback request page", "/agent/callbacks/{callback}", "agent"),
    Stop("new callback request", "/agent/callbacks/new", "agent"),
    Stop("new contact", "/agent/contacts/new", "agent"),
    Stop("life events for a caller", "/staff/life-events/residents/{fatima}", "agent"),
    Stop("channel statistics", "/statistics/channels/", "agent"),
    # Administrators.
    Stop("administration", "/admin/", "admin"),
    Stop("API tokens", "/admin/api-tokens", "admin"),
    Stop("deliveries", "/admin/deliveries", "admin"),
    Stop("webhooks", "/admin/webhooks", "admin"),
    Stop("edit the accessibility statement", "/admin/accessibility-statement/", "admin"),
    Stop("easy-to-read texts", "/admin/easy-read/", "form_admin"),
    Stop("edit an easy-to-read text", "/admin/easy-read/preschool-placement", "form_admin"),
    Stop("catalogue", "/admin/catalogue/", "form_admin"),
    Stop("new category", "/admin/catalogue/categories/new", "form_admin"),
    Stop("category", "/admin/catalogue/categories/{category_id}", "form_admin"),
    Stop("new service", "/admin/catalogue/services/new", "form_admin"),
    Stop("service", "/admin/catalogue/services/{service_id}", "form_admin"),
    Stop("new life event", "/admin/catalogue/life-events/new", "form_admin"),
    Stop("life event", "/admin/catalogue/life-events/{life_event_id}", "form_admin"),
    Stop("new offer rule", "/admin/catalogue/offer-rules/new", "form_admin"),
    Stop("offer rule", "/admin/catalogue/offer-rules/{offer_rule_id}", "form_admin"),
    Stop("forms", "/admin/forms/", "form_admin"),
    Stop("new form", "/admin/forms/new", "form_admin"),
    Stop("import a form", "/admin/forms/import", "form_admin"),
    Stop("channel statistics for all departments", "/statistics/channels/", "form_admin"),
]


@pytest.fixture
def live_server(inventory_server: tuple[LiveServer, World]) -> LiveServer:
    return inventory_server[0]


@pytest.fixture
def world(inventory_server: tuple[LiveServer, World]) -> World:
    return inventory_server[1]


def log_in(
    page: Page, server: LiveServer, who: str | None, emulator_control: EmulatorControl, language: str
) -> None:
    if who in RESIDENTS:
        personnummer = RESIDENTS[who]
        log_in_once(
            page,
            server,
            who,
            language,
            lambda: log_in_resident_over_http(page, emulator_control, personnummer),
        )
    elif who in STAFF:
        email = STAFF[who]
        log_in_once(page, server, who, language, lambda: log_in_staff_over_http(page, email))


@IN_SWEDISH_AND_ARABIC
@pytest.mark.parametrize("stop", STOPS, ids=str)
def test_page_passes_the_accessibility_checks(
    page: Page,
    live_server: LiveServer,
    world: World,
    emulator_control: EmulatorControl,
    stop: Stop,
    language: str,
) -> None:
    log_in(page, live_server, stop.who, emulator_control, language)

    response = visit(page, stop.path.format(**world.paths, **world.ids))

    assert response.status == stop.status, f"{stop.path}: {response.status}"
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", DIRECTIONS[language])
    expect(page.locator("h1")).to_have_count(1)
    if stop.who is None or stop.who in RESIDENTS:
        assert_reflows_with_doubled_text(page)
        assert_targets_are_large_enough(page)
