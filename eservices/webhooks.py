"""Outgoing webhooks: case signals become signed HTTP POSTs to the department's subscribed systems, delivered
through the outbox (`webhook.deliver`) so a receiver that is down gets them later, with backoff.

Every request carries `Kanal-Timestamp` (Unix seconds) and `Kanal-Signature: v1=<hex>`, the HMAC-SHA256 of
`<timestamp>.<body>` with the webhook's secret; `verify_signature` is what a receiver does with them. The body
names the case and what happened, never its content: the receiver fetches that through the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from typing import Any

import httpx
from sqlalchemy import select

from core import clock, outbox
from core.db import db
from core.models import Queue
from eservices import events
from eservices.api_models import Webhook
from eservices.models import Case

# The same rule as notifications, so one occurrence has one identity in every key.
from eservices.notifications import occurrence_of

__all__ = [
    "DELIVER_JOB",
    "EVENT_NAMES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookDeliveryError",
    "deliver_webhook",
    "new_webhook_secret",
    "queue_webhooks",
    "sign",
    "verify_signature",
]

logger = logging.getLogger(__name__)

DELIVER_JOB = "webhook.deliver"
TIMESTAMP_HEADER = "Kanal-Timestamp"
SIGNATURE_HEADER = "Kanal-Signature"
EVENT_HEADER = "Kanal-Event"
DELIVERY_HEADER = "Kanal-Delivery"
# A receiver that has not answered within this is treated as down; the outbox tries again later.
TIMEOUT_SECONDS = 5.0
# How old a signed request a receiver should still accept, against replays.
DEFAULT_TOLERANCE_SECONDS = 300

# Public event names, as external systems subscribe to them.
EVENT_NAMES = (
    "case.submitted",
    "case.status_changed",
    "case.message_sent",
    "case.completion_requested",
    "case.decided",
    "case.cosign_requested",
)


class WebhookDeliveryError(RuntimeError):
    """The receiver answered with something other than 2xx."""


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `Kanal-Signature` value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(clock.now().timestamp() - sent_at) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _case_data(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "queue": case.queue.code,
        "department": case.queue.department.code,
    }


def queue_webhooks(
    case: Case,
    event_name: str,
    occurrence: str,
    data: dict[str, Any] | None = None,
    *,
    occurred_at: dt.datetime | None = None,
) -> int:
    """Enqueue a delivery to every active webhook of the case's department subscribed to `event_name`.

    `occurred_at` is when it happened, if not now (the worker reports a submission after it committed).
    """
    if event_name not in EVENT_NAMES:
        raise ValueError(f"unknown webhook event {event_name!r}")
    # Joined through the queue id rather than `case.queue`, so a case whose department has no webhooks (the usual
    # submit) costs one statement, not two.
    subscribed = db.scalars(
        select(Webhook)
        .join(Queue, Queue.department_id == Webhook.department_id)
        .where(Webhook.active.is_(True), Queue.id == case.queue_id)
        .order_by(Webhook.id)
    )
    queued = 0
    for webhook in subscribed:
        if event_name not in webhook.events:
            continue
        key = f"webhook:{webhook.id}:{event_name}:{case.id}:{occurrence}"
        body = {
            "delivery": key,
            "event": event_name,
            "occurred_at": (occurred_at or clock.now()).isoformat(),
            "case": _case_data(case),
            "data": data or {},
        }
        outbox.enqueue(DELIVER_JOB, {"webhook_id": webhook.id, "event": event_name, "body": body}, key)
        queued += 1
    return queued


def deliver_webhook(payload: dict[str, Any], job: outbox.JobContext) -> None:
    """Perform one delivery; raise on a connection error or a non-2xx answer, so the outbox backs off and retries."""
    webhook = db.get(Webhook, int(payload["webhook_id"]))
    if webhook is None or not webhook.active:
        logger.info("Webhook delivery %s dropped: its webhook was removed or disabled", job.idempotency_key)
        return
    body = json.dumps(payload["body"], separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Kanal-Webhooks/1",
        EVENT_HEADER: str(payload["event"]),
        DELIVERY_HEADER: job.idempotency_key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
    }
    response = httpx.post(
        webhook.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS, follow_redirects=False
    )
    if not response.is_success:
        raise WebhookDeliveryError(f"{webhook.url} answered {response.status_code}")


outbox.registry.register(DELIVER_JOB, deliver_webhook)


@events.case_submission_committed.connect
def _on_submitted(case: Case, **_extra: Any) -> None:
    queue_webhooks(case, "case.submitted", "submitted", occurred_at=case.submitted_at)


@events.case_status_changed.connect
def _on_status_changed(case: Case, **extra: Any) -> None:
    new_status = str(extra.get("new_status") or case.status)
    data = {"old_status": extra.get("old_status"), "new_status": new_status}
    queue_webhooks(case, "case.status_changed", f"{occurrence_of(case, extra)}:{new_status}", data)


@events.message_to_resident.connect
def _on_message(case: Case, **extra: Any) -> None:
    queue_webhooks(case, "case.message_sent", occurrence_of(case, extra, "message"))


@events.completion_requested.connect
def _on_completion_requested(case: Case, **extra: Any) -> None:
    queue_webhooks(case, "case.completion_requested", occurrence_of(case, extra, "completion"))


@events.decision_made.connect
def _on_decision(case: Case, **extra: Any) -> None:
    outcome = extra.get("outcome") or getattr(extra.get("decision"), "outcome", None)
    queue_webhooks(case, "case.decided", occurrence_of(case, extra, "decision"), {"outcome": outcome})


@events.cosign_requested.connect
def _on_cosign_requested(case: Case, **extra: Any) -> None:
    queue_webhooks(case, "case.cosign_requested", occurrence_of(case, extra, "request"))
