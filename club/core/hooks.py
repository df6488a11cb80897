"""What the core adds to the app: the home entry, the secretariat's latest activity, its commands and tasks."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core import tasks  # noqa: F401  (defines the core's tasks: delivery, sweep, heartbeat)
from club.core.cli import add_commands
from club.core.home import activity_panel
from club.core.registry import registry
from club.permissions import Role


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("core.index", _l("Home"), order=0)
    hooks.home_panel(Role.SECRETARIAT, "core/_home_activity.html", activity_panel, order=100)
    add_commands(app)
