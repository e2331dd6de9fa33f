"""The audit log: entries are written with what they describe, chained by hash, and tampering is detected."""

from __future__ import annotations

import itertools
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, text, update

from core import audit
from core.audit import GENESIS_HASH, AuditTamperingError, verify_chain
from core.db import db, unit_of_work
from core.models import AuditChainHead, AuditEntry
from tests.builders import DEFAULT_PASSWORD, make_resident, make_staff
from tests.database import using_postgres


def _entries() -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _write_entries(count: int) -> list[int]:
    for n in range(count):
        audit.record("read", "resident", n, resident_id=n, reason=f"case handling {n}", details={"n": n})
    db.commit()
    return [entry.id for entry in _entries()]


def _raw(sql: str, **params: object) -> None:
    db.execute(text(sql), params)
    db.commit()


def test_a_staff_login_is_written_to_the_audit_log(client: FlaskClient) -> None:
    user = make_staff()
    client.post("/staff/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    entries = _entries()
    assert [(entry.action, entry.subject_kind, entry.subject_id) for entry in entries] == [
        ("login", "staff_user", str(user.id))
    ]
    assert (entries[0].actor_kind, entries[0].actor_id) == ("staff", str(user.id))
    assert entries[0].ip_address == "127.0.0.1"


def test_a_failed_login_writes_no_login_entry(client: FlaskClient) -> None:
    user = make_staff()
    client.post("/staff/login", data={"email": user.email, "password": "wrong"})
    assert [entry.action for entry in _entries()] == []


def test_an_entry_records_who_what_when_and_why(app: Flask) -> None:
    resident = make_resident()
    audit.record(
        "read", "resident", resident.id, resident_id=resident.id, reason="Phone call from the resident"
    )
    db.commit()
    (entry,) = _entries()
    assert entry.actor_kind == "system"
    assert entry.action == "read"
    assert entry.subject_id == str(resident.id)
    assert entry.resident_id == resident.id
    assert entry.reason == "Phone call from the resident"
    assert entry.at.tzinfo is not None


def test_every_entry_is_chained_to_the_one_before_and_the_head_points_at_the_newest(app: Flask) -> None:
    _write_entries(3)
    _write_entries(2)
    entries = _entries()
    assert len(entries) == 5
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.entry_hash
        assert entry.entry_hash == audit.entry_hash(entry.prev_hash, audit._content_of(entry))
    head = db.get(AuditChainHead, 1)
    assert head is not None
    assert (head.last_entry_id, head.last_hash) == (entries[-1].id, entries[-1].entry_hash)


def test_an_untouched_chain_verifies(app: Flask) -> None:
    assert verify_chain().ok  # empty
    _write_entries(4)
    report = verify_chain()
    assert report.ok
    assert report.entries_checked == 4


def test_changing_an_entry_with_raw_sql_is_detected_at_that_entry(app: Flask) -> None:
    ids = _write_entries(4)
    _raw("UPDATE audit_entry SET reason = 'nothing to see' WHERE id = :id", id=ids[1])
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_id == ids[1]
    assert "altered" in (report.problem or "")


def test_changing_an_entry_and_recomputing_its_hash_is_detected_at_the_next_entry(app: Flask) -> None:
    ids = _write_entries(3)
    entry = db.get(AuditEntry, ids[0])
    assert entry is not None
    forged = audit.entry_hash(GENESIS_HASH, {**audit._content_of(entry), "reason": "forged"})
    _raw(
        "UPDATE audit_entry SET reason = 'forged', entry_hash = :hash WHERE id = :id", hash=forged, id=ids[0]
    )
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_id == ids[1]


def test_deleting_an_entry_in_the_middle_is_detected_at_the_entry_after_it(app: Flask) -> None:
    ids = _write_entries(5)
    _raw("DELETE FROM audit_entry WHERE id = :id", id=ids[2])
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_id == ids[3]
    assert "removed" in (report.problem or "")


def test_deleting_the_newest_entries_is_detected(app: Flask) -> None:
    ids = _write_entries(5)
    _raw("DELETE FROM audit_entry WHERE id >= :id", id=ids[3])
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_id is None
    assert "newest entries are missing" in (report.problem or "")


def test_deleting_every_entry_is_detected(app: Flask) -> None:
    _write_entries(2)
    _raw("DELETE FROM audit_entry")
    assert not verify_chain().ok


def test_the_application_refuses_to_change_an_entry(app: Flask) -> None:
    ids = _write_entries(2)
    entry = db.get(AuditEntry, ids[0])
    assert entry is not None
    entry.reason = "rewritten"
    with pytest.raises(AuditTamperingError):
        db.flush()
    db.rollback()
    assert verify_chain().ok


def test_the_application_refuses_to_delete_an_entry(app: Flask) -> None:
    ids = _write_entries(2)
    entry = db.get(AuditEntry, ids[1])
    db.delete(entry)
    with pytest.raises(AuditTamperingError):
        db.flush()
    db.rollback()
    assert verify_chain().ok


def test_the_application_refuses_bulk_updates_and_deletes_of_entries(app: Flask) -> None:
    _write_entries(2)
    with pytest.raises(AuditTamperingError):
        db.execute(update(AuditEntry).values(reason="rewritten"))
    db.rollback()
    with pytest.raises(AuditTamperingError):
        db.execute(delete(AuditEntry))
    db.rollback()
    assert len(_entries()) == 2
    assert verify_chain().ok


def test_entries_queued_in_a_rolled_back_transaction_are_not_written(app: Flask) -> None:
    audit.record("read", "resident", 1)
    db.rollback()
    _write_entries(1)
    assert len(_entries()) == 1
    with pytest.raises(RuntimeError), unit_of_work():
        audit.record("change", "resident", 2)
        raise RuntimeError("the change failed")
    assert [entry.subject_id for entry in _entries()] == ["0"]
    assert verify_chain().ok


def test_a_request_that_fails_writes_no_audit_entry(app: Flask) -> None:
    def failing_view() -> str:
        audit.record("read", "resident", 7)
        raise RuntimeError("boom")

    app.add_url_rule("/failing-audited", "failing_audited", failing_view)
    response = app.test_client().get("/failing-audited")
    assert response.status_code == 500
    assert _entries() == []


def test_verify_audit_command_reports_an_intact_chain(app: Flask) -> None:
    _write_entries(3)
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0
    assert "intact" in result.output
    assert "3 entries" in result.output


def test_verify_audit_command_fails_and_names_the_broken_entry(app: Flask) -> None:
    ids = _write_entries(3)
    _raw("UPDATE audit_entry SET action = 'nothing' WHERE id = :id", id=ids[1])
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {ids[1]}" in result.output
    assert "altered" in result.output


def test_concurrent_transactions_append_to_one_unbroken_chain(app: Flask) -> None:
    transactions = 20 if using_postgres() else 8
    start = threading.Barrier(transactions)
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                with unit_of_work():
                    audit.record("read", "resident", n, resident_id=n)
                    audit.record("change", "resident", n, resident_id=n)
        except BaseException as error:  # collected and asserted on the main thread
            errors.append(error)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(transactions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    report = verify_chain()
    assert report.ok, report
    assert report.entries_checked == 2 * transactions
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == 2 * transactions
    # Each transaction's two entries sit next to each other: appends never interleave.
    entries = _entries()
    assert all(
        first.subject_id == second.subject_id
        for first, second in zip(entries[::2], entries[1::2], strict=True)
    )
