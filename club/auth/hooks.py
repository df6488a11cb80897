"""What accounts add to the app: the secretariat's user counts, how account events read, the CLI."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from club.auth.cli import users_cli
from club.auth.models import User
from club.core import audit
from club.core.registry import registry
from club.extensions import db
from club.permissions import Role, visible


def user_counts_panel(user) -> dict:
    return {"user_counts": dict(db.session.execute(
        sa.select(User.role, sa.func.count()).where(User.active.is_(True)).group_by(User.role)).all())}


def _users(ids, user) -> dict:
    if getattr(user, "role", None) != Role.SECRETARIAT:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name, visible(User, user)).where(User.id.in_(ids)))
    return {uid: (name, url_for("admin.user", user_id=uid) if opens else None) for uid, name, opens in rows}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.home_panel(Role.SECRETARIAT, "auth/_home_secretariat.html", user_counts_panel, order=0, shared=True)
    hooks.action_labels({
        "user.registered": _l("Account created (self-registration)"),
        "user.confirmed": _l("Email address confirmed"),
        "user.invited": _l("Invitation sent"),
        "user.invitation_accepted": _l("Invitation accepted"),
        "user.password_changed": _l("Password changed"),
        "user.password_reset": _l("Password reset"),
        "user.profile_updated": _l("Profile updated"),
        "user.access_changed": _l("Role or organisation changed"),
        "user.activated": _l("Account reactivated"),
        "user.deactivated": _l("Account deactivated"),
    })
    hooks.field_labels("user.", {
        "email": _l("Email"),
        "name": _l("Name"),
        "role": audit.Field(_l("Role"), {"secretariat": _l("Secretariat"), "partner": _l("Partner"),
                                          "member": _l("Member contact"), "applicant": _l("Applicant")}),
        "locale": audit.Field(_l("Language"), {"fr": _l("French"), "en": _l("English")}),
        "organization_id": audit.Field(_l("Organisation"), audit.name_of("organizations")),
        "is_admin": audit.Field(_l("Administrator"), audit.yes_no),
        "active": audit.Field(_l("Active"), audit.yes_no),
    })
    hooks.subject("users", _users)
    app.cli.add_command(users_cli)
