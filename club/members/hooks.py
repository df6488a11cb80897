"""What members add to the app: the navigation entry, home panels, the global search's group, the phone filter,
how its events read, the demo, the CLI."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from club.core.registry import SearchProvider, registry
from club.members import cli, demo, jobs, labels, merging, phones, queries  # noqa: F401  (jobs: defines the dues reminders)
from club.permissions import Role


def secretariat_panel(user) -> dict:
    return {"members_stats": queries.secretariat_stats()}


def member_panel(user) -> dict:
    return {"member_org": queries.member_stats(user)}


def register_filtered_by(term: str) -> str:
    """All the results of the members group: the register, filtered by the term."""
    return url_for("members.index", q=term)


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("members.index", _l("Members"), order=10)
    hooks.home_panel(Role.SECRETARIAT, "members/_home_secretariat.html", secretariat_panel)
    hooks.home_panel(Role.MEMBER, "members/_home_member.html", member_panel)
    hooks.search(SearchProvider("members", _l("Members"), queries.search, order=10, more=register_filtered_by))
    hooks.demo("members", demo.load)
    hooks.action_labels(labels.ACTION_LABELS)
    hooks.audit_fields(labels.AUDIT_FIELDS)
    hooks.action_labels(merging.ACTION_LABELS)
    hooks.audit_fields(merging.AUDIT_FIELDS)
    hooks.subject("organizations", labels.organisation_subjects)
    app.add_template_filter(phones.display, "phone")
    app.cli.add_command(cli.members_cli)
