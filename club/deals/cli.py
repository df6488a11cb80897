"""``flask deals remind``: one email per owner listing their overdue next steps (idempotent per day)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from club.core.timezones import local_today

deals_cli = AppGroup("deals", help="Deals: the reminders of overdue next steps.")


@deals_cli.command("remind")
@click.option("--date", "on", default=None, help="Pretend today is this date (YYYY-MM-DD).")
def remind(on: str | None):
    """Queue reminders of overdue next steps, one email per deal owner, at most once a day."""
    from datetime import date

    from club.core.outbox import commit_and_dispatch
    from club.deals.services import remind_owners

    today = date.fromisoformat(on) if on else local_today()
    queued = remind_owners(today)
    commit_and_dispatch()
    click.echo(f"{queued} reminder(s) queued.")
