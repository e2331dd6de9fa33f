"""The audit log: who read or changed whose personal data, when and why, in a tamper-evident hash chain.

`record()` queues an entry on the current transaction. Just before that transaction commits, the queued entries are
chained: the chain head row is locked (so concurrent transactions append one after another), each entry's hash
covers its content and the previous entry's hash, and the head moves forward. An entry is therefore written if
and only if the change or read it describes is committed. `verify_chain()` recomputes every hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Connection, Table, Text, bindparam, event, func, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from core import clock
from core.db import db
from core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64
_PENDING_KEY = "kanal.pending_audit"
_HEAD_ID = 1


class AuditTamperingError(RuntimeError):
    """Someone tried to change or delete an audit entry through the application."""


def _current_actor() -> tuple[str, str | None]:
    if not has_request_context():
        return ("system", None)
    principal: Any = current_user
    kind = getattr(principal, "kind", "anonymous")
    if kind in {"staff", "resident"}:
        return (kind, str(principal.id))
    return ("anonymous", None)


def record(
    action: str,
    subject_kind: str,
    subject_id: object = None,
    *,
    resident_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    actor: tuple[str, str | None] | None = None,
    session: Session | None = None,
) -> None:
    """Queue an audit entry on the current transaction (it is chained and written when the transaction commits)."""
    actor_kind, actor_id = actor or _current_actor()
    target = session if session is not None else db
    if not target.in_transaction():
        # Tie the entry to a transaction now, so a rollback before anything else happens still discards it.
        target.begin()
    pending: list[dict[str, Any]] = target.info.setdefault(_PENDING_KEY, [])
    pending.append(
        {
            "at": clock.now(),
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "action": action,
            "subject_kind": subject_kind,
            "subject_id": None if subject_id is None else str(subject_id),
            "resident_id": resident_id,
            "reason": reason,
            "details": details or {},
            "ip_address": request.remote_addr if has_request_context() else None,
        }
    )


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the entry's content."""
    return hashlib.sha256(f"{prev_hash}\n{_canonical(content)}".encode()).hexdigest()


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(
        {**content, "at": content["at"].isoformat(timespec="microseconds")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def _content_of(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "subject_kind": entry.subject_kind,
        "subject_id": entry.subject_id,
        "resident_id": entry.resident_id,
        "reason": entry.reason,
        "details": entry.details,
        "ip_address": entry.ip_address,
    }


# The chain is appended with Core statements on the session's connection, without the ORM's unit-of-work
# bookkeeping, on a path every committing request that audits anything takes: on PostgreSQL one statement per
# entry (`_APPEND_ENTRY_POSTGRESQL`), elsewhere three for all of them (lock the head, insert, move the head).
_ENTRIES = cast(Table, AuditEntry.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)
_LOCK_HEAD = select(_HEAD.c.last_hash).where(_HEAD.c.id == _HEAD_ID).with_for_update()
_INSERT_HEAD = insert(_HEAD).values(id=_HEAD_ID, last_entry_id=None, last_hash=GENESIS_HASH)
_INSERT_ENTRIES = insert(_ENTRIES).returning(_ENTRIES.c.id, sort_by_parameter_order=True)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == _HEAD_ID)
    .values(last_entry_id=bindparam("entry_id"), last_hash=bindparam("entry_hash_value"))
)


def _lock_head(connection: Connection) -> str:
    """Lock the chain head until the transaction ends; the hash of the newest entry."""
    last_hash = connection.scalar(_LOCK_HEAD)
    if last_hash is None:
        # The migration creates the head; this covers a database emptied by hand.
        connection.execute(_INSERT_HEAD)
        last_hash = GENESIS_HASH
    return str(last_hash)


