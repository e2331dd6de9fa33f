"""One live Kanal per test module for the page inventory: the demo municipality plus cases, documents, drafts and
callbacks, so that every page has something (or, on purpose, nothing) to show; and logging in over HTTP.

Building this world takes a few seconds (the demo seeders hash the demo staff's passwords), so the inventory
modules share one per module through `inventory_server`, and override the harness's `live_server` with it. The
pages visited only read, so tests do not disturb each other; flows that write make their own data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from core import clock
from core.db import db
from core.demo import registered_seeders
from core.models import Queue, Resident, StaffUser
from eservices import casework
from eservices.catalogue_models import LifeEvent
from eservices.decision_document import decision_content, request_decision
from eservices.demo import DEMO_PASSWORD
from eservices.models import Category, Service
from eservices.service import create_case
from signing.document_models import Document
from signing.documents import service as documents
from signing.documents.content import DocumentContent, DocumentKind, FieldLabel, Section
from signing.emulator.process import EmulatorControl
from tests.builders import make_api_token, make_webhook
from tests.conftest import test_environ
from tests.database import PostgresDatabase, SqliteTemplate
from tests.e2e.live_server import LiveServer
from tests.eservices.filing_helpers import make_eservice, small_form
from tests.eservices.signing_helpers import signed_form

__all__ = [
    "AGENT",
    "CASE_OFFICER",
    "FORM_ADMIN",
    "SYSTEM_ADMIN",
    "World",
    "inventory_server",
    "log_in_once",
    "log_in_resident_over_http",
    "log_in_staff_over_http",
]

# The demo staff (eservices/demo.py) and the BankID emulator's identities, which the demo residents match.
AGENT = "agent@exempelstad.se"
CASE_OFFICER = "handlaggare@exempelstad.se"
FORM_ADMIN = "formadmin@exempelstad.se"
SYSTEM_ADMIN = "admin@exempelstad.se"
FATIMA = "198512308480"  # has cases, documents, a completion request and a checklist
JOHAN = "197805093932"  # co-signs
LARS = "196711252533"  # has nothing on My pages: the empty states

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class World:
    """Ids and addresses of what the module's pages show."""

    paths: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def _seed_demo() -> None:
    for _name, seed in registered_seeders():
        seed()
        db.flush()


def _receipt_content(case_reference: str, service_title: str, language: str) -> DocumentContent:
    return DocumentContent(
        kind=DocumentKind.RECEIPT,
        language=language,
        municipality="Exempelstad kommun",
        service_title=service_title,
        case_reference=case_reference,
        form_version="1",
        submitted_at=clock.now(),
        applicant_name="Fatima Ahmadi",
        answers={
            "street": "Storgatan 1" if language != "ar" else "شارع الملك 5",
            "children": [{"child_name": "Layla Ahmadi"}, {"child_name": "Adam Ahmadi"}],
        },
        sections=(
            Section(
                title="Adress" if language != "ar" else "العنوان",
                fields=(
                    FieldLabel(key="street", label="Gatuadress" if language != "ar" else "عنوان الشارع"),
                    FieldLabel(
                        key="children",
                        label="Barn" if language != "ar" else "الأطفال",
                        item_label="Barn" if language != "ar" else "طفل",
                        children=(
                            FieldLabel(key="child_name", label="Namn" if language != "ar" else "الاسم"),
                        ),
                    ),
                ),
            ),
        ),
    )


