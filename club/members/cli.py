"""``flask members remind-dues YEAR``: one reminder per active member with unpaid dues, through the outbox."""

from __future__ import annotations

import click
from flask.cli import AppGroup

members_cli = AppGroup("members", help="Members: the dues reminders.")


@members_cli.command("remind-dues")
@click.argument("year", type=click.IntRange(2000, 2100))
def remind_dues_command(year: int):
    """Queue dues reminders for YEAR (running it again sends nothing twice)."""
    from club.core.outbox import commit_and_dispatch
    from club.members.services import remind_dues

    queued = remind_dues(year)
    commit_and_dispatch()
    click.echo(f"{queued} reminder(s) queued for {year}.")
