"""Accounts from the command line: ``flask --app wsgi users create-admin``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create-admin")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", required=True, help="The administrator's full name.")
def create_admin(email: str, name: str):
    """Invite a first secretariat administrator (the invitation link is emailed through the outbox)."""
    from club.auth import services
    from club.core.outbox import commit_and_dispatch
    from club.permissions import Role

    if services.email_exists(email):
        raise click.ClickException(f"{email} already has an account")
    services.invite(email=email, name=name, role=Role.SECRETARIAT, is_admin=True, organization_id=None, by=None)
    commit_and_dispatch()
    click.echo(f"Invitation queued for {email}.")
