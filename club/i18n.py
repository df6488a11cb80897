"""Languages: French by default, English; the user's choice is kept on the user (or in the session)."""

from __future__ import annotations

from flask import current_app, session
from flask_login import current_user

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    """The club's zone as a zoneinfo object (a name would make Flask-Babel build a pytz one). The dates and times
    shown are converted by ``club.formats`` with zoneinfo, not by Flask-Babel's pytz-style rebasing."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
