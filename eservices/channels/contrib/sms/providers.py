"""SMS providers: the interface an SMS gateway implements, their registry, and the log-only provider.

A real gateway (a municipality's contracted operator) is a `SmsProvider` subclass registered with
`@register_provider("name")` and chosen with KANAL_SMS_PROVIDER.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable

from core.config import Settings

__all__ = ["LogOnlySmsProvider", "SmsProvider", "create_provider", "mask_phone", "register_provider"]

logger = logging.getLogger(__name__)


class SmsProvider(abc.ABC):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abc.abstractmethod
    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        """Send one SMS; raise on failure. Gateways that deduplicate get `idempotency_key` as their reference."""


ProviderClass = type[SmsProvider]
_providers: dict[str, ProviderClass] = {}


def register_provider(name: str) -> Callable[[ProviderClass], ProviderClass]:
    def decorate(provider: ProviderClass) -> ProviderClass:
        existing = _providers.get(name)
        if existing is not None and existing is not provider:
            raise ValueError(f"an SMS provider named {name!r} is already registered")
        _providers[name] = provider
        return provider

    return decorate


def create_provider(settings: Settings) -> SmsProvider:
    try:
        provider = _providers[settings.sms_provider]
    except KeyError:
        known = ", ".join(sorted(_providers))
        raise LookupError(
            f"KANAL_SMS_PROVIDER names no known SMS provider: {settings.sms_provider!r}; known: {known}"
        ) from None
    return provider(settings)


def mask_phone(phone: str) -> str:
    """Enough of the number to tell messages apart in a log, not enough to identify the person."""
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


@register_provider("log")
class LogOnlySmsProvider(SmsProvider):
    """Writes the SMS to the log instead of sending it: the default, for development and trial installations."""

    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        logger.info("SMS (log only) to %s [%s]: %s", mask_phone(phone), idempotency_key, text)
