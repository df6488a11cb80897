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
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    from club.core.freshness import install

    install()
    if uri.startswith("sqlite"):
        if not getattr(configure, "_listening", False):
            sa.event.listen(sa.engine.Engine, "connect", _on_connect)
            configure._listening = True


def configure_engine(app: Flask) -> None:
    """Once the app's engine exists (``db.init_app``): PostgreSQL connections get the planner's cost of a page read
    out of order (``club.config.random_page_cost``), set once as each pooled connection opens, so no request pays
    for it. A ``SET`` rather than a startup option: it leaves ``PGOPTIONS`` and the URL's options alone, and PgBouncer
    (which refuses unknown startup parameters) lets it through; in PgBouncer's transaction mode a session setting
    does not follow the client, so there set it on the server (``ALTER DATABASE ... SET random_page_cost``)."""
    cost = app.config.get("POSTGRES_RANDOM_PAGE_COST")
    if not cost or not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    statement = f"SET random_page_cost = {float(cost)!r}"  # a number, checked by the configuration

    def set_cost(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(statement)
        dbapi_connection.commit()  # psycopg opened a transaction for the SET: end it, the setting stays

    with app.app_context():
        sa.event.listen(db.engine, "connect", set_cost)


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
