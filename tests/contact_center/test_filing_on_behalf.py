"""Filing on behalf: the agent walks the resident's own filing flow; the case is the resident's, assisted."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from contact_center.models import ContactMoment
from core.db import db
from core.models import AuditEntry
from eservices import filing
from eservices.models import Case
from tests.builders import make_resident
from tests.contact_center.conftest import logged_in, make_agent
from tests.eservices.filing_helpers import make_eservice


def open_record(client, resident_id: int) -> None:  # type: ignore[no-untyped-def]
    client.post(f"/agent/residents/{resident_id}/open", data={"reason": "Wants to apply", "channel": "phone"})


def test_an_agent_files_for_a_resident_who_showed_id_and_the_case_is_the_residents(app: Flask) -> None:
    agent = make_agent()
    resident = make_resident()
    item = make_eservice()
    client = logged_in(app, agent)
    open_record(client, resident.id)

    started = client.post(f"/agent/residents/{resident.id}/file", data={"service": item.slug})
    assert started.status_code == 303 and "/pages/about" in started.headers["Location"]
    [draft] = filing.drafts_for_resident(resident.id)
    assert (draft.actor_kind, draft.channel) == ("staff", "phone")

    page = client.get(started.headers["Location"])
    assert page.status_code == 200
    saved = client.post(
        started.headers["Location"], data={"nickname": "Kim", "has_pet": "no", "action": "continue"}
    )
    assert saved.status_code == 303
    client.post(saved.headers["Location"], data={"story": "", "action": "continue"})
    check = client.get(f"/agent/residents/{resident.id}/drafts/{draft.id}/check")
    assert "Kim" in check.get_data(as_text=True)

    # Without a BankID signature from the phone, "bankid_phone" is refused.
    client.post(
        f"/agent/residents/{resident.id}/drafts/{draft.id}/submit", data={"identity_method": "bankid_phone"}
    )
    assert db.scalars(select(Case)).all() == []

    done = client.post(
        f"/agent/residents/{resident.id}/drafts/{draft.id}/submit", data={"identity_method": "id_document"}
    )
    assert done.status_code == 302
    case = db.scalars(select(Case)).one()
    assert (case.resident_id, case.channel, case.identity_method, case.assisted_by_id) == (
        resident.id,
        "phone",
        "id_document",
        agent.id,
    )
    moment = db.scalars(select(ContactMoment)).one()
    assert (moment.outcome, moment.cases) == ("eservice_filed", [case])
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "submit_on_behalf")).one()
    assert (entry.actor_id, entry.reason, entry.details["channel"]) == (
        str(agent.id),
        "Wants to apply",
        "phone",
    )


def test_an_agent_cannot_open_another_residents_draft_through_a_record(app: Flask) -> None:
    agent = make_agent()
    resident, other = make_resident(), make_resident()
    item = make_eservice()
    client = logged_in(app, agent)
    open_record(client, other.id)
    client.post(f"/agent/residents/{other.id}/file", data={"service": item.slug})
    [draft] = filing.drafts_for_resident(other.id)
    open_record(client, resident.id)
    assert client.get(f"/agent/residents/{resident.id}/drafts/{draft.id}/check").status_code == 404
