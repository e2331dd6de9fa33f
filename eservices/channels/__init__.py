"""Notification channels (e-mail, SMS): the base class, the registry and the channels that come with Kanal.

A channel is a plugin: a `NotificationChannel` subclass in `contrib/<name>/` registered with
`@register("name")`. Importing this package registers the built-in ones.
"""

from __future__ import annotations

from eservices.channels.base import NotificationChannel, Recipient, RenderedNotification
from eservices.channels.registry import ChannelRegistry, register, registry

# Imported for their registration side effect; a municipality's own channel is one more folder and line.
from eservices.channels.contrib.email import plugin as _email  # noqa: F401  isort: skip
from eservices.channels.contrib.sms import plugin as _sms  # noqa: F401  isort: skip

__all__ = [
    "ChannelRegistry",
    "NotificationChannel",
    "Recipient",
    "RenderedNotification",
    "register",
    "registry",
]
