"""What members add to the app: the navigation entry, home panels, how its events read, the demo, the CLI."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core.registry import registry
from club.members import cli, demo, jobs, labels, queries  # noqa: F401  (jobs: defines the periodic dues reminders)
from club.permissions import Role


def secretariat_panel(user) -> dict:
    return {"members_stats": queries.secretariat_stats()}


def member_panel(user) -> dict:
    return {"member_org": queries.member_stats(user)}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("members.index", _l("Members"), order=10)
    hooks.home_panel(Role.SECRETARIAT, "members/_home_secretariat.html", secretariat_panel)
    hooks.home_panel(Role.MEMBER, "members/_home_member.html", member_panel)
    hooks.demo("members", demo.load)
    hooks.action_labels(labels.ACTION_LABELS)
    for prefix, fields in labels.AUDIT_FIELDS.items():
        hooks.field_labels(prefix, fields)
    hooks.subject("organizations", labels.organisation_subjects)
    app.cli.add_command(cli.members_cli)
