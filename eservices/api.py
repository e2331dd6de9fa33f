"""What the REST API and its admin pages do: API tokens (made, checked, revoked), webhook subscriptions, and the
case operations of external case systems (list, read, change status, message the resident, record a decision).

The writes are case handling (`eservices.casework`) with the token as the actor: the same workflow rules,
records, timeline events, audit entries and signals as a case officer's change, so the resident sees a case
system's messages and decisions on their case page and notifications and webhooks follow alike.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from core import audit, clock
from core.db import db
from core.models import Department, Queue
from eservices import casework
from eservices.actors import Actor
from eservices.api_models import ApiToken, Webhook
from eservices.casework_models import CaseAttachment, DecisionOutcome
from eservices.models import Case, CaseEvent, CaseStatus
from eservices.webhooks import EVENT_NAMES, new_webhook_secret

__all__ = [
    "DECISION_OUTCOMES",
    "LISTABLE_STATUSES",
    "MAX_PAGE_SIZE",
    "SETTABLE_STATUSES",
    "CasePage",
    "InvalidCursor",
    "authenticate_token",
    "case_files",
    "change_case_status",
    "create_api_token",
    "create_webhook",
    "find_case",
    "hash_token",
    "list_api_tokens",
    "list_cases",
    "list_webhooks",
    "post_message",
    "record_decision",
    "revoke_api_token",
    "set_webhook_active",
]

TOKEN_PREFIX = "kanal_"  # noqa: S105  a public marker that makes leaked tokens easy to scan for, not a secret
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Cases waiting for signatures are the filing flow's business, not yet a case system's.
LISTABLE_STATUSES = tuple(status.value for status in CaseStatus if status is not CaseStatus.DRAFT_SIGNING)
# A case is decided by recording the decision (POST .../decision), as in the officer workspace.
SETTABLE_STATUSES = tuple(status for status in LISTABLE_STATUSES if status != CaseStatus.DECIDED.value)
DECISION_OUTCOMES = tuple(outcome.value for outcome in DecisionOutcome)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(
    name: str, departments: Iterable[Department], created_by_id: int | None
) -> tuple[ApiToken, str]:
    """Make a token; returns it with its secret, which is never stored and cannot be shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name.strip(),
        token_hash=hash_token(secret),
        token_prefix=secret[: len(TOKEN_PREFIX) + 6],
        created_by_id=created_by_id,
        created_at=clock.now(),
        departments=list(departments),
    )
    db.add(token)
    db.flush()
    audit.record(
        "create",
        "api_token",
        token.id,
        details={"name": token.name, "departments": sorted(token.department_ids)},
    )
    return token, secret


def authenticate_token(secret: str) -> ApiToken | None:
    """The active token with this secret, marked as used now; None for an unknown or revoked one."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = clock.now()
    return token


def revoke_api_token(token_id: int) -> ApiToken:
    token = db.get(ApiToken, token_id)
    if token is None:
        raise LookupError(f"no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record("revoke", "api_token", token.id, details={"name": token.name})
    return token


def list_api_tokens() -> list[ApiToken]:
    return list(
        db.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc()))
    )


def create_webhook(
    url: str, department: Department, event_names: Iterable[str], created_by_id: int | None
) -> tuple[Webhook, str]:
    """Subscribe `url` to the department's case events; returns the webhook and its signing secret."""
    chosen = sorted(set(event_names))
    unknown = [name for name in chosen if name not in EVENT_NAMES]
    if unknown or not chosen:
        raise ValueError(f"unknown or no webhook events: {unknown}")
    webhook = Webhook(
        url=url.strip(),
        secret=new_webhook_secret(),
        department=department,
        events=chosen,
        active=True,
        created_by_id=created_by_id,
        created_at=clock.now(),
    )
    db.add(webhook)
    db.flush()
    audit.record("create", "webhook", webhook.id, details={"url": webhook.url, "events": chosen})
    return webhook, webhook.secret


def set_webhook_active(webhook_id: int, active: bool) -> Webhook:
    webhook = db.get(Webhook, webhook_id)
    if webhook is None:
        raise LookupError(f"no webhook {webhook_id}")
    webhook.active = active
    audit.record("enable" if active else "disable", "webhook", webhook.id, details={"url": webhook.url})
    return webhook


