"""Notifications to residents: case signals become outbox jobs (one per channel that can reach the resident),
and the worker renders each in the resident's language and sends it.

A job is enqueued in the transaction that made the change, with an idempotency key naming the occurrence and the
channel, so each notification is sent once however often the worker retries. Texts say what happened and where
to read more, never what the case contains: the case reference and the resident's first name in the greeting are
the only personal data, and the payload stored in the outbox holds only ids.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import outbox
from core.config import Settings
from core.db import db
from core.models import Resident
from eservices import events
from eservices.channels import Recipient, RenderedNotification
from eservices.channels import registry as channels
from eservices.models import Case, CaseEvent, CaseStatus
from eservices.signing_models import CosignRequest

__all__ = [
    "JOB_PREFIX",
    "NotificationKind",
    "can_reach",
    "deliver_notification",
    "notification_language",
    "occurrence_of",
    "queue_notification",
    "render_notification",
]

logger = logging.getLogger(__name__)

JOB_PREFIX = "notify."
MY_PAGES_PATH = "/my-pages"
COSIGN_PATH = "/cosign/"
"""Where a co-signer reads and signs (`eservices.signing_views.cosign_page`), followed by the request's token."""


class NotificationKind:
    """The notifications Kanal sends; each is the name of the signal that causes it."""

    SUBMITTED = "case_submitted"
    STATUS_CHANGED = "case_status_changed"
    MESSAGE = "message_to_resident"
    COMPLETION_REQUESTED = "completion_requested"
    DECISION = "decision_made"
    COSIGN_REQUESTED = "cosign_requested"

    ALL = (SUBMITTED, STATUS_CHANGED, MESSAGE, COMPLETION_REQUESTED, DECISION, COSIGN_REQUESTED)


STATUS_NAMES = {
    CaseStatus.DRAFT_SIGNING.value: _l("waiting for signatures"),
    CaseStatus.SUBMITTED.value: _l("submitted"),
    CaseStatus.IN_PROGRESS.value: _l("in progress"),
    CaseStatus.AWAITING_COMPLETION.value: _l("waiting for more information from you"),
    CaseStatus.DECIDED.value: _l("decided"),
    CaseStatus.CLOSED.value: _l("closed"),
    CaseStatus.WITHDRAWN.value: _l("withdrawn"),
}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["kanal.settings"]
    return settings


def recipient_of(resident: Resident) -> Recipient:
    return Recipient(language=resident.preferred_language, email=resident.email, phone=resident.phone)


def can_reach(resident: Resident) -> bool:
    """Whether any notification channel has an address for the resident."""
    recipient = recipient_of(resident)
    return any(channel.address_of(recipient) is not None for channel in channels.create_all(_settings()))


def queue_notification(
    case: Case, kind: str, resident: Resident, occurrence: str, details: dict[str, Any] | None = None
) -> list[outbox.OutboxMessage]:
    """Enqueue `kind` about `case` to `resident` on every channel that can reach them, in this transaction.

    `occurrence` tells this event from earlier ones of the same kind on the case (a timeline event id); together
    with the channel it makes the idempotency key, so signalling the same occurrence twice sends nothing twice.
    """
    if kind not in NotificationKind.ALL:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipient = recipient_of(resident)
    jobs = []
    for channel in channels.create_all(_settings()):
        if channel.address_of(recipient) is None:
            continue
        key = f"notify:{kind}:{case.id}:{occurrence}:r{resident.id}:{channel.name}"
        payload = {"kind": kind, "case_id": case.id, "resident_id": resident.id, "details": details or {}}
        jobs.append(outbox.enqueue(JOB_PREFIX + channel.name, payload, key))
    return jobs


def occurrence_of(case: Case, extra: dict[str, Any], *names: str) -> str:
    """Which occurrence a signal is about: its timeline event, else the named object, else the newest event."""
    event = extra.get("event")
    if isinstance(event, CaseEvent):
        db.flush()
        return f"e{event.id}"
    for name in names:
        identifier = getattr(extra.get(name), "id", None)
        if identifier is not None:
            return f"{name}{identifier}"
    db.flush()
    newest = db.scalar(select(func.max(CaseEvent.id)).where(CaseEvent.case_id == case.id))
    return f"e{newest or 0}"


def _case_owner(case: Case) -> Resident | None:
    if case.resident_id is None:
        return None
    return db.get(Resident, case.resident_id)