def build_world() -> World:
    """The demo municipality and, on top of it, what the inventory's pages need; call inside `data()`."""
    _seed_demo()
    world = World()
    fatima = db.scalar(select(Resident).where(Resident.personnummer == FATIMA))
    officer = db.scalar(select(StaffUser).where(StaffUser.email == CASE_OFFICER))
    agent = db.scalar(select(StaffUser).where(StaffUser.email == AGENT))
    assert fatima is not None and officer is not None and agent is not None
    preschool = db.scalar(select(Service).where(Service.slug == "preschool-placement"))
    assert preschool is not None

    # A case with everything a case page can show: an open completion request, a message, documents.
    case = create_case(preschool, fatima.id, {"street": "Storgatan 1"})
    casework.request_completion(
        case,
        officer,
        description="Skicka ett intyg från arbetsgivaren.",
        field_keys=[],
        wants_attachments=True,
        due_date=clock.now().date() + dt.timedelta(days=14),
    )
    casework.send_message_to_resident(case, officer, "Tack för din ansökan.", [])
    receipt = documents.request_document(case, _receipt_content(case.reference, "Förskoleplats", "sv"))
    decision = request_decision(
        case,
        decision_content(
            case,
            outcome="approved",
            reasoning="Ansökan uppfyller villkoren.\n\nPlatsen gäller från augusti.",
            decided_by=officer.full_name,
            decided_at=clock.now(),
            resident=fatima,
        ),
    )
    arabic_case = create_case(preschool, fatima.id, {"street": "شارع الملك 5"})
    arabic_receipt = documents.request_document(
        arabic_case, _receipt_content(arabic_case.reference, "مكان في الروضة", "ar")
    )
    for document in (receipt, decision, arabic_receipt):
        document.sealed = True  # the pages only link to the download; sealing itself has its own tests
    db.flush()
    completion = casework.open_completion(case)
    assert completion is not None
    template = casework.save_decision_template(
        officer, title="Plats beviljas", body="Platsen beviljas.", service=preschool, outcome="approved"
    )

    life_event = db.scalar(select(LifeEvent).where(LifeEvent.slug == "expecting-a-baby"))
    assert life_event is not None
    from eservices.life_events import save_checklist

    checklist = save_checklist(fatima, life_event, {})

    # E-services for the flows: one per page, one question per page, and one that must be signed.
    make_eservice(small_form(anonymous_allowed=True), slug="inventory-small", queue=preschool.queue)
    make_eservice(
        small_form(one_question_per_page=True) | {"key": "inventory-one-by-one"},
        slug="inventory-one-by-one",
        queue=preschool.queue,
    )
    make_eservice(
        small_form() | {"key": "inventory-keyboard"},
        slug="inventory-keyboard",
        queue=preschool.queue,
        title={
            "sv": "Husdjursregister",
            "en": "Pet register",
            "da": "Kæledyrsregister",
            "ar": "سجل الحيوانات",
        },
    )
    make_eservice(
        signed_form(cosigners=True, key="inventory-signed"), slug="inventory-signed", queue=preschool.queue
    )
    # A form that must be signed but names no co-signers: the agent's paper-signature form shows with it.
    make_eservice(signed_form(key="inventory-paper"), slug="inventory-paper", queue=preschool.queue)

    # The admin pages' lists: an API token and a webhook.
    contact_queue = db.scalar(select(Queue).where(Queue.code == "contact-callbacks"))
    department = preschool.queue.department
    make_api_token([department], name="Ärendesystem")
    make_webhook("https://cases.exempelstad.se/hooks", department)
    category = db.scalar(select(Category).order_by(Category.position))
    assert category is not None

    from contact_center import service as contact_centre

    callback = contact_centre.request_callback(
        phone="+46701234567", language="sv", service=preschool, resident=fatima, caller_name="Fatima Ahmadi"
    )

    from eservices.catalogue_models import OfferRule

    offer_rule = db.scalar(select(OfferRule).order_by(OfferRule.id))
    db.flush()

    world.ids.update(
        fatima=fatima.id,
        case=case.id,
        completion=completion.id,
        receipt=receipt.id,
        decision=decision.id,
        arabic_receipt=arabic_receipt.id,
        template=template.id,
        checklist=checklist.id,
        education_queue=preschool.queue_id,
        contact_queue=contact_queue.id if contact_queue else 0,
        callback=callback.id,
        category_id=category.id,
        service_id=preschool.id,
        life_event_id=life_event.id,
        offer_rule_id=offer_rule.id if offer_rule else 0,
    )
    world.paths.update(
        case_reference=case.reference,
        arabic_case_reference=arabic_case.reference,
        category=category.slug,
    )
    return world


def _csrf_token(page: Page, path: str) -> str:
    response = page.request.get(path)
    assert response.ok, f"GET {path} answered {response.status}"
    match = CSRF_INPUT.search(response.text())
    assert match is not None, f"{path} has no CSRF token"
    return match.group(1)


def log_in_staff_over_http(page: Page, email: str) -> None:
    """Log in through the staff login page's form, over HTTP in the page's browser context (cookies shared)."""
    token = _csrf_token(page, "/staff/login")
    response = page.request.post(
        "/staff/login", form={"csrf_token": token, "email": email, "password": DEMO_PASSWORD}, max_redirects=0
    )
    assert response.status == 302 and "/login" not in response.headers["location"], response.text()[:500]


def log_in_resident_over_http(page: Page, emulator_control: EmulatorControl, personnummer: str) -> None:
    """A BankID login on another device, as the login page's form and the test phone would do it, over HTTP."""
    token = _csrf_token(page, "/login/")
    started = page.request.post(
        "/login/", form={"csrf_token": token, "device": "other", "next": "/my-pages/"}, max_redirects=0
    )
    assert started.status == 302, started.text()[:500]
    order_ref = started.headers["location"].rstrip("/").rsplit("/", 1)[-1]
    emulator_control.approve(order_ref, personnummer)
    collected = page.request.post(
        f"/login/order/{order_ref}/collect", form={"csrf_token": token}, max_redirects=0
    )
    assert collected.status == 302 and collected.headers["location"].endswith("/my-pages/"), collected.text()[
        :500
    ]


# Sessions from earlier logins, by server, account and language: the login endpoints are rate limited (as they
# should be), and a module visits a hundred pages as a handful of people.
_sessions: dict[tuple[str, str, str], list[Any]] = {}


def log_in_once(
    page: Page, server: LiveServer, account: str, language: str, log_in: Callable[[], None]
) -> None:
    """Log the page's browser in as `account` with `log_in`, or reuse the session cookies of an earlier login."""
    key = (server.url, account, language)
    if key in _sessions:
        page.context.add_cookies(_sessions[key])
        return
    log_in()
    _sessions[key] = [
        {"name": cookie["name"], "value": cookie["value"], "url": server.url}
        for cookie in page.context.cookies()
    ]


@pytest.fixture(scope="module")
def inventory_server(
    database_template: SqliteTemplate | PostgresDatabase,
    tmp_path_factory: pytest.TempPathFactory,
    bankid_emulator: str,
    casework_seal_settings: object,
) -> Iterator[tuple[LiveServer, World]]:
    directory: Path = tmp_path_factory.mktemp("inventory")
    if isinstance(database_template, PostgresDatabase):
        url = database_template.fresh()
    else:
        url = database_template.fresh(directory)
    with pytest.MonkeyPatch.context() as patch:
        # The live app runs in this process, so documents are sealed with the session's development PKI.
        patch.setattr(documents, "seal_settings", lambda: casework_seal_settings)
        server = LiveServer(test_environ(url, directory, KANAL_BANKID_URL=bankid_emulator))
        with server.data():
            world = build_world()
        server.start()
        yield server, world
        server.stop()


def document_of(server: LiveServer, document_id: int) -> Document:
    with server.app.app_context():
        found = db.get(Document, document_id)
        assert found is not None
        return found
