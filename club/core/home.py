"""What each role's home shows: the panels the domains add with ``registry(app).home_panel``."""

from __future__ import annotations

import sqlalchemy as sa

from club.core.models import AuditEvent, OutboxStatus
from club.core.outbox import counts_by_status
from club.core.registry import registry
from club.extensions import db


def home_context(user) -> dict:
    return {"panels": [{"template": panel.template, **panel.context(user)}
                       for panel in registry().panels if panel.role == user.role]}


def activity_panel(user) -> dict:
    """The secretariat's latest activity and outgoing mail (the core's own panel, shown last)."""
    by_status = counts_by_status()
    return {
        "pending_mail": sum(by_status.get(s, 0) for s in (OutboxStatus.PENDING, OutboxStatus.SENDING,
                                                           OutboxStatus.FAILED)),
        "logged_mail": by_status.get(OutboxStatus.LOGGED, 0),
        "recent_events": list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10))),
    }