def _notify_owner(case: Case, kind: str, occurrence: str, details: dict[str, Any] | None = None) -> None:
    resident = _case_owner(case)
    if resident is None:
        # A case without a resident (filed for an organisation, or anonymised) has nobody to tell.
        return
    queue_notification(case, kind, resident, occurrence, details)


@events.case_submission_committed.connect
def _on_case_submitted(case: Case, **_extra: Any) -> None:
    # A case is submitted once, so the case itself is the occurrence.
    _notify_owner(case, NotificationKind.SUBMITTED, "submitted")


@events.case_status_changed.connect
def _on_status_changed(case: Case, **extra: Any) -> None:
    status = str(extra.get("new_status") or case.status)
    if status == CaseStatus.DECIDED.value:
        # Deciding also sends decision_made, whose notification says it better; one message, not two.
        return
    occurrence = occurrence_of(case, extra)
    _notify_owner(case, NotificationKind.STATUS_CHANGED, f"{occurrence}:{status}", {"status": status})


@events.message_to_resident.connect
def _on_message(case: Case, **extra: Any) -> None:
    _notify_owner(case, NotificationKind.MESSAGE, occurrence_of(case, extra, "message"))


@events.completion_requested.connect
def _on_completion_requested(case: Case, **extra: Any) -> None:
    due = extra.get("due")
    completion = extra.get("completion")
    if due is None and completion is not None:
        due = getattr(completion, "due_date", None)
    details = {"due": due.isoformat()} if isinstance(due, dt.date) else {}
    _notify_owner(
        case, NotificationKind.COMPLETION_REQUESTED, occurrence_of(case, extra, "completion"), details
    )


@events.decision_made.connect
def _on_decision(case: Case, **extra: Any) -> None:
    # The outcome is not in the notification: the resident reads it, with its reasoning, after logging in.
    _notify_owner(case, NotificationKind.DECISION, occurrence_of(case, extra, "decision"))


@events.cosign_requested.connect
def _on_cosign_requested(case: Case, **extra: Any) -> None:
    recipient = extra.get("recipient")
    if not isinstance(recipient, Resident):
        logger.warning("cosign_requested for case %s without a recipient resident; nobody notified", case.id)
        return
    occurrence = occurrence_of(case, extra, "request")
    request = extra.get("request")
    # Only the request's id goes into the outbox; the link with its token is made when the message is sent.
    details = {"request_id": request.id} if isinstance(request, CosignRequest) else {}
    queue_notification(case, NotificationKind.COSIGN_REQUESTED, recipient, occurrence, details)


def _texts(kind: str, reference: str, details: dict[str, Any], municipality: str) -> tuple[str, str, str]:
    """(subject, body, short text) for one kind, in the locale that is in force."""
    values = {"reference": reference, "municipality": municipality}
    if kind == NotificationKind.SUBMITTED:
        return (
            _("We have received your case %(reference)s", **values),
            _(
                "Your case %(reference)s has been submitted to %(municipality)s. You can follow it on My pages.",
                **values,
            ),
            _("%(municipality)s: we have received your case %(reference)s. Follow it on My pages.", **values),
        )
    if kind == NotificationKind.STATUS_CHANGED:
        status = STATUS_NAMES.get(details.get("status", ""), details.get("status", ""))
        return (
            _("Your case %(reference)s has a new status", **values),
            _(
                "The status of your case %(reference)s is now: %(status)s. Log in to My pages to see more.",
                status=status,
                **values,
            ),
            _(
                "%(municipality)s: the status of your case %(reference)s is now: %(status)s.",
                status=status,
                **values,
            ),
        )
    if kind == NotificationKind.MESSAGE:
        return (
            _("You have a new message about case %(reference)s", **values),
            _("You have a new message about case %(reference)s. Log in to My pages to read it.", **values),
            _(
                "%(municipality)s: you have a new message about case %(reference)s. Log in to My pages to read it.",
                **values,
            ),
        )
    if kind == NotificationKind.COMPLETION_REQUESTED:
        if details.get("due"):
            due = format_date(dt.date.fromisoformat(details["due"]), "long")
            body = _(
                "We need more information from you to continue with case %(reference)s, by %(due)s. "
                "Log in to My pages to see what is missing.",
                due=due,
                **values,
            )
        else:
            body = _(
                "We need more information from you to continue with case %(reference)s. "
                "Log in to My pages to see what is missing.",
                **values,
            )
        return (
            _("We need more information for case %(reference)s", **values),
            body,
            _(
                "%(municipality)s: we need more information for case %(reference)s. Log in to My pages.",
                **values,
            ),
        )
    if kind == NotificationKind.DECISION:
        return (
            _("A decision has been made in case %(reference)s", **values),
            _(
                "A decision has been made in your case %(reference)s. Log in to My pages to read it.",
                **values,
            ),
            _(
                "%(municipality)s: a decision has been made in case %(reference)s. Log in to My pages to read it.",
                **values,
            ),
        )
    if kind == NotificationKind.COSIGN_REQUESTED:
        return (
            _("You have been asked to sign case %(reference)s", **values),
            _(
                "You have been asked to co-sign case %(reference)s at %(municipality)s. "
                "Open the link below and log in with BankID to read and sign it.",
                **values,
            ),
            _(
                "%(municipality)s: you have been asked to co-sign case %(reference)s. Log in to My pages to sign.",
                **values,
            ),
        )
    raise ValueError(f"unknown notification kind {kind!r}")


