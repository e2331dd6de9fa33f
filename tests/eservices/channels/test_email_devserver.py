"""The development mail server keeps what Kanal's e-mail channel sends as readable .eml files."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import Flask

from eservices.channels.base import RenderedNotification
from eservices.channels.contrib.email import devserver
from eservices.channels.contrib.email.plugin import EmailChannel
from tests.app_process import free_port


@pytest.fixture
def mail_folder(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    port = free_port()
    controller = devserver.start(tmp_path / "mail", port=port)
    yield tmp_path / "mail", port
    controller.stop()


def test_a_message_sent_by_the_email_channel_is_kept_as_an_eml_file(
    app: Flask, mail_folder: tuple[Path, int]
) -> None:
    folder, port = mail_folder
    settings = app.extensions["kanal.settings"]
    channel = EmailChannel(dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port))
    notification = RenderedNotification(
        language="sv",
        subject="Vi har tagit emot ditt ärende",
        body="Följ det på Mina sidor.",
        short_text="Vi har tagit emot ditt ärende.",
        idempotency_key="notify:case_submitted:1",
    )

    channel.send(notification, "fatima@example.se")

    [kept] = sorted(folder.glob("*.eml"))
    message = message_from_bytes(kept.read_bytes(), policy=policy.default)
    assert message["To"] == "fatima@example.se"
    assert message["Subject"] == "Vi har tagit emot ditt ärende"
    assert "Följ det på Mina sidor." in message.get_body().get_content()
