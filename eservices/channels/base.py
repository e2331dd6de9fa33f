"""What every notification channel is: given a rendered notification, get it to one recipient's address."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

from core.config import Settings

__all__ = ["NotificationChannel", "Recipient", "RenderedNotification"]


@dataclass(frozen=True)
class Recipient:
    """Only what a channel needs to reach a person: no personnummer, no address beyond the channel's own."""

    language: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class RenderedNotification:
    """A notification's texts in the recipient's language, and the key that identifies this one sending."""

    language: str
    subject: str
    body: str  # the full text, for channels with room for it (e-mail)
    short_text: str  # one or two sentences, for channels without (SMS)
    idempotency_key: str


class NotificationChannel(abc.ABC):
    """One way of reaching a resident. Implementations must be safe to call again with the same notification:
    the outbox may retry after a failure, so they pass `idempotency_key` on where the receiving side can use it."""

    name: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abc.abstractmethod
    def address_of(self, recipient: Recipient) -> str | None:
        """Where this channel reaches the recipient, or None if it cannot."""

    @abc.abstractmethod
    def send(self, notification: RenderedNotification, address: str) -> None:
        """Deliver now; raise on any failure so that the outbox tries again later."""
