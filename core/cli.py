"""Kanal's own `flask` commands: migrate, seed demo data, verify the audit chain, show settings, add staff,
and run an outbox worker."""

from __future__ import annotations

import os
import socket
import sys

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core import audit, migrate, outbox, passwords
from core.auth import create_staff_user, find_staff_by_email
from core.config import Settings, settings_table
from core.db import unit_of_work
from core.demo import registered_seeders
from core.models import Role


def _settings() -> Settings:
    settings: Settings = current_app.extensions["kanal.settings"]
    return settings


@click.command("db-upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade_command(revision: str) -> None:
    """Create or update the schema with Alembic."""
    migrate.upgrade(_settings().database_url, revision)
    click.echo(f"Database migrated to {revision}.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Fill an empty database with the fictional municipality Exempelstad; does nothing if already seeded."""
    for name, seed in registered_seeders():
        with unit_of_work():
            lines = seed()
        for line in lines:
            click.echo(line)
        click.echo(f"Seeded {name}.", err=True)


@click.command("verify-audit")
def verify_audit_command() -> None:
    """Recompute the audit log's hash chain; exit 1 if any entry was altered, removed or inserted."""
    with unit_of_work():
        report = audit.verify_chain()
    if report.ok:
        click.echo(f"Audit chain intact: {report.entries_checked} entries verified.")
        return
    where = f"entry {report.first_broken_id}" if report.first_broken_id else "the end of the chain"
    click.echo(f"Audit chain BROKEN at {where}: {report.problem}.", err=True)
    sys.exit(1)


@click.command("settings")
def settings_command() -> None:
    """List every environment variable Kanal reads, with its default."""
    for variable, default, doc in settings_table():
        click.echo(f"{variable:32} {default:28} {doc}")


@click.command("create-staff")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option(
    "--role", "roles", multiple=True, type=click.Choice([role.value for role in Role]), required=True
)
@click.password_option(
    help=f"At least {passwords.MIN_LENGTH} characters and not easy to guess (no common password, name, "
    "e-mail address, keyboard pattern or date); asked for when not given."
)
def create_staff_command(email: str, full_name: str, roles: tuple[str, ...], password: str) -> None:
    """Add a staff account. Messages are in the default language (KANAL_DEFAULT_LANGUAGE)."""
    with force_locale(_settings().default_language):
        try:
            with unit_of_work():
                if find_staff_by_email(email) is not None:
                    raise click.BadParameter(
                        _("A staff account with this e-mail address already exists."), param_hint="'--email'"
                    )
                create_staff_user(email, full_name, password, [Role(role) for role in roles])
        except passwords.WeakPassword as weak:
            raise click.BadParameter(weak.message, param_hint="'--password'") from None
    click.echo(f"Created {email}.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Perform the jobs that are due now, then exit.")
@click.option(
    "--poll-interval", default=1.0, show_default=True, type=click.FloatRange(min=0.01), help="Seconds"
)
@click.option("--batch-limit", type=click.IntRange(min=1), help="Exit after performing this many jobs.")
def worker_command(once: bool, poll_interval: float, batch_limit: int | None) -> None:
    """Perform outbox jobs (e-mail, SMS, webhooks, sealing); SIGTERM or Ctrl-C stops after the current job."""
    # hostname:pid tells an operator which machine and process took a job; it also keeps workers apart.
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    stop = outbox.WorkerStop()
    with stop.on_signals():
        report = outbox.run_worker(
            worker_id, poll_interval=poll_interval, batch_limit=batch_limit, once=once, stop=stop
        )
    click.echo(f"Worker {worker_id} performed {report.performed} jobs.")
    if once and report.errors:
        # In --once mode (cron, deploy hooks) a database fault must show in the exit status.
        click.echo(f"Worker {worker_id} could not reach the outbox {report.errors} times.", err=True)
        sys.exit(1)


commands = [
    db_upgrade_command,
    seed_demo_command,
    verify_audit_command,
    settings_command,
    create_staff_command,
    worker_command,
]
