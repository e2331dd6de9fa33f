"""The e-mail channel: plain-text mail to the resident's address through the SMTP server in the settings.

The Message-ID is derived from the outbox job's idempotency key, so a message sent again after a worker died
between sending and recording it carries the same Message-ID and the receiving side can recognise the resend.
"""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime

from core import clock
from eservices.channels.base import NotificationChannel, Recipient, RenderedNotification
from eservices.channels.registry import register

__all__ = ["SMTP_TIMEOUT_SECONDS", "EmailChannel", "message_id_for"]

# Long enough for a slow server, short enough that a hanging one does not hold a worker for minutes.
SMTP_TIMEOUT_SECONDS = 20


def message_id_for(idempotency_key: str, sender: str) -> str:
    """The Message-ID for one notification: a hash of its key (which names the case) at the sender's domain."""
    domain = sender.rpartition("@")[2] or "kanal.invalid"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


@register("email")
class EmailChannel(NotificationChannel):
    def address_of(self, recipient: Recipient) -> str | None:
        return recipient.email or None

    def build_message(self, notification: RenderedNotification, address: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_sender
        message["To"] = address
        message["Subject"] = notification.subject
        message["Message-ID"] = message_id_for(notification.idempotency_key, self.settings.mail_sender)
        message["Date"] = format_datetime(clock.now())
        # Tells mail servers and clients not to answer with vacation replies (RFC 3834).
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(notification.body)
        # After set_content, which replaces every Content-* header.
        message["Content-Language"] = notification.language
        return message

    def send(self, notification: RenderedNotification, address: str) -> None:
        message = self.build_message(notification, address)
        with smtplib.SMTP(
            self.settings.smtp_host, self.settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS
        ) as smtp:
            smtp.send_message(message)