@event.listens_for(Session, "before_commit")
def _chain_pending_entries(session: Session) -> None:
    pending: list[dict[str, Any]] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and all(
        connection.scalar(_APPEND_ENTRY_POSTGRESQL, {**content, "canonical": _canonical(content)}) is not None
        for content in pending
    ):
        return
    # SQLite, or a head row that went missing (PostgreSQL appended nothing then): chain in Python.
    previous = _lock_head(connection)
    rows = []
    for content in pending:
        digest = entry_hash(previous, content)
        rows.append({**content, "prev_hash": previous, "entry_hash": digest})
        previous = digest
    entry_ids = connection.scalars(_INSERT_ENTRIES, rows).all()
    connection.execute(_MOVE_HEAD, {"entry_id": entry_ids[-1], "entry_hash_value": previous})


def _append_entry_postgresql() -> Any:
    """One statement that locks the head, inserts the entry chained to it and moves the head on.

    PostgreSQL computes the same hash as `entry_hash` from the canonical JSON it is given, so appending an entry
    costs one round trip instead of three. Returns the new entry's id, or no row when the head is missing.
    """
    head = select(_HEAD.c.last_hash).where(_HEAD.c.id == _HEAD_ID).with_for_update().cte("head")
    chained = head.c.last_hash + "\n" + bindparam("canonical", type_=Text())
    digest = func.encode(func.sha256(func.convert_to(chained, "UTF8")), "hex")
    content = [column for column in _ENTRIES.c if column.key not in {"id", "prev_hash", "entry_hash"}]
    entry = (
        insert(_ENTRIES)
        .from_select(
            [*(column.key for column in content), "prev_hash", "entry_hash"],
            select(
                *(bindparam(column.key, type_=column.type) for column in content), head.c.last_hash, digest
            ),
        )
        .returning(_ENTRIES.c.id, _ENTRIES.c.entry_hash)
        .cte("entry")
    )
    return (
        update(_HEAD)
        .where(_HEAD.c.id == _HEAD_ID)
        .values(
            last_entry_id=select(entry.c.id).scalar_subquery(),
            last_hash=select(entry.c.entry_hash).scalar_subquery(),
        )
        .returning(_HEAD.c.last_entry_id)
    )


_APPEND_ENTRY_POSTGRESQL = _append_entry_postgresql()


@event.listens_for(Session, "after_transaction_end")
def _drop_pending_entries(session: Session, transaction: SessionTransaction) -> None:
    # A transaction that ends without committing (rollback, close) takes its queued entries with it: what was
    # changed in it did not happen, and a retried request records its reads again.
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_audit(session: Session, _context: Any, _instances: Any) -> None:
    for instance in list(session.dirty) + list(session.deleted):
        if isinstance(instance, AuditEntry) and (
            instance in session.deleted or session.is_modified(instance)
        ):
            raise AuditTamperingError("audit entries are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_audit(state: ORMExecuteState) -> None:
    # `update(AuditEntry)` and `delete(AuditEntry)` statements bypass the flush, so they are checked here.
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is AuditEntry:
        raise AuditTamperingError("audit entries are append-only")


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    ok: bool
    first_broken_id: int | None = None
    problem: str | None = None


def _entries_in_order(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        # populate_existing: compare what the database holds now, not what this session happened to cache.
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch)
            .execution_options(populate_existing=True)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        # The identity map holds clean objects weakly, so earlier batches are freed as the loop moves on.


def verify_chain(session: Session | None = None) -> ChainReport:
    """Recompute every entry's hash in order; report the first entry that was altered, removed or inserted."""
    return _verify(session if session is not None else db)


def _verify(session: Session) -> ChainReport:
    head = session.get(AuditChainHead, _HEAD_ID, populate_existing=True)
    head_hash = head.last_hash if head is not None else GENESIS_HASH
    previous = GENESIS_HASH
    count = 0
    for entry in _entries_in_order(session):
        count += 1
        if entry.prev_hash != previous:
            return ChainReport(
                count, False, entry.id, "links to a different previous entry (one was removed or inserted)"
            )
        if entry_hash(previous, _content_of(entry)) != entry.entry_hash:
            return ChainReport(count, False, entry.id, "content does not match its hash (it was altered)")
        previous = entry.entry_hash
    if previous != head_hash:
        return ChainReport(
            count, False, None, "the newest entries are missing (the chain head points further)"
        )
    return ChainReport(count, True)