def list_webhooks() -> list[Webhook]:
    return list(db.scalars(select(Webhook).order_by(Webhook.id)))


class InvalidCursor(ValueError):
    """A page cursor Kanal did not hand out."""


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_cursor: str | None


def _encode_cursor(case: Case) -> str:
    raw = json.dumps([case.updated_at.isoformat(), case.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        updated, case_id = json.loads(raw)
        when = dt.datetime.fromisoformat(updated)
        if when.tzinfo is None or not isinstance(case_id, int):
            raise ValueError("incomplete cursor")
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursor("the cursor is not one this API handed out") from error
    return when, case_id


def list_cases(
    department_ids: Iterable[int],
    *,
    queue: Queue | None = None,
    status: str | None = None,
    changed_since: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> CasePage:
    """Cases of the departments, oldest change first (updated_at, then id), a page at a time.

    The order is what a synchronising system needs: it keeps the last page's cursor, or the newest updated_at
    it has seen as `changed_since`, and never misses a case changed in between.
    """
    statement = (
        select(Case)
        .join(Queue, Case.queue_id == Queue.id)
        .where(Queue.department_id.in_(list(department_ids)), Case.status != CaseStatus.DRAFT_SIGNING.value)
    )
    if queue is not None:
        statement = statement.where(Case.queue_id == queue.id)
    if status is not None:
        statement = statement.where(Case.status == status)
    if changed_since is not None:
        statement = statement.where(Case.updated_at >= changed_since)
    if cursor is not None:
        after_time, after_id = _decode_cursor(cursor)
        statement = statement.where(
            or_(Case.updated_at > after_time, and_(Case.updated_at == after_time, Case.id > after_id))
        )
    rows = list(db.scalars(statement.order_by(Case.updated_at, Case.id).limit(limit + 1)))
    more = len(rows) > limit
    cases = rows[:limit]
    return CasePage(cases=cases, next_cursor=_encode_cursor(cases[-1]) if more and cases else None)


def find_case(reference: str) -> Case | None:
    return db.scalar(select(Case).where(Case.reference == reference))


def case_files(case: Case) -> list[CaseAttachment]:
    """The files on the case: what the resident sent with messages and completions, what officers sent, and
    files that came with decisions (a case system's own decision PDF); oldest first."""
    return casework.case_attachments(case)


def _newest_event(case: Case, kind: str) -> CaseEvent:
    """The case's newest timeline event of a kind: the one the change just made, which API answers describe."""
    event = db.scalar(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    if event is None:
        raise LookupError(f"case {case.reference} has no {kind} event")
    return event


def change_case_status(case: Case, status: str, token: ApiToken) -> CaseEvent:
    """Move the case along its service's workflow, exactly as an officer would (`casework.change_status`).

    Raises ValueError for a status the API does not set, CaseRuleError for one the workflow does not allow now.
    """
    if status not in SETTABLE_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return casework.change_status(case, Actor.api_token(token), status)


def post_message(case: Case, body: str, token: ApiToken) -> CaseEvent:
    """A message from the case system to the resident, shown on their case page like an officer's
    (`casework.send_message_to_resident`); returns its timeline event. Raises CaseRuleError for an empty or too
    long text."""
    casework.send_message_to_resident(case, Actor.api_token(token), body)
    return _newest_event(case, "message_to_resident")


def record_decision(
    case: Case,
    outcome: str,
    token: ApiToken,
    *,
    reasoning: str,
    document: bytes | None = None,
    filename: str | None = None,
) -> CaseEvent:
    """Record a decision made in the case system as an officer's is recorded (`casework.decide_case`): a
    `CaseDecision` with the outcome and reasoning, and a sealed decision letter for the resident. A PDF the case
    system made itself is kept as a file of the decision. Returns the "decided" timeline event.

    Raises ValueError for an unknown outcome or a document that is not a PDF, CaseRuleError for a decision the
    case's state does not allow or an empty reasoning.
    """
    if outcome not in DECISION_OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    uploads = []
    if document is not None:
        if not document.startswith(b"%PDF-"):
            raise ValueError("the decision document is not a PDF")
        uploads.append(casework.Upload(filename or f"decision-{case.reference}.pdf", document))
    casework.decide_case(
        case, Actor.api_token(token), outcome=outcome, reasoning=reasoning, attachments=uploads
    )
    return _newest_event(case, "decided")
