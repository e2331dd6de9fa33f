"""What the contact centre tells callers: "we have called you back" and the link to an e-service.

Both are outbox jobs committed with their cause and sent by the worker through the notification channels of
`eservices.channels` (SMS, e-mail), in the caller's language.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from contact_center.models import CallbackRequest, ContactMoment
from core import outbox
from core.config import Settings
from core.db import db
from core.i18n import translated
from eservices.channels import Recipient, RenderedNotification
from eservices.channels import registry as channels
from eservices.models import Service

__all__ = ["CALLBACK_DONE_JOB", "ESERVICE_LINK_JOB", "queue_callback_done", "queue_eservice_link"]

logger = logging.getLogger(__name__)

CALLBACK_DONE_JOB = "contact_center.callback_done"
ESERVICE_LINK_JOB = "contact_center.eservice_link"
_CHANNEL_FOR = {"sms": "sms", "email": "email"}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["kanal.settings"]
    return settings


def _language(requested: str) -> str:
    settings = _settings()
    return requested if requested in settings.languages else settings.default_language


def queue_callback_done(callback: CallbackRequest) -> list[outbox.OutboxMessage]:
    """One job per channel that reaches the caller (the number they gave, and their e-mail if any)."""
    recipient = Recipient(language=callback.language, email=callback.email, phone=callback.phone)
    jobs = []
    for channel in channels.create_all(_settings()):
        if channel.address_of(recipient) is None:
            continue
        payload = {"callback_id": callback.id, "channel": channel.name}
        jobs.append(outbox.enqueue(CALLBACK_DONE_JOB, payload, f"callback-done:{callback.id}:{channel.name}"))
    return jobs


def queue_eservice_link(
    moment: ContactMoment, service: Service, link: str, *, via: str, address: str, language: str
) -> outbox.OutboxMessage:
    # The address must travel with the job: an anonymous caller's number is stored nowhere else.
    payload = {
        "contact_moment_id": moment.id,
        "service_id": service.id,
        "link": link,
        "channel": _CHANNEL_FOR[via],
        "address": address,
        "language": language,
    }
    return outbox.enqueue(ESERVICE_LINK_JOB, payload, f"eservice-link:{moment.id}")


@outbox.handler(CALLBACK_DONE_JOB)
def _send_callback_done(payload: dict[str, Any], job: outbox.JobContext) -> None:
    callback = db.get(CallbackRequest, int(payload["callback_id"]))
    if callback is None:
        logger.warning("Callback notice job %s: the request no longer exists; nothing sent", job.message_id)
        return
    settings = _settings()
    channel = channels.create(str(payload["channel"]), settings)
    address = channel.address_of(
        Recipient(language=callback.language, email=callback.email, phone=callback.phone)
    )
    if address is None:
        return
    language = _language(callback.language)
    with force_locale(language):
        values = {"municipality": settings.municipality_name}
        subject = _("We have handled your callback request")
        body = _(
            "%(municipality)s has handled your request to be called back. If you still need help, "
            "you are welcome to contact us again.",
            **values,
        )
        short = _("%(municipality)s: we have handled your request to be called back.", **values)
    channel.send(RenderedNotification(language, subject, body, short, job.idempotency_key), address)


@outbox.handler(ESERVICE_LINK_JOB)
def _send_eservice_link(payload: dict[str, Any], job: outbox.JobContext) -> None:
    service = db.get(Service, int(payload["service_id"]))
    if service is None:
        logger.warning("E-service link job %s: the service no longer exists; nothing sent", job.message_id)
        return
    settings = _settings()
    channel = channels.create(str(payload["channel"]), settings)
    language = _language(str(payload.get("language") or ""))
    link = str(payload["link"])
    with force_locale(language):
        title = translated(service.title, language)
        values = {"municipality": settings.municipality_name, "service": title, "link": link}
        subject = _("Link to the e-service %(service)s", **values)
        body = _(
            "Here is the link to the e-service %(service)s, as we talked about: %(link)s\n\n"
            "Best regards, %(municipality)s",
            **values,
        )
        short = _("%(municipality)s: the e-service %(service)s: %(link)s", **values)
    channel.send(
        RenderedNotification(language, subject, body, short, job.idempotency_key), str(payload["address"])
    )
