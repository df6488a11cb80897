"""Settings from the environment; tests pass a dict to ``create_app``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _port() -> str:
    port = (os.environ.get("PORT") or "").strip()
    return port if port.isdigit() else "5000"


class ConfigError(RuntimeError):
    pass


# Public (it is in the source): signs nothing safely. Accepted only with an explicit CLUB_ENV=development.
DEV_SECRET_KEY = "dev-only-not-secret"


def check_secret_key(config: dict) -> None:
    """Refuse to run with the built-in key unless the environment says, explicitly, development.

    Without this, ``gunicorn wsgi:app`` with only ``DATABASE_URL`` would sign sessions with a key anyone
    can read, and a forged cookie would open every page.
    """
    secret = config.get("SECRET_KEY")
    if secret and secret != DEV_SECRET_KEY:
        return
    if config.get("ENV_NAME") == "development" and config.get("ENV_EXPLICIT"):
        return
    raise ConfigError(
        "SECRET_KEY is not set: set SECRET_KEY (production) or CLUB_ENV=development explicitly "
        "(make run does) to use the built-in development key"
    )


def check_month_day(name: str, value: str) -> None:
    from datetime import date

    try:
        month, day = (int(part) for part in value.split("-"))
        date(2024, month, day)  # a leap year: 02-29 is a day some years have
    except ValueError:
        raise ConfigError(f"{name} must be a month and a day, MM-DD (for example 03-01), not {value!r}") from None


def random_page_cost(value: str) -> str:
    """PostgreSQL's planner cost of reading a page out of order, for Club's connections: 1.1 by default, as for any
    server on SSD or with its data in memory (PostgreSQL's own 4 assumes spinning disks, and then prefers reading a
    300,000-row table in full to 2,000 lookups by key). Empty: the server's own setting."""
    value = value.strip()
    try:
        if value and not 0 < float(value) < 1000:
            raise ValueError
    except ValueError:
        raise ConfigError(f"POSTGRES_RANDOM_PAGE_COST must be a positive number (or empty), not {value!r}") from None
    return value


def from_environment() -> dict:
    """Read the configuration. ``CLUB_ENV`` is ``development`` (default) or ``production``."""
    explicit = os.environ.get("CLUB_ENV")
    env = (explicit or "development").strip().lower()
    production = env == "production"
    secret = os.environ.get("SECRET_KEY")
    if production and not secret:
        raise ConfigError("SECRET_KEY must be set when CLUB_ENV=production")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'club.db'}"
    redis_url = os.environ.get("REDIS_URL")
    dues_day = os.environ.get("DUES_REMINDER_DAY", "03-01").strip()
    check_month_day("DUES_REMINDER_DAY", dues_day)
    mail_server = os.environ.get("MAIL_SERVER")
    return {
        "ENV_NAME": env,
        "ENV_EXPLICIT": bool(explicit),
        "DEMO": _bool("CLUB_DEMO", not production),
        "SECRET_KEY": secret or DEV_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # Links in emails: by default the address ``make run`` serves (``PORT``, 5000 when unset).
        "BASE_URL": (os.environ.get("BASE_URL") or f"http://127.0.0.1:{_port()}").rstrip("/"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(12 * 1024 * 1024))),
        # One file in one upload field; below MAX_CONTENT_LENGTH so that an oversized file is a field error.
        "UPLOAD_MAX_SIZE": int(os.environ.get("UPLOAD_MAX_SIZE", str(10 * 1024 * 1024))),
        "SESSION_COOKIE_SECURE": production or _bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_SECURE": production or _bool("SESSION_COOKIE_SECURE"),
        "HSTS": production,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # The job queue: Redis when there is one (several worker hosts share it), else a file (no server).
        "QUEUE_URL": os.environ.get("QUEUE_URL") or redis_url or f"sqlite:///{INSTANCE / 'queue.db'}",
        # From this day of each year (month-day), members with unpaid dues are reminded once.
        "DUES_REMINDER_DAY": dues_day,
        "POSTGRES_RANDOM_PAGE_COST": random_page_cost(os.environ.get("POSTGRES_RANDOM_PAGE_COST", "1.1")),
        "MAIL_SERVER": mail_server or "localhost",
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        # The longest one message's whole conversation with the mail server may last, connection included.
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Club de l'Offshoring <noreply@club.example>"),
        # Without an SMTP server configured, development keeps mail in the outbox (and the log), never sends it.
        "MAIL_CONSOLE": not mail_server and not production,
    }


class Defaults:
    """Values every environment shares; ``from_environment`` and test dicts override them."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    POSTGRES_RANDOM_PAGE_COST = "1.1"
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Africa/Casablanca"
    LANGUAGES = ("fr", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "club_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_NAME = "club_remember"
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Redis unreachable: count in this process's memory (logged) rather than answer every sign-in with 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"
    RATELIMIT_LOGIN_ACCOUNT = "20 per hour"
    RATELIMIT_SENSITIVE = "5 per minute"
    RESET_TOKEN_MAX_AGE = 3600
    CONFIRM_TOKEN_MAX_AGE = 3 * 24 * 3600
    INVITE_TOKEN_MAX_AGE = 7 * 24 * 3600
    PAGE_SIZE = 50
