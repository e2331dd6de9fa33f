"""The registry of notification channels by name; notifications go out on every registered channel that can
reach the recipient."""

from __future__ import annotations

from collections.abc import Callable

from core.config import Settings
from eservices.channels.base import NotificationChannel

__all__ = ["ChannelRegistry", "register", "registry"]

ChannelClass = type[NotificationChannel]


class ChannelRegistry:
    def __init__(self) -> None:
        self._channels: dict[str, ChannelClass] = {}

    def register(self, name: str) -> Callable[[ChannelClass], ChannelClass]:
        """Class decorator: `@register("email")` makes the channel known under that name."""

        def decorate(channel: ChannelClass) -> ChannelClass:
            existing = self._channels.get(name)
            if existing is not None and existing is not channel:
                raise ValueError(f"a notification channel named {name!r} is already registered")
            channel.name = name
            self._channels[name] = channel
            return channel

        return decorate

    def names(self) -> list[str]:
        return sorted(self._channels)

    def create(self, name: str, settings: Settings) -> NotificationChannel:
        try:
            channel = self._channels[name]
        except KeyError:
            raise LookupError(
                f"no notification channel named {name!r}; known: {', '.join(self.names())}"
            ) from None
        return channel(settings)

    def create_all(self, settings: Settings) -> list[NotificationChannel]:
        return [self.create(name, settings) for name in self.names()]


registry = ChannelRegistry()
register = registry.register
