"""Per-connection settings: SQLite gets foreign keys, WAL, a busy timeout and the search's folding function;
PostgreSQL the planner's cost of a page read out of order."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from club.core.text import fold
from club.extensions import db


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # ``club.core.text.folded``: the search's case and accent folding, the same function as in Python.
    dbapi_connection.create_function("club_fold", 1, fold, deterministic=True)


def configure(app: Flask) -> None:
    """Attach connection hooks lazily: the engine is created on first use (after gunicorn forks)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})  # never mutate the shared defaults
    if uri.startswith("sqlite"):
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": 10}
        # A file opened in the process: nothing can drop the connection between requests, so no SELECT 1 before
        # each checkout (PostgreSQL keeps it: a server restart or an idle timeout does drop connections).
        options["pool_pre_ping"] = False
    elif uri.startswith("postgresql") and app.config.get("POSTGRES_RANDOM_PAGE_COST"):
        # The planner's cost of a page read out of order (club.config.random_page_cost), said as each connection
        # opens: no query pays for it.
        connect_args = dict(options.get("connect_args", {}))
        setting = f"-c random_page_cost={app.config['POSTGRES_RANDOM_PAGE_COST']}"
        connect_args["options"] = f"{connect_args['options']} {setting}" if connect_args.get("options") else setting
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    from club.core.freshness import install

    install()
    if uri.startswith("sqlite"):
        if not getattr(configure, "_listening", False):
            sa.event.listen(sa.engine.Engine, "connect", _on_connect)
            configure._listening = True


def _on_connect(dbapi_connection, record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        _sqlite_pragmas(dbapi_connection, record)


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


# Objects a migration manages by hand, outside the models (autogenerate must neither drop nor add them):
# the members module's substring search index (an FTS5 table on SQLite, a trigram GIN index on PostgreSQL), and the
# data's generation (club/core/freshness.py: kept out of the models so that emptying every table never removes it).
UNMANAGED_PREFIXES = ("organizations_search", "ix_organizations_search_trgm", "data_generation")


def migration_include_name(name, type_, parent_names) -> bool:
    return not (name or "").startswith(UNMANAGED_PREFIXES)
