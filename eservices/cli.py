"""The e-services' `flask` commands: purging expired drafts (run daily by cron or a scheduler)."""

from __future__ import annotations

import click
from flask import current_app

from core.config import Settings
from core.db import unit_of_work
from eservices import filing


@click.command("purge-drafts")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Override for this run: delete every draft nobody has saved for this many days, whatever its "
    "form's own retention. Without it, each form's 'Days an unsent draft is kept' applies, or "
    "KANAL_DRAFT_RETENTION_DAYS for forms that set none.",
)
def purge_drafts_command(days: int | None) -> None:
    """Delete unsent drafts (and their uploaded files) kept past their retention period.

    Each draft is kept for as many days after its last save as its form's settings say (the newest published
    version's "Days an unsent draft is kept"), or KANAL_DRAFT_RETENTION_DAYS when the form sets none.
    """
    settings: Settings = current_app.extensions["kanal.settings"]
    with unit_of_work():
        purged = filing.purge_expired_drafts(settings.draft_retention_days, override_days=days)
    if days is not None:
        click.echo(f"Purged {purged} draft(s) older than {days} days.")
    else:
        click.echo(
            f"Purged {purged} draft(s) past their form's retention period "
            f"(forms without one: {settings.draft_retention_days} days)."
        )


commands = [purge_drafts_command]
