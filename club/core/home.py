"""What each role's home shows: the panels the domains add with ``registry(app).home_panel``."""

from __future__ import annotations

import sqlalchemy as sa

from club.core.models import AuditEvent, OutboxStatus
from club.core.outbox import counts_by_status
from club.core.registry import registry
from club.extensions import db


def home_context(user) -> dict:
    return {"panels": [_shared(panel, user) if panel.shared else {"template": panel.template, **panel.context(user)}
                       for panel in registry().panels if panel.role == user.role]}


def _shared(panel, user) -> dict:
    """A panel the same for every user of the role, rendered once per change of the data, per language and day."""
    from flask import render_template
    from markupsafe import Markup

    from club.core.freshness import fresh
    from club.core.timezones import local_today
    from club.formats import _locale

    def render() -> Markup:
        return Markup(render_template(panel.template, panel={"template": panel.template, **panel.context(user)}))  # noqa: S704 - rendered by Jinja, escaped there

    key = ("home.panel", panel.template, user.role.value, str(_locale()), local_today())
    return {"template": panel.template, "html": fresh(key, render)}


def activity_panel(user) -> dict:
    """The secretariat's latest activity and outgoing mail (the core's own panel, shown last)."""
    by_status = counts_by_status()
    return {
        "pending_mail": sum(by_status.get(s, 0) for s in (OutboxStatus.PENDING, OutboxStatus.SENDING,
                                                           OutboxStatus.FAILED)),
        "logged_mail": by_status.get(OutboxStatus.LOGGED, 0),
        "recent_events": list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10))),
    }
