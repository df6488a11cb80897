"""The core's command-line tools: ``flask --app wsgi worker``, ``… outbox send``, ``… backup create``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

outbox_cli = AppGroup("outbox", help="The mail outbox.")


@outbox_cli.command("send")
@click.option("--limit", default=200, show_default=True, help="At most this many messages.")
@click.option("--retry-failed", is_flag=True, help="Also retry messages that used up their attempts.")
def outbox_send(limit: int, retry_failed: bool):
    """Send the pending messages that are due (a failed attempt waits 1, 2, 4… minutes)."""
    from club.core import outbox

    if retry_failed:
        click.echo(f"{outbox.retry_failed()} failed message(s) queued again.")
    sent = outbox.send_pending(limit=limit)
    if outbox.console_mode():
        click.echo(f"{sent} message(s) written to the log, not sent (no MAIL_SERVER).")
    else:
        click.echo(f"{sent} message(s) sent.")


@click.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Tasks run at once in this process.")
@click.option("--no-periodic", is_flag=True, help="Run queued tasks only; leave the periodic jobs to other hosts.")
def worker_command(threads: int, no_periodic: bool):
    """Run the background worker: mail delivery, the outbox sweep, reminders (Ctrl-C stops it)."""
    from flask import current_app

    from club.core.jobs import run_worker

    run_worker(current_app._get_current_object(), threads=threads, periodic=not no_periodic)


backup_cli = AppGroup("backup", help="Back up and restore the database and the uploaded files.")


@backup_cli.command("create")
@click.option("--output", default="instance/backups", show_default=True, help="Folder for the archive.")
def backup_create(output: str):
    """Write a backup archive (database + uploaded files)."""
    from club.core import backup

    click.echo(str(backup.create(output)))


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm: the current data is replaced.")
def backup_restore(archive: str, yes: bool):
    """Replace the database and the uploaded files with those of ARCHIVE."""
    from club.core import backup

    if not yes:
        raise click.ClickException("restoring replaces every current record: add --yes to confirm")
    backup.restore(archive)
    click.echo("Restored.")


def add_commands(app: Flask) -> None:
    app.cli.add_command(backup_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(worker_command)
