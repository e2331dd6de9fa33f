"""Draft retention: `flask purge-drafts` keeps each draft for its form's own "days an unsent draft is kept", the
configured default for forms that set none, and `--days` only when an operator asks for it explicitly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from core import clock
from core.db import db
from core.models import AuditEntry
from eservices import filing
from eservices.filing import Actor
from eservices.models import Channel, Service
from forms.models import Draft, Form
from tests.builders import make_resident
from tests.conftest import running_app, test_environ
from tests.eservices.filing_helpers import make_eservice, publish, small_form


def start(service: Service) -> Draft:
    resident = make_resident()
    return filing.start_draft(service, Actor.resident(resident), Channel.SELF_SERVICE, resident)


def form_with_retention(days: int | None, key: str) -> Service:
    definition = small_form() if days is None else small_form(draft_retention_days=days)
    definition["key"] = key
    return make_eservice(definition)


def remaining(*drafts: Draft) -> list[int]:
    ids = [draft.id for draft in drafts]  # before expiring: a purged draft cannot be loaded again
    db.expire_all()
    return sorted(db.scalars(select(Draft.id).where(Draft.id.in_(ids))))


def test_a_form_with_seven_days_loses_a_ten_day_old_draft_while_a_default_forms_draft_stays(
    app: Flask, runner: FlaskCliRunner
) -> None:
    short = start(form_with_retention(7, "short-retention"))
    default = start(form_with_retention(None, "default-retention"))
    db.commit()
    clock.advance(dt.timedelta(days=10))

    result = runner.invoke(args=["purge-drafts"])

    assert result.exit_code == 0, result.output
    assert (
        "Purged 1 draft(s) past their form's retention period (forms without one: 30 days)." in result.output
    )
    assert remaining(short, default) == [default.id]

    clock.advance(dt.timedelta(days=20, minutes=1))  # 30 days and a minute since the last save
    again = runner.invoke(args=["purge-drafts"])

    assert "Purged 1 draft(s)" in again.output
    assert remaining(default) == []


def test_a_form_may_keep_drafts_longer_than_the_default(app: Flask, runner: FlaskCliRunner) -> None:
    long = start(form_with_retention(90, "long-retention"))
    db.commit()
    clock.advance(dt.timedelta(days=60))

    assert "Purged 0 draft(s)" in runner.invoke(args=["purge-drafts"]).output
    assert remaining(long) == [long.id]

    clock.advance(dt.timedelta(days=31))
    assert "Purged 1 draft(s)" in runner.invoke(args=["purge-drafts"]).output
    assert remaining(long) == []


def test_the_newest_published_version_decides_for_drafts_started_on_older_ones(app: Flask) -> None:
    service = form_with_retention(60, "changed-retention")
    started_on_first = start(service)
    form = db.get(Form, service.form_id)
    assert form is not None
    shortened = small_form(draft_retention_days=7)
    shortened["key"] = "changed-retention"
    publish(shortened, form)
    clock.advance(dt.timedelta(days=8))

    assert filing.purge_expired_drafts(30) == 1
    assert remaining(started_on_first) == []


def test_days_overrides_every_forms_retention_and_says_so(app: Flask, runner: FlaskCliRunner) -> None:
    long = start(form_with_retention(90, "long-retention"))
    short = start(form_with_retention(7, "short-retention"))
    db.commit()
    clock.advance(dt.timedelta(days=5))

    kept = runner.invoke(args=["purge-drafts", "--days", "6"])
    clock.advance(dt.timedelta(days=2))
    purged = runner.invoke(args=["purge-drafts", "--days", "6"])

    assert "Purged 0 draft(s) older than 6 days." in kept.output
    assert "Purged 2 draft(s) older than 6 days." in purged.output
    assert remaining(long, short) == []
    db.rollback()
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "purge", AuditEntry.subject_kind == "draft")
    ).all()
    assert [entry.details["drafts"] for entry in entries] == [2]
    assert entries[0].details["days"] == 6


def test_the_help_explains_the_retention_and_the_override(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["purge-drafts", "--help"])

    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "KANAL_DRAFT_RETENTION_DAYS" in text
    assert "--days" in text and "Override for this run" in text


def test_a_days_value_below_one_is_refused_with_a_clear_message(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["purge-drafts", "--days", "0"])

    assert result.exit_code == 2
    assert "Invalid value for '--days'" in result.output


def test_the_purge_audit_entry_names_the_retention_periods_used(app: Flask) -> None:
    start(form_with_retention(7, "short-retention"))
    start(form_with_retention(None, "default-retention"))
    start(form_with_retention(None, "another-default"))
    clock.advance(dt.timedelta(days=31))

    assert filing.purge_expired_drafts(30) == 3

    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "purge"))
    assert entry is None  # queued on the transaction; written when it commits
    db.commit()
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "purge"))
    assert entry is not None
    assert entry.details["per_retention_days"] == {"7": 1, "30": 2}
    assert entry.details["days"] is None and entry.details["default_days"] == 30


@pytest.fixture
def five_day_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    with running_app(
        test_environ(database_url, tmp_path, KANAL_DRAFT_RETENTION_DAYS="5"), csrf=False
    ) as application:
        yield application


def test_the_configured_default_applies_to_forms_that_set_no_retention(five_day_app: Flask) -> None:
    runner = five_day_app.test_cli_runner()
    default = start(form_with_retention(None, "default-retention"))
    own = start(form_with_retention(30, "own-retention"))
    db.commit()
    clock.advance(dt.timedelta(days=6))

    result = runner.invoke(args=["purge-drafts"])

    assert (
        "Purged 1 draft(s) past their form's retention period (forms without one: 5 days)." in result.output
    )
    assert remaining(default, own) == [own.id]
