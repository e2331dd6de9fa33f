"""Notifications: each case event reaches the resident once, by e-mail and SMS, in their language and without
personal data, even when the mail server is down for a while or a worker dies in the middle of a batch."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from core import clock, outbox
from core.config import PROJECT_ROOT
from core.db import db
from core.models import OutboxMessage, OutboxStatus, Resident
from eservices import events
from eservices.channels.contrib.email.plugin import message_id_for
from eservices.models import Case
from eservices.service import add_case_event
from eservices.signing_models import CosignRequest
from tests.builders import make_case, make_resident, make_service
from tests.conftest import test_environ
from tests.eservices.mail import SmtpServer

SENDER = "noreply@exempelstad.se"
CATALOGS = PROJECT_ROOT / "translations"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def environ(database_url: str, tmp_path: Path, smtp_server: SmtpServer) -> dict[str, str]:
    return test_environ(
        database_url,
        tmp_path,
        KANAL_SMTP_HOST="127.0.0.1",
        KANAL_SMTP_PORT=str(smtp_server.port),
        KANAL_MAIL_FROM=SENDER,
        KANAL_OUTBOX_BACKOFF_SECONDS="30",
        KANAL_BASE_URL="https://e.exempelstad.se",
    )


@pytest.fixture(autouse=True)
def compiled_catalogs(app: Flask, tmp_path: Path) -> None:
    """The app reads the catalogs as they are in the checkout, compiled now (not stale .mo files)."""
    directory = tmp_path / "translations"
    for po in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        target = directory / po.relative_to(CATALOGS).with_suffix(".mo")
        target.parent.mkdir(parents=True)
        with po.open("rb") as source, target.open("wb") as compiled:
            write_mo(compiled, read_po(source), use_fuzzy=False)
    app.extensions["babel"].translation_directories = [str(directory)]


def run_worker_until_idle() -> int:
    return outbox.run_worker("test-worker", once=True).performed


def fresh_view() -> None:
    db.rollback()
    db.expire_all()


def jobs_of(kind_prefix: str) -> list[OutboxMessage]:
    fresh_view()
    return [
        job
        for job in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if job.kind.startswith(kind_prefix)
    ]


def message_ids(messages: list[EmailMessage]) -> list[str]:
    return [str(message["Message-ID"]) for message in messages]


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def change_status(case: Case, status: str) -> None:
    old = case.status
    case.status = status
    event = add_case_event(case, "status_changed", data={"from": old, "to": status})
    events.case_status_changed.send(case, old_status=old, new_status=status, event=event)


def test_every_kind_of_notification_arrives_once_in_the_residents_language_without_personal_data(
    app: Flask, smtp_server: SmtpServer
) -> None:
    swedish = make_resident(given_name="Astrid", family_name="Lindgren", preferred_language="sv")
    english = make_resident(given_name="Alan", family_name="Turing", preferred_language="en")
    cosigner = make_resident(given_name="Selma", family_name="Lagerlöf", preferred_language="sv")
    service = make_service()
    answers = {"reason": "Mitt hemliga skäl", "income": "123456"}
    swedish_case = make_case(service, swedish, answers)
    english_case = make_case(service, english, answers)
    for case in (swedish_case, english_case):
        change_status(case, "in_progress")
        events.message_to_resident.send(case, event=add_case_event(case, "message_to_resident"))
        events.completion_requested.send(
            case, due=dt.date(2026, 3, 14), event=add_case_event(case, "completion_requested")
        )
        events.decision_made.send(case, outcome="approved", event=add_case_event(case, "decided"))
    events.cosign_requested.send(
        english_case, recipient=cosigner, event=add_case_event(english_case, "cosign")
    )
    db.commit()

    run_worker_until_idle()

    received = smtp_server.mailbox.received()
    assert len(received) == 11
    assert len(set(message_ids(received))) == 11, "each notification arrives once"
    by_recipient = Counter(str(message["To"]) for message in received)
    assert by_recipient == {swedish.email: 5, english.email: 5, cosigner.email: 1}

    english_subjects = sorted(str(m["Subject"]) for m in received if m["To"] == english.email)
    reference = english_case.reference
    assert english_subjects == sorted(
        [
            f"We have received your case {reference}",
            f"Your case {reference} has a new status",
            f"You have a new message about case {reference}",
            f"We need more information for case {reference}",
            f"A decision has been made in case {reference}",
        ]
    )
    swedish_subjects = {str(m["Subject"]) for m in received if m["To"] == swedish.email}
    assert f"Vi har tagit emot ditt ärende {swedish_case.reference}" in swedish_subjects
    assert f"Du har ett nytt meddelande om ärende {swedish_case.reference}" in swedish_subjects
    cosign_mail = next(m for m in received if m["To"] == cosigner.email)
    assert str(cosign_mail["Content-Language"]) == "sv"
    assert english_case.reference in str(cosign_mail["Subject"])

    for message in received:
        recipient = next(r for r in (swedish, english, cosigner) if r.email == message["To"])
        text = body_of(message) + str(message["Subject"])
        assert str(message["Content-Language"]) == recipient.preferred_language
        assert str(message["From"]) == SENDER
        assert recipient.given_name in body_of(message), "the greeting uses the first name"
        for personal in (recipient.family_name, recipient.personnummer, "Mitt hemliga skäl", "123456"):
            assert personal not in text
        assert "https://e.exempelstad.se/my-pages" in body_of(message)


def test_a_request_to_co_sign_arrives_with_the_direct_link_to_the_co_sign_page(
    app: Flask, smtp_server: SmtpServer
) -> None:
    applicant = make_resident(preferred_language="sv")
    cosigner = make_resident(given_name="Selma", preferred_language="en")
    case = make_case(make_service(), applicant)
    request = CosignRequest(
        case_id=case.id,
        personal_number=cosigner.personnummer,
        token="a-long-random-token-for-the-test",
        expires_at=clock.now() + dt.timedelta(days=14),
    )
    db.add(request)
    db.flush()
    events.cosign_requested.send(case, recipient=cosigner, request=request)
    db.commit()
    [job] = [job for job in jobs_of("notify.email") if job.payload["kind"] == "cosign_requested"]
    assert job.payload["details"] == {"request_id": request.id}, "the outbox holds ids, not the token"

    run_worker_until_idle()

    [mail] = [message for message in smtp_server.mailbox.received() if message["To"] == cosigner.email]
    body = body_of(mail).replace("\r\n", "\n")
    assert str(mail["Subject"]) == f"You have been asked to sign case {case.reference}"
    assert (
        "Read and sign the application:\nhttps://e.exempelstad.se/cosign/a-long-random-token-for-the-test\n"
        in (body)
    )
    assert "/my-pages" not in body and cosigner.personnummer not in body


def test_the_same_occurrence_signalled_twice_is_notified_once(app: Flask, smtp_server: SmtpServer) -> None:
    case = make_case(resident=make_resident(preferred_language="en"))
    event = add_case_event(case, "message_to_resident")
    events.message_to_resident.send(case, event=event)
    events.message_to_resident.send(case, event=event)
    db.commit()

    run_worker_until_idle()

    subjects = [str(message["Subject"]) for message in smtp_server.mailbox.received()]
    assert subjects.count(f"You have a new message about case {case.reference}") == 1


def test_a_submission_that_rolls_back_notifies_nobody(app: Flask, smtp_server: SmtpServer) -> None:
    resident = make_resident()
    service = make_service()
    db.commit()
    make_case(service, resident)
    db.rollback()

    assert run_worker_until_idle() == 0
    assert smtp_server.mailbox.received() == []


def test_notifications_sent_while_the_mail_server_is_down_arrive_once_when_it_is_back(
    app: Flask, client: Any, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    service = make_service()
    cases = [make_case(service, make_resident(preferred_language="en")) for _ in range(3)]
    db.commit()

    run_worker_until_idle()
    run_worker_until_idle()  # nothing more is due until the backoff has passed

    email_jobs = jobs_of("notify.email")
    assert len(email_jobs) == 3
    assert all(job.status == OutboxStatus.PENDING and job.attempts == 1 for job in email_jobs)
    assert all("Connection refused" in (job.last_error or "") for job in email_jobs)
    assert all(job.status == OutboxStatus.DONE for job in jobs_of("notify.sms")), (
        "SMS did not wait for e-mail"
    )
    assert {job.id for job in outbox.failing_jobs()} >= {job.id for job in email_jobs}

    smtp_server.start()
    clock.advance(dt.timedelta(minutes=5))
    run_worker_until_idle()

    received = smtp_server.mailbox.received()
    residents = [db.get(Resident, case.resident_id) for case in cases]
    assert sorted(str(message["To"]) for message in received) == sorted(str(r.email) for r in residents if r)
    assert sorted(message_ids(received)) == sorted(
        message_id_for(job.idempotency_key, SENDER) for job in email_jobs
    )
    assert all(job.status == OutboxStatus.DONE for job in jobs_of("notify."))


@pytest.mark.parametrize("cases_count", [6])
def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    app: Flask, smtp_server: SmtpServer, environ: dict[str, str], cases_count: int
) -> None:
    service = make_service()
    for _ in range(cases_count):
        make_case(service, make_resident(preferred_language="en"))
    db.commit()
    expected = {message_id_for(job.idempotency_key, SENDER) for job in jobs_of("notify.email")}
    assert len(expected) == cases_count

    # The third e-mail is received, but the worker is killed before the server has said so: its job is not
    # recorded as done, so another worker sends it again, with the same Message-ID.
    smtp_server.mailbox.hold_at = 3
    doomed = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--poll-interval", "0.05"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: smtp_server.mailbox.holding.is_set() or doomed.poll() is not None,
            "the worker's third e-mail",
        )
        assert doomed.poll() is None, "the worker exited before it was killed"
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
    smtp_server.mailbox.release.set()
    fresh_view()
    assert any(job.status == OutboxStatus.PENDING for job in jobs_of("notify.email")), "jobs remained"

    # On SQLite the dead worker's lease has to run out; PostgreSQL hands its job on as soon as it notices.
    clock.advance(outbox.DEFAULT_LEASE + dt.timedelta(seconds=1))
    wait_for(
        lambda: (
            run_worker_until_idle() >= 0
            and all(job.status == OutboxStatus.DONE for job in jobs_of("notify."))
        ),
        "every notification job to be done",
    )

    received = message_ids(smtp_server.mailbox.received())
    assert set(received) == expected, "nothing lost"
    resent = [message_id for message_id, count in Counter(received).items() if count > 1]
    assert len(received) <= cases_count + 1 and len(resent) <= 1, "only the interrupted e-mail was sent again"


def test_the_log_only_sms_provider_logs_the_text_but_not_the_whole_number(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    case = make_case(resident=make_resident(preferred_language="en", phone="+46701234567", email=None))
    db.commit()

    with caplog.at_level(logging.INFO, logger="eservices.channels.contrib.sms.providers"):
        run_worker_until_idle()

    sms_lines = [record.getMessage() for record in caplog.records if "SMS (log only)" in record.getMessage()]
    assert len(sms_lines) == 1
    assert f"we have received your case {case.reference}" in sms_lines[0]
    assert "+46701234567" not in sms_lines[0]
    assert sms_lines[0].endswith("Follow it on My pages.") and "*67" in sms_lines[0]
    assert jobs_of("notify.email") == [], "no e-mail address, no e-mail job"


def test_deciding_a_case_sends_the_decision_notification_not_also_a_status_change(
    app: Flask, smtp_server: SmtpServer
) -> None:
    case = make_case(resident=make_resident(preferred_language="en"))
    db.commit()
    run_worker_until_idle()
    change_status(case, "decided")
    events.decision_made.send(case, outcome="rejected", event=add_case_event(case, "decided"))
    db.commit()

    run_worker_until_idle()

    subjects = [str(message["Subject"]) for message in smtp_server.mailbox.received()]
    assert subjects == [
        f"We have received your case {case.reference}",
        f"A decision has been made in case {case.reference}",
    ]
