"""Per-connection settings: SQLite gets foreign keys, WAL and a busy timeout."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from club.extensions import db


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure(app: Flask) -> None:
    """Attach connection hooks lazily: the engine is created on first use (after gunicorn forks)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {}).setdefault("timeout", 10)
        if not getattr(configure, "_listening", False):
            sa.event.listen(sa.engine.Engine, "connect", _on_connect)
            configure._listening = True


def _on_connect(dbapi_connection, record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        _sqlite_pragmas(dbapi_connection, record)


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"
