"""Contact centre journeys in a real browser: an agent files an e-service for a caller who signs it on their own
phone (the BankID emulator's test phone) and then finds it on My pages; a callback request travels from a service
page to a queue and is completed. Every Kanal page on the way is checked by the harness (axe-core, reflow,
console); the test phone is the emulator's.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.models import Queue, Role
from signing.emulator.process import EmulatorControl
from tests.builders import (
    DEFAULT_PASSWORD,
    make_department,
    make_queue,
    make_resident,
    make_service,
    make_staff,
)
from tests.e2e.browser import _arrive, follow_link, guard, submit_and_wait, visit
from tests.e2e.live_server import LiveServer
from tests.eservices.filing_helpers import FATIMA, make_eservice
from tests.eservices.signing_helpers import signed_form

AGENT_EMAIL = "agent.journey@exempelstad.se"


@pytest.fixture
def live_server_settings(bankid_emulator: str) -> dict[str, str]:
    return {"KANAL_BANKID_URL": bankid_emulator}


def make_agent_in(queue: Queue | None = None) -> None:
    department = queue.department if queue is not None else make_department()
    make_staff(roles=[Role.AGENT], department=department, email=AGENT_EMAIL, full_name="Amina Berg")


def log_in_agent(page: Page) -> None:
    visit(page, "/staff/login")
    page.locator("#email").fill(AGENT_EMAIL)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    submit_and_wait(page, page.locator("main form button[type=submit]"))


def test_an_agent_files_for_a_caller_who_signs_on_their_phone_and_sees_it_on_my_pages(
    page: Page, live_server: LiveServer, bankid_emulator: str, emulator_control: EmulatorControl
) -> None:
    with live_server.data():
        make_agent_in()
        make_resident(personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi", phone="+46701234567")
        make_eservice(slug="pet-register", title={"sv": "Husdjursregister", "en": "Pet register"})

    log_in_agent(page)
    visit(page, "/agent/")
    page.locator("#q").fill("851230-8480")
    submit_and_wait(page, page.locator("main form[role=search] button"))
    follow_link(page, page.get_by_role("link", name="Fatima Ahmadi"))

    # The record opens only with a reason.
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect(page.locator(".error-summary")).to_be_visible()
    page.locator("#reason").fill("Caller wants to register a pet")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect(page.locator("h1")).to_have_text("Fatima Ahmadi")

    follow_link(page, page.locator("a[href$='/file']"))
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    page.locator("#field-nickname").fill("Simba")
    page.locator("#field-has_pet-1").check()
    submit_and_wait(page, page.locator("#page-form .button-row button[value=continue]"))
    page.locator("#field-story").fill("Read back to the caller on the phone.")
    submit_and_wait(page, page.locator("#page-form .button-row button[value=continue]"))
    assert page.url.endswith("/check")
    expect(page.locator("main")).to_contain_text("Simba")

    # BankID on the caller's own phone: the emulator's test phone shows the phone order and approves it.
    submit_and_wait(page, page.locator("form[action$='/sign'] button"))
    order_ref = page.url.rsplit("/", 1)[-1]
    phone = page.context.new_page()
    phone.goto(bankid_emulator + "/")
    order = phone.locator(f"#order-{order_ref}")
    expect(order).to_contain_text("(phone call)")
    _arrive(page, order.get_by_role("button", name="Approve").click)
    assert page.url.endswith("/check")
    expect(page.locator("[data-signed]")).to_be_visible()
    submit_and_wait(page, page.locator("form[action$='/submit'] button"))
    found = re.search(r"\d{4}-\d{6}", page.locator(".notification--success").inner_text())
    assert found is not None
    reference = found.group(0)
    expect(page.locator("main table")).to_contain_text(reference)

    # The resident logs in on their own and finds the case on My pages.
    browser = page.context.browser
    assert browser is not None
    resident_page = browser.new_context(base_url=live_server.url).new_page()
    guard(resident_page)
    visit(resident_page, "/login/")
    submit_and_wait(resident_page, resident_page.locator("button[name=device][value=other]"))
    login_ref = resident_page.url.rsplit("/", 1)[-1]
    _arrive(resident_page, lambda: emulator_control.approve(login_ref, FATIMA))
    assert resident_page.url.endswith("/my-pages/")
    expect(resident_page.locator("main")).to_contain_text(reference)
    resident_page.context.close()


OFFICER_EMAIL = "officer.journey@exempelstad.se"
SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120


def test_an_agent_files_for_a_caller_who_signed_on_paper_and_the_case_shows_it_everywhere(
    page: Page, live_server: LiveServer, emulator_control: EmulatorControl
) -> None:
    with live_server.data():
        queue = make_queue(make_department(), name="Permits")
        make_agent_in()
        make_staff(roles=[Role.CASE_OFFICER], department=queue.department, email=OFFICER_EMAIL)
        resident_id = make_resident(
            personnummer=FATIMA, given_name="Fatima", family_name="Ahmadi", phone="+46701234567"
        ).id
        make_eservice(signed_form(), slug="permit", title={"sv": "Tillstånd", "en": "Permit"}, queue=queue)

    log_in_agent(page)
    visit(page, f"/agent/residents/{resident_id}/open")
    page.locator("#reason").fill("Caller cannot use BankID")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    follow_link(page, page.locator("a[href$='/file']"))
    page.locator("#service").select_option("permit")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    page.locator("#field-nickname").fill("Simba")
    submit_and_wait(page, page.locator("#page-form .button-row button[value=continue]"))
    assert page.url.endswith("/check")
    # A form that must be signed offers BankID on the phone or paper, never sending it unsigned.
    expect(page.locator("[data-requires-signature]")).to_be_visible()
    paper_form = page.locator("form[enctype='multipart/form-data']")
    expect(page.locator("#paper-heading")).to_have_text("Underskriven på papper")

    # A program renamed to .pdf is refused with a message next to the field; the answers stay.
    page.get_by_label("Id-handling visad i disken").check()
    page.locator("#signature_page").set_input_files(
        {"name": "underskrift.pdf", "mimeType": "application/pdf", "buffer": PROGRAM}
    )
    submit_and_wait(page, paper_form.locator("button[type=submit]"))
    expect(page.locator(".error-summary")).to_contain_text("underskrift.pdf")
    expect(page.locator("#signature_page-error")).to_be_visible()
    expect(page.locator("main .summary-list")).to_contain_text("Simba")

    page.locator("#signature_page").set_input_files(
        {"name": "underskrift.pdf", "mimeType": "application/pdf", "buffer": SCAN}
    )
    submit_and_wait(page, paper_form.locator("button[type=submit]"))
    found = re.search(r"\d{4}-\d{6}", page.locator(".notification--success").inner_text())
    assert found is not None
    reference = found.group(0)
    row = page.locator("main table tr", has_text=reference)
    expect(row).to_contain_text("Underskriven på papper")
    scan_link = row.get_by_role("link", name=re.compile("Inskannad underskriftssida"))
    download = page.request.get(scan_link.get_attribute("href") or "")
    assert (download.status, download.body()) == (200, SCAN)

    # The case officer sees how it was signed, the scan among the files and who attached it.
    officer_page = new_page(page, live_server)
    visit(officer_page, "/staff/login")
    officer_page.locator("#email").fill(OFFICER_EMAIL)
    officer_page.locator("#password").fill(DEFAULT_PASSWORD)
    submit_and_wait(officer_page, officer_page.locator("main form button[type=submit]"))
    visit(officer_page, f"/officer/cases/{reference}")
    expect(officer_page.locator("[data-signature-method=paper]")).to_have_text("Underskriven på papper")
    expect(officer_page.locator("main")).to_contain_text(
        "Underskriven på papper, inskannad underskriftssida bifogad av handläggaren på kontaktcenter Amina Berg."
    )
    expect(officer_page.get_by_role("link", name="underskrift.pdf")).to_be_visible()
    officer_page.context.close()

    # The resident finds the case on My pages, signed on paper, with the page they signed.
    resident_page = new_page(page, live_server)
    visit(resident_page, "/login/")
    submit_and_wait(resident_page, resident_page.locator("button[name=device][value=other]"))
    login_ref = resident_page.url.rsplit("/", 1)[-1]
    _arrive(resident_page, lambda: emulator_control.approve(login_ref, FATIMA))
    follow_link(resident_page, resident_page.locator(f"main a[href$='/cases/{reference}']"))
    expect(resident_page.locator("[data-signature-method=paper]")).to_have_text("Underskriven på papper")
    expect(resident_page.locator("[data-signature-page]")).to_have_text("underskrift.pdf")
    resident_page.context.close()


def new_page(page: Page, live_server: LiveServer) -> Page:
    """A second browser (its own cookies) in the same language, guarded like the test's page."""
    browser = page.context.browser
    assert browser is not None
    other = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    guard(other, live_server.app)
    return other


