"""``flask missions remind``: the reminder, with the calendar file, to everyone seated on a mission starting in two
days (running it again sends nothing twice)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

missions_cli = AppGroup("missions", help="Missions: the reminders before a mission.")


@missions_cli.command("remind")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (YYYY-MM-DD).")
def remind(on: datetime | None):
    """Queue the reminders of the missions starting in two days (and of those starting sooner not yet reminded)."""
    from club.core.outbox import commit_and_dispatch
    from club.core.timezones import local_today
    from club.missions.services import remind_upcoming

    today = on.date() if on else local_today()
    queued = remind_upcoming(today)
    commit_and_dispatch()
    click.echo(f"{queued} reminder(s) queued.")
