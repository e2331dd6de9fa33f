"""The e-services' `flask` commands: purging expired drafts (run daily by cron or a scheduler)."""

from __future__ import annotations

import click

from core.db import unit_of_work
from eservices import filing


@click.command("purge-drafts")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=filing.DEFAULT_RETENTION_DAYS,
    show_default=True,
    help="Delete drafts nobody has touched for this many days.",
)
def purge_drafts_command(days: int) -> None:
    """Delete unfinished drafts (and their uploaded files) untouched for DAYS days."""
    with unit_of_work():
        purged = filing.purge_expired_drafts(days)
    click.echo(f"Purged {purged} draft(s) older than {days} days.")


commands = [purge_drafts_command]