def test_a_callback_request_travels_from_a_service_page_to_a_queue_and_is_completed(
    page: Page, live_server: LiveServer
) -> None:
    with live_server.data():
        queue = make_queue(make_department(), name="Callbacks, building", sla_hours=8)
        make_service(slug="building-permit", title={"sv": "Bygglov", "en": "Building permit"}, queue=queue)
        make_agent_in(queue)

    visit(page, "/services/building-permit")
    follow_link(page, page.locator("main a[href*='/callback/?service=building-permit']"))
    page.locator("#phone").fill("12")
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect(page.locator(".error-summary a[href='#phone']")).to_be_visible()
    page.locator("#name").fill("Karin Lind")
    page.locator("#phone").fill("070-765 43 21")
    page.locator("#preferred_time-1").check()
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    assert "/callback/thanks" in page.url

    page.context.clear_cookies()
    log_in_agent(page)
    visit(page, "/agent/")
    follow_link(page, page.get_by_role("link", name="Callbacks, building"))
    follow_link(page, page.get_by_role("link", name="Karin Lind"))
    submit_and_wait(page, page.locator("form[action$='/claim'] button"))
    expect(page.locator("[data-callback-status]")).to_contain_text("Amina Berg")
    page.locator("#outcome-0").check()
    page.locator("#note").fill("Explained what the permit needs")
    submit_and_wait(page, page.locator("form[action$='/complete'] button"))
    follow_link(page, page.locator("a[href$='show=done']"))
    expect(page.locator("main table")).to_contain_text("Karin Lind")


def test_an_agent_guides_an_anonymous_caller_to_the_e_service_and_reads_the_statistics(
    page: Page, live_server: LiveServer
) -> None:
    with live_server.data():
        # An agent's statistics cover their own department's services.
        queue = make_queue(make_department(), name="Pets")
        make_agent_in(queue)
        make_eservice(
            slug="pet-register", title={"sv": "Husdjursregister", "en": "Pet register"}, queue=queue
        )

    log_in_agent(page)
    visit(page, "/agent/")
    follow_link(page, page.locator("main a[href$='/agent/contacts/new']"))
    page.locator("#service").select_option("pet-register")
    submit_and_wait(page, page.locator("main form[method=get] button"))
    page.locator("#guide-sms").fill("070-123 45 67")
    submit_and_wait(page, page.locator("button[data-guide=sms]"))
    expect(page.locator(".notification--success")).to_be_visible()

    visit(page, "/statistics/channels/")
    expect(page.locator("main svg.cc-chart").first).to_be_visible()
    expect(page.locator("section[aria-labelledby=contacts-heading] table")).to_contain_text(
        "Husdjursregister"
    )
