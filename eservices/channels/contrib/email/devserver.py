"""A local SMTP server for development (`make run`): it accepts every message and keeps it as an .eml file.

E-mail from the demo (receipts of submissions, co-sign requests, callback notices) then reaches a real SMTP
server and can be read, instead of failing and being retried by the outbox. It is built on aiosmtpd, a development
dependency: production points KANAL_SMTP_HOST at the municipality's mail relay instead.

Run: python -m eservices.channels.contrib.email.devserver [--host 127.0.0.1] [--port 1025] [--directory DIR]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import signal
import threading
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from core import clock

logger = logging.getLogger(__name__)


class MailFolder:
    """The server's handler: every accepted message is written to `directory`, one file per message."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        with self._lock:
            # A timestamp first, so the folder lists the newest message last; the counter keeps names unique.
            name = f"{clock.now():%Y%m%dT%H%M%S}-{next(self._numbers):05d}.eml"
            (self.directory / name).write_bytes(content)
        message = message_from_bytes(content, policy=policy.default)
        logger.info("Mail to %s: %s (%s)", ", ".join(envelope.rcpt_tos), message.get("Subject", ""), name)
        return "250 Message accepted for delivery"


def start(directory: Path, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    """Start the server in a thread of its own; `stop()` the returned controller to end it."""
    controller = Controller(MailFolder(directory), hostname=host, port=port)
    controller.start()
    return controller


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--directory", type=Path, default=Path("instance") / "mail")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    stopped = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopped.set())
    controller = start(arguments.directory, arguments.host, arguments.port)
    logger.info(
        "Development mail server on %s:%d, keeping mail in %s",
        arguments.host,
        arguments.port,
        arguments.directory.resolve(),
    )
    try:
        stopped.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