def _link(kind: str, details: dict[str, Any], settings: Settings) -> tuple[str, str]:
    """(label, absolute address) of the page the notification leads to, in the locale that is in force.

    A co-signer goes straight to the page where they read and sign (the token only opens the page: signing needs
    their own BankID); everything else leads to My pages.
    """
    if kind == NotificationKind.COSIGN_REQUESTED and str(details.get("request_id", "")).isdigit():
        request = db.get(CosignRequest, int(details["request_id"]))
        if request is not None:
            return _("Read and sign the application:"), settings.base_url + COSIGN_PATH + request.token
    return _("Log in to My pages:"), settings.base_url + MY_PAGES_PATH


def notification_language(resident: Resident) -> str:
    """The language to write to the resident in: their preferred one if Kanal offers it, else the default."""
    settings = _settings()
    if resident.preferred_language in settings.languages:
        return resident.preferred_language
    return settings.default_language


def render_notification(
    kind: str, reference: str, resident: Resident, details: dict[str, Any], idempotency_key: str
) -> RenderedNotification:
    """The notification's texts in the resident's preferred language (the default language if it is not offered)."""
    settings = _settings()
    language = notification_language(resident)
    with force_locale(language):
        subject, body, short_text = _texts(kind, reference, details, settings.municipality_name)
        link_label, link = _link(kind, details, settings)
        template = current_app.jinja_env.get_template("eservices/email/notification.txt")
        full_text = template.render(
            greeting=_("Hello %(name)s,", name=resident.given_name),
            body=body,
            link_label=link_label,
            link=link,
            footer=_(
                "This message was sent automatically by %(municipality)s. Please do not reply to it.",
                municipality=settings.municipality_name,
            ),
        )
    return RenderedNotification(
        language=language,
        subject=subject,
        body=full_text,
        short_text=short_text,
        idempotency_key=idempotency_key,
    )


def deliver_notification(channel_name: str, payload: dict[str, Any], job: outbox.JobContext) -> None:
    """Perform one `notify.<channel>` job: render in the resident's language now, send, raise on failure."""
    case = db.get(Case, int(payload["case_id"]))
    resident = db.get(Resident, int(payload["resident_id"]))
    if case is None or resident is None:
        logger.warning(
            "Notification job %s: its case or resident no longer exists; nothing sent", job.message_id
        )
        return
    channel = channels.create(channel_name, _settings())
    address = channel.address_of(recipient_of(resident))
    if address is None:
        logger.info(
            "Notification job %s: the resident can no longer be reached by %s", job.message_id, channel_name
        )
        return
    notification = render_notification(
        str(payload["kind"]),
        case.reference,
        resident,
        dict(payload.get("details") or {}),
        job.idempotency_key,
    )
    channel.send(notification, address)


def _register_handlers() -> None:
    # One outbox job kind per channel (notify.email, notify.sms, ...), so a channel plugin needs no handler code.
    for name in channels.names():
        outbox.registry.register(JOB_PREFIX + name, _handler_for(name))


def _handler_for(channel_name: str) -> outbox.Handler:
    def handle(payload: dict[str, Any], job: outbox.JobContext) -> None:
        deliver_notification(channel_name, payload, job)

    handle.__name__ = f"deliver_{channel_name}_notification"
    return handle


_register_handlers()
