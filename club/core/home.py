"""What each role's home shows. Domains add panels with ``register_home_panel``."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from club.core.models import AuditEvent, OutboxStatus
from club.core.outbox import counts_by_status
from club.extensions import db
from club.permissions import Role

# (role, template, context function): domains register what they add to a home page.
_PANELS: list[tuple[Role, str, Callable]] = []


def register_home_panel(role: Role, template: str, context: Callable) -> None:
    if all(p[:2] != (role, template) for p in _PANELS):
        _PANELS.append((role, template, context))


def home_context(user) -> dict:
    context: dict = {"panels": []}
    for role, template, fn in _PANELS:
        if role == user.role:
            context["panels"].append({"template": template, **fn(user)})
    if user.role == Role.SECRETARIAT:
        from club.auth.models import User

        context["user_counts"] = dict(
            db.session.execute(sa.select(User.role, sa.func.count()).where(User.active.is_(True)).group_by(User.role)).all()
        )
        by_status = counts_by_status()
        context["pending_mail"] = sum(by_status.get(s, 0) for s in
                                      (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED))
        context["logged_mail"] = by_status.get(OutboxStatus.LOGGED, 0)
        context["recent_events"] = list(
            db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10))
        )
    return context
