"""A case from completion request to sealed decision, in the browser: the officer asks for a completion, the
resident completes it on My pages, the officer decides from a template, and the resident reads the decision and
downloads the sealed PDF. Every page on the way is checked by the harness (axe-core, reflow, console).

Residents are logged in through a test-only route added to the live app here (the BankID login itself has its
own browser test); staff log in with their password on the real login page.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Blueprint, redirect
from flask_wtf.csrf import CSRFProtect
from playwright.sync_api import Page, expect
from werkzeug.wrappers import Response

from core import clock, outbox
from core.auth import log_in_resident
from core.db import db
from core.models import Resident
from eservices import casework
from signing.documents import service as documents
from signing.documents.service import Verdict, VerdictKind
from signing.pki import SealSettings
from tests.builders import DEFAULT_PASSWORD, make_case, make_resident
from tests.conftest import test_environ
from tests.e2e.browser import follow_link, submit_and_wait, visit
from tests.e2e.live_server import LiveServer
from tests.eservices.casework_fixtures import PDF_BYTES, casework_seal_settings, make_department_with_officer  # noqa: F401

IN_SWEDISH_AND_ARABIC = pytest.mark.parametrize("language", ["sv", "ar"])

test_login = Blueprint("test_login", __name__)


@test_login.post("/test-login/resident/<int:resident_id>")
def log_in_as_resident(resident_id: int) -> Response:
    resident = db.get(Resident, resident_id)
    assert resident is not None
    log_in_resident(resident)
    return redirect("/my-pages/")


@pytest.fixture
def live_server(
    database_url: str,
    tmp_path: Path,
    casework_seal_settings: SealSettings,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveServer]:
    # The live app runs in this process, so it seals with the session's development PKI.
    monkeypatch.setattr(documents, "seal_settings", lambda: casework_seal_settings)
    server = LiveServer(test_environ(database_url, tmp_path))
    server.app.register_blueprint(test_login)
    csrf: CSRFProtect = server.app.extensions["csrf"]
    csrf.exempt(test_login)
    yield server.start()
    server.stop()


def run_worker_until_idle(server: LiveServer) -> None:
    with server.app.app_context():
        for _attempt in range(20):  # notifications may be queued beside the seal
            if not outbox.process_next("e2e-worker"):
                return


def verify_in(server: LiveServer, pdf: bytes) -> Verdict:
    with server.app.app_context():
        return documents.verify_pdf(pdf)


def log_in_staff(page: Page, email: str) -> None:
    visit(page, "/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    submit_and_wait(page, page.locator("main form button[type=submit]"))


def log_in_as(page: Page, resident_id: int) -> None:
    response = page.request.post(f"/test-login/resident/{resident_id}", max_redirects=0)
    assert response.status == 302


def log_out(page: Page) -> None:
    submit_and_wait(page, page.locator("header form[action$='/logout'] button"))


@IN_SWEDISH_AND_ARABIC
def test_officer_asks_for_a_completion_resident_completes_officer_decides_resident_downloads_the_decision(
    page: Page, live_server: LiveServer, language: str
) -> None:
    with live_server.data():
        unit = make_department_with_officer("Bygg")
        resident = make_resident(given_name="Åsa", family_name="Öberg", preferred_language=language)
        case = make_case(unit.service, resident, answers={"street": "Storgatn 1"})
        casework.save_decision_template(
            unit.officer,
            title="Bygglov beviljas",
            body="Bygglov beviljas för garaget.",
            service=unit.service,
            outcome="approved",
        )
        officer_email, reference, resident_id, personnummer = (
            unit.officer.email,
            case.reference,
            resident.id,
            resident.personnummer,
        )
    case_path = f"/officer/cases/{reference}"

    # The officer finds the case in the queue and by personnummer, takes it and asks for a completion.
    log_in_staff(page, officer_email)
    visit(page, "/officer/")
    follow_link(page, page.locator("main a[href*='/officer/queues/']").first)
    expect(page.locator("main")).to_contain_text(reference)
    visit(page, "/officer/search")
    page.locator("#q").fill(personnummer)
    submit_and_wait(page, page.locator("main form[role=search] button"))
    follow_link(page, page.locator(f"main a[href='{case_path}']"))
    submit_and_wait(page, page.locator("form:has(input[name=assign_to_me]) button"))
    follow_link(page, page.locator(f"main a[href='{case_path}/completion']"))
    page.locator("#description").fill("Gatuadressen är felstavad. Skicka också ritningen.")
    page.locator("input[name=fields][value=street]").check()
    page.locator("#wants_attachments").check()
    page.locator("#due_date").fill((clock.now().date() + dt.timedelta(days=14)).isoformat())
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect(page.locator("main")).to_contain_text("Gatuadressen är felstavad.")
    visit(page, "/officer/decision-templates")
    follow_link(page, page.locator("main a[href$='/decision-templates/new']"))
    follow_link(page, page.locator("nav.breadcrumbs a[href$='/decision-templates']"))
    follow_link(page, page.locator("main table a[href*='/decision-templates/']").first)
    log_out(page)

    # The resident corrects the address and sends the drawing.
    log_in_as(page, resident_id)
    visit(page, f"/my-pages/cases/{reference}")
    expect(page.locator("main")).to_contain_text("Gatuadressen är felstavad.")
    follow_link(page, page.locator("main a[href*='/completions/']"))
    page.locator("#answer-street").fill("Storgatan 1")
    page.locator("#files").set_input_files(
        files=[{"name": "ritning.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    submit_and_wait(page, page.locator("main form button[type=submit]"))
    expect(page.locator("main")).to_contain_text("Storgatan 1")
    expect(page.locator("main")).to_contain_text("ritning.pdf")
    log_out(page)

    # The officer sees the new answer and decides, starting from the template.
    log_in_staff(page, officer_email)
    visit(page, case_path)
    expect(page.locator("main")).to_contain_text("Storgatan 1")
    follow_link(page, page.locator(f"main a[href='{case_path}/decision']"))
    submit_and_wait(page, page.locator("main form[method=get] button"))
    expect(page.locator("#reasoning")).to_have_value("Bygglov beviljas för garaget.")
    page.locator("#reasoning").fill("Bygglov beviljas för garaget på Storgatan 1.")
    page.locator("input[name=outcome][value=approved]").check()
    submit_and_wait(page, page.locator("main form[method=post] button[type=submit]"))
    log_out(page)

    # The worker seals the decision. It runs in a thread of its own, as a worker would: pyHanko starts an event
    # loop, which cannot nest inside the one Playwright keeps in this thread.
    worker = threading.Thread(target=run_worker_until_idle, args=(live_server,))
    worker.start()
    worker.join(timeout=120)

    # The resident reads the decision and downloads the sealed PDF.
    log_in_as(page, resident_id)
    visit(page, f"/my-pages/cases/{reference}")
    expect(page.locator("main")).to_contain_text("Bygglov beviljas för garaget på Storgatan 1.")
    with page.expect_download() as download_info:
        page.locator("main a[data-document-kind=decision]").click()
    pdf = Path(download_info.value.path()).read_bytes()
    verdicts: list[Verdict] = []
    checker = threading.Thread(
        target=lambda: verdicts.append(verify_in(live_server, pdf))
    )  # pyHanko's loop again
    checker.start()
    checker.join(timeout=60)
    [verdict] = verdicts
    assert verdict.kind is VerdictKind.ISSUED
    assert verdict.case_reference == reference and verdict.document_kind == "decision"
