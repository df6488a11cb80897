"""Signed, expiring, single-use tokens for confirmation, invitation and password reset.

A token carries the user id and a fingerprint of the account's secret state (password hash,
confirmation, active flag): once the password changes or the email is confirmed, the same
token no longer matches, so it works once. Nothing is stored and nothing is logged.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from club.auth.models import User
from club.extensions import db


class Purpose(StrEnum):
    CONFIRM = "confirm"
    INVITE = "invite"
    RESET = "reset"


MAX_AGE_SETTING = {
    Purpose.CONFIRM: "CONFIRM_TOKEN_MAX_AGE",
    Purpose.INVITE: "INVITE_TOKEN_MAX_AGE",
    Purpose.RESET: "RESET_TOKEN_MAX_AGE",
}


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"club-{purpose}")


def _fingerprint(user: User) -> str:
    state = f"{user.email}|{user.password_hash or ''}|{user.confirmed_at or ''}|{user.active}"
    return hashlib.sha256(state.encode()).hexdigest()[:20]


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


class TokenProblem(StrEnum):
    EXPIRED = "expired"
    INVALID = "invalid"


def read_token(token: str, purpose: Purpose) -> tuple[User | None, TokenProblem | None]:
    max_age = current_app.config[MAX_AGE_SETTING[purpose]]
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return None, TokenProblem.EXPIRED
    except BadSignature:
        return None, TokenProblem.INVALID
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None, TokenProblem.INVALID
    user = db.session.get(User, data["u"])
    if user is None or data.get("f") != _fingerprint(user):
        return None, TokenProblem.INVALID
    if purpose != Purpose.CONFIRM and not user.active:
        return None, TokenProblem.INVALID
    return user, None
