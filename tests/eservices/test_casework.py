"""Case handling rules: workflow, lead-time stamps, assignment, notes, messages, completions, decisions, search."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from core import clock, outbox
from core.db import db
from core.models import OutboxMessage, Role
from eservices import casework, events
from eservices.casework import CaseRuleError, Upload
from eservices.models import CaseEvent, CaseStatus
from signing.documents import service as documents
from signing.documents.service import VerdictKind
from tests.builders import make_case, make_resident, make_staff
from tests.eservices.casework_fixtures import (  # noqa: F401 - fixtures
    PDF_BYTES,
    audit_entries,
    casework_seal_settings,
    make_department_with_officer,
    make_form_case,
    sealing,
)

pytestmark = pytest.mark.usefixtures("app")


def received(signal: Any) -> list[dict[str, Any]]:
    """Collect what a case signal sends during the test."""
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append({"sender": sender, **kwargs})

    signal.connect(receiver, weak=False)
    received.receivers.append((signal, receiver))  # type: ignore[attr-defined]
    return calls


received.receivers = []  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _disconnect_receivers() -> Any:
    yield
    for signal, receiver in received.receivers:  # type: ignore[attr-defined]
        signal.disconnect(receiver)
    received.receivers.clear()  # type: ignore[attr-defined]


def events_of(case: Any, kind: str) -> list[CaseEvent]:
    return [event for event in casework.timeline(case, for_resident=False) if event.kind == kind]


def test_the_default_workflow_runs_from_submitted_to_closed_and_refuses_skipping_ahead() -> None:
    unit = make_department_with_officer()
    case = make_case(unit.service)
    assert casework.allowed_transitions(case) == ["in_progress", "awaiting_completion", "decided"]
    with pytest.raises(CaseRuleError):
        casework.change_status(case, unit.officer, CaseStatus.CLOSED.value)
    casework.change_status(case, unit.officer, CaseStatus.IN_PROGRESS.value)
    assert case.status == "in_progress"
    with pytest.raises(CaseRuleError):
        casework.change_status(case, unit.officer, CaseStatus.DECIDED.value)  # only with a decision


def test_a_service_can_require_its_own_workflow() -> None:
    unit = make_department_with_officer()
    casework.set_service_workflow(
        unit.service,
        {
            "submitted": ["in_progress"],
            "in_progress": ["decided"],
            "decided": ["closed"],
            "closed": ["in_progress"],
        },
    )
    case = make_case(unit.service)
    assert casework.allowed_transitions(case) == ["in_progress"]
    with pytest.raises(CaseRuleError):
        casework.request_completion(
            case,
            unit.officer,
            description="Intyg saknas",
            field_keys=[],
            wants_attachments=True,
            due_date=clock.now().date(),
        )


@pytest.mark.parametrize(
    "workflow",
    [{"submitted": ["teleported"]}, {"submitted": ["in_progress"], "in_progress": ["closed"]}],
    ids=["unknown status", "never decided"],
)
def test_a_workflow_with_unknown_statuses_or_without_a_decision_is_refused(
    workflow: dict[str, list[str]],
) -> None:
    unit = make_department_with_officer()
    with pytest.raises(ValueError):
        casework.set_service_workflow(unit.service, workflow)


def test_lead_time_is_stamped_at_submission_first_action_and_decision() -> None:
    unit = make_department_with_officer()
    case = make_case(unit.service)
    submitted = case.submitted_at
    assert submitted is not None and case.first_action_at is None and case.decided_at is None

    clock.advance(dt.timedelta(hours=3))
    casework.assign_case(case, unit.officer, unit.officer.id)
    first_action = case.first_action_at
    assert first_action is not None
    assert dt.timedelta(hours=3) <= first_action - submitted < dt.timedelta(hours=3, minutes=1)

    clock.advance(dt.timedelta(days=2))
    casework.add_note(case, unit.officer, "Ringt sökanden.")
    assert case.first_action_at == first_action  # only the first action counts
    casework.decide_case(case, unit.officer, outcome="approved", reasoning="Uppfyller kraven.")
    assert case.decided_at is not None
    assert dt.timedelta(days=2) <= case.decided_at - first_action < dt.timedelta(days=2, minutes=1)
    casework.change_status(case, unit.officer, CaseStatus.CLOSED.value)
    assert case.status == "closed" and case.closed_at is not None


def test_cases_are_assigned_and_reassigned_only_to_officers_of_the_department() -> None:
    unit = make_department_with_officer()
    colleague = make_staff(roles=[Role.CASE_OFFICER], department=unit.department, full_name="Kollega")
    stranger = make_department_with_officer("Bygg").officer
    case = make_case(unit.service)
    casework.assign_case(case, unit.officer, unit.officer.id)
    casework.assign_case(case, unit.officer, colleague.id)
    assert case.assignee_id == colleague.id
    with pytest.raises(CaseRuleError):
        casework.assign_case(case, unit.officer, stranger.id)
    assignments = events_of(case, "assigned")
    assert [event.data["to"] for event in assignments] == [unit.officer.id, colleague.id]
    assert not any(event.visible_to_resident for event in assignments)


def test_queue_tabs_show_unassigned_mine_and_all() -> None:
    unit = make_department_with_officer()
    mine, unassigned, closed = (make_case(unit.service) for _ in range(3))
    casework.assign_case(mine, unit.officer, unit.officer.id)
    casework.decide_case(closed, unit.officer, outcome="rejected", reasoning="Nej.")
    casework.change_status(closed, unit.officer, "closed")
    assert casework.queue_cases(unit.queue, unit.officer, "unassigned") == [unassigned]
    assert casework.queue_cases(unit.queue, unit.officer, "mine") == [mine]
    assert casework.queue_cases(unit.queue, unit.officer, "all") == [mine, unassigned, closed]


def test_officers_find_their_departments_cases_by_reference_personnummer_or_name_only() -> None:
    unit = make_department_with_officer()
    other = make_department_with_officer("Bygg")
    resident = make_resident(given_name="Åsa", family_name="Öberg")
    case = make_case(unit.service, resident)
    foreign = make_case(other.service, resident)
    pnr = resident.personnummer
    for query in (case.reference, pnr, f"{pnr[2:8]}-{pnr[8:]}", "Åsa Öb", "BERG", "Öberg"):
        assert casework.search_cases(unit.officer, query) == [case], query
    assert casework.search_cases(other.officer, pnr) == [foreign]
    assert casework.search_cases(unit.officer, foreign.reference) == []
    assert casework.search_cases(unit.officer, "nobody like this") == []
    db.commit()
    searches = audit_entries("search")
    assert searches and all(entry.reason == "case handling" for entry in searches)


def test_internal_notes_stay_off_the_residents_timeline() -> None:
    unit = make_department_with_officer()
    case = make_case(unit.service)
    casework.add_note(case, unit.officer, "Sökanden verkar osäker på adressen.")
    assert [note.body for note in casework.internal_notes(case)] == ["Sökanden verkar osäker på adressen."]
    assert "note_added" in [event.kind for event in casework.timeline(case, for_resident=False)]
    assert "note_added" not in [event.kind for event in casework.timeline(case, for_resident=True)]


def test_messages_carry_checked_attachments_and_tell_listeners() -> None:
    unit = make_department_with_officer()
    case = make_case(unit.service)
    told = received(events.message_to_resident)
    message = casework.send_message_to_resident(
        case, unit.officer, "Se bifogat beslut om parkering.", [Upload("karta.pdf", PDF_BYTES)]
    )
    [sent] = told
    assert (
        sent["sender"] is case and sent["message"] is message and sent["event"].kind == "message_to_resident"
    )
    [attachment] = message.attachments
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF_BYTES)
    assert casework.attachment_bytes(attachment) == PDF_BYTES
    with pytest.raises(CaseRuleError):
        casework.send_message_to_resident(case, unit.officer, "Här", [Upload("virus.pdf", b"MZ\x90\x00")])
    with pytest.raises(CaseRuleError):
        casework.send_message_from_resident(case, case.resident, "   ")


def test_a_completion_lets_the_resident_change_the_listed_answers_and_keeps_the_old_values() -> None:
    unit = make_department_with_officer()
    case = make_case(unit.service, answers={"street": "Storgatn 1", "city": "Växjö"})
    asked = received(events.completion_requested)
    moved = received(events.case_status_changed)
    completion = casework.request_completion(
        case,
        unit.officer,
        description="Gatuadressen är felstavad.",
        field_keys=["street"],
        wants_attachments=True,
        due_date=clock.now().date() + dt.timedelta(days=14),
    )
    assert case.status == "awaiting_completion"
    [sent] = asked
    assert sent["sender"] is case and sent["completion"] is completion and sent["due"] == completion.due_date
    assert sent["event"].kind == "completion_requested"
    assert moved[-1]["new_status"] == "awaiting_completion"

    errors = casework.submit_completion(
        case,
        completion,
        case.resident,
        {"street": "Storgatan 1", "city": "Malmö"},
        [Upload("intyg.pdf", PDF_BYTES)],
        "sv",
    )
    assert errors == {}
    assert case.answers == {"street": "Storgatan 1", "city": "Växjö"}  # only the listed answer changed
    [change] = events_of(case, "answer_changed")
    assert change.data == {
        "completion_id": completion.id,
        "field": "street",
        "old": "Storgatn 1",
        "new": "Storgatan 1",
    }
    assert change.visible_to_resident
    assert [event.data["filename"] for event in events_of(case, "attachment_added")] == ["intyg.pdf"]
    assert case.status == "in_progress" and completion.status == "completed"
    assert casework.submit_completion(case, completion, case.resident, {"street": "X"}, [], "sv") != {}


def test_completion_answers_are_checked_by_the_form_engine_when_the_case_has_a_form() -> None:
    unit = make_department_with_officer()
    resident = make_resident()
    case = make_form_case(
        unit.service,
        resident,
        {"wants_feedback": True, "reporter_email": "fel", "reporter_phone": "070-123 45 67"},
    )
    assert ("reporter_email", "E-postadress") in casework.editable_field_choices(case, "sv")
    completion = casework.request_completion(
        case,
        unit.officer,
        description="E-postadressen fungerar inte.",
        field_keys=["reporter_email"],
        wants_attachments=False,
        due_date=clock.now().date(),
    )
    errors = casework.submit_completion(
        case, completion, resident, {"reporter_email": "inte en adress"}, [], "en"
    )
    assert list(errors) == ["reporter_email"]
    assert case.answers["reporter_email"] == "fel"
    assert (
        casework.submit_completion(case, completion, resident, {"reporter_email": "asa@example.se"}, [], "en")
        == {}
    )
    assert case.answers["reporter_email"] == "asa@example.se"


def test_an_officer_cannot_decide_while_the_resident_owes_a_completion() -> None:
    unit = make_department_with_officer()
    case = make_case(unit.service, answers={"street": "x"})
    casework.request_completion(
        case,
        unit.officer,
        description="Adress",
        field_keys=["street"],
        wants_attachments=False,
        due_date=clock.now().date(),
    )
    with pytest.raises(CaseRuleError):
        casework.decide_case(case, unit.officer, outcome="approved", reasoning="Ok")


@pytest.mark.usefixtures("sealing")
def test_a_decision_is_recorded_announced_and_sealed_with_the_receipts_seal() -> None:
    unit = make_department_with_officer()
    resident = make_resident(given_name="Åsa", family_name="Öberg", preferred_language="sv")
    case = make_case(unit.service, resident)
    announced = received(events.decision_made)
    decision = casework.decide_case(
        case,
        unit.officer,
        outcome="partly_approved",
        reasoning="Bygglov beviljas för garaget.\n\nInte för altanen.",
    )
    assert case.status == "decided"
    [sent] = announced
    assert sent["sender"] is case and sent["decision"] is decision and sent["outcome"] == "partly_approved"
    assert sent["event"].kind == "decided" and sent["event"].visible_to_resident
    assert [event.data["outcome"] for event in events_of(case, "decided")] == ["partly_approved"]
    seal_jobs = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == documents.SEAL_JOB))
    assert {"document_id": decision.document_id} in [job.payload for job in seal_jobs]  # besides the receipt
    assert decision.document_id is not None
    assert casework.document_pdf(decision.document) is None  # the worker has not sealed it yet
    db.commit()

    for _attempt in range(10):  # other jobs (notifications) may be queued beside the seal
        if not outbox.process_next("test-worker", outbox.registry):
            break
    db.expire_all()
    pdf = casework.document_pdf(decision.document)
    assert pdf is not None
    verdict = documents.verify_pdf(pdf)
    assert verdict.kind is VerdictKind.ISSUED
    assert verdict.case_reference == case.reference and verdict.document_kind == "decision"
