"""The SMS channel: the notification's short text to the resident's mobile number, through the configured
provider."""

from __future__ import annotations

from eservices.channels.base import NotificationChannel, Recipient, RenderedNotification
from eservices.channels.contrib.sms.providers import create_provider
from eservices.channels.registry import register

__all__ = ["SmsChannel"]


@register("sms")
class SmsChannel(NotificationChannel):
    def address_of(self, recipient: Recipient) -> str | None:
        return recipient.phone or None

    def send(self, notification: RenderedNotification, address: str) -> None:
        create_provider(self.settings).send(address, notification.short_text, notification.idempotency_key)
