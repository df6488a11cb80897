"""Account services: they add, flush, audit and queue mail; the caller commits."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from club.auth import passwords
from club.auth.models import User
from club.auth.tokens import Purpose, make_token
from club.core import audit
from club.core.outbox import queue_mail
from club.core.refusals import Refused
from club.core.urls import absolute_url
from club.extensions import db
from club.models import utcnow
from club.permissions import Role

log = logging.getLogger("club.security")

INVITABLE_ROLES = (Role.SECRETARIAT, Role.PARTNER, Role.MEMBER)

class _Secretariat:
    name = _l("The club's secretariat")


_SECRETARIAT = _Secretariat()


class EmailTaken(Refused):
    """An account with this address exists already (at the form's ``email`` field)."""

    def __init__(self, email: str):
        super().__init__(_l("A user with this email already exists."), field="email")
        self.email = email


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def email_exists(email: str, *, except_id: int | None = None) -> bool:
    stmt = sa.select(sa.func.count()).select_from(User).where(User.email == email.strip().lower())
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) > 0


def _mail(user: User, template: str, subject, **context) -> None:
    queue_mail(template, user.email, subject=subject, locale=user.locale, context={"user": user, **context})


def authenticate(email: str, password: str) -> User | None:
    """The user when the password is right and the account is active; ``None`` otherwise."""
    user = find_by_email(email)
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        log.warning("login failed for %s", "a known account" if user else "an unknown email")
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    log.info("login of user %s", user.id)


def end_other_sessions(user: User) -> None:
    """Invalidate every session and remember cookie of this user (they carry the version)."""
    user.session_version = (user.session_version or 0) + 1


def register_applicant(*, name: str, email: str, password: str, locale: str) -> User | None:
    """Create an unconfirmed applicant and mail the confirmation link.

    When the address already has an account nothing is created, and its owner is told by mail,
    so the page cannot be used to learn which addresses have accounts.
    """
    existing = find_by_email(email)
    password_hash = passwords.hash_password(password)  # on both paths, so timing tells nothing
    if existing is not None:
        _mail(existing, "auth_already_registered", _l("You already have an account"),
              login_url=absolute_url("auth.login"), reset_url=absolute_url("auth.forgot"))
        return None
    user = User(email=email.strip().lower(), name=name, role=Role.APPLICANT, locale=locale,
                password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    audit.record("user.registered", user, by=user, changes={"email": [None, user.email], "role": [None, "applicant"]})
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    token = make_token(user, Purpose.CONFIRM)
    _mail(user, "auth_confirm", _l("Confirm your email address"),
          url=absolute_url("auth.confirm", token=token))


def confirm_email(user: User) -> None:
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
        audit.record("user.confirmed", user, by=user)


def request_reset(email: str) -> None:
    user = find_by_email(email)
    if user is None or not user.active:
        log.info("password reset asked for an address without an active account")
        return
    token = make_token(user, Purpose.RESET)
    _mail(user, "auth_reset", _l("Reset your password"), url=absolute_url("auth.reset", token=token))
    log.info("password reset mailed to user %s", user.id)


def set_password(user: User, password: str, *, by: User | None = None, action: str = "user.password_changed") -> None:
    user.password_hash = passwords.hash_password(password)
    end_other_sessions(user)
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    audit.record(action, user, by=by or user)


def update_profile(user: User, *, name: str, locale: str) -> None:
    changes = {}
    if user.name != name:
        changes["name"] = [user.name, name]
    if user.locale != locale:
        changes["locale"] = [user.locale, locale]
    user.name, user.locale = name, locale
    if changes:
        audit.record("user.profile_updated", user, by=user, changes=changes)


def invite(*, email: str, name: str, role: Role, is_admin: bool, organization_id: int | None,
           by: User | None) -> User:
    if role not in INVITABLE_ROLES:
        raise ValueError("role cannot be invited")
    if email_exists(email):
        raise EmailTaken(email)
    user = User(email=email.strip().lower(), name=name, role=role, is_admin=bool(is_admin and role == Role.SECRETARIAT),
                organization_id=organization_id, locale=getattr(by, "locale", None) or "fr", invited_at=utcnow())
    db.session.add(user)
    db.session.flush()
    audit.record("user.invited", user, by=by, changes={"email": [None, user.email], "role": [None, role.value],
                                                       "organization_id": [None, organization_id]})
    send_invitation(user, by=by)
    return user


def send_invitation(user: User, *, by: User | None) -> None:
    user.invited_at = utcnow()
    token = make_token(user, Purpose.INVITE)
    _mail(user, "auth_invite", _l("You are invited to the Club de l'Offshoring de l'Oriental"),
          url=absolute_url("auth.invitation", token=token), inviter=by or _SECRETARIAT)


def change_access(user: User, *, role: Role, is_admin: bool, organization_id: int | None, by: User) -> dict:
    is_admin = bool(is_admin and role == Role.SECRETARIAT)
    changes = {}
    for field, value in (("role", role), ("is_admin", is_admin), ("organization_id", organization_id)):
        old = getattr(user, field)
        if old != value:
            changes[field] = [old.value if isinstance(old, Role) else old, value.value if isinstance(value, Role) else value]
            setattr(user, field, value)
    if changes:
        end_other_sessions(user)
        audit.record("user.access_changed", user, by=by, changes=changes)
    return changes


def set_active(user: User, active: bool, *, by: User) -> None:
    if user.active == active:
        return
    user.active = active
    end_other_sessions(user)
    audit.record("user.activated" if active else "user.deactivated", user, by=by,
                 changes={"active": [not active, active]})
