"""Figures computed once per change of the data, exact in every process.

Every transaction that wrote a row bumps one number as it commits, the data's generation (table
``data_generation``, one row, created by its migration and kept outside the models: emptying the tables never
removes it). A figure computed at generation N is served from this process's memory while the generation is still
N: a request asks for the generation once (one query by primary key), and the first write anywhere, in any
process, makes every figure computed before it be computed again. So a count on a page is the count of the data as
committed, never a few seconds late, and a page read a hundred times a second between two changes computes its
figures once.

The writes are seen at the connection (``before_cursor_execute``), whoever makes them: the ORM, a bulk update, a
job, a test emptying the tables. Only figures the same for everyone who reads them may be kept this way (the
secretariat's club-wide counts); the key says everything the value depends on (a year, a day, a language).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa

from club.extensions import db

TABLE = "data_generation"
# Writes that change no figure: a worker saying it is alive (every few seconds).
QUIET_TABLES = ("worker_heartbeats",)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_BUMP = f"UPDATE {TABLE} SET generation = generation + 1 WHERE id = 1"  # noqa: S608 - constants only
_READ = sa.text(f"SELECT generation FROM {TABLE} WHERE id = 1")  # noqa: S608 - constants only
_MEMO = "club.data_generation"

T = TypeVar("T")


class Recent:
    """The values kept lately in this process, the oldest forgotten past ``size``."""

    def __init__(self, size: int = 256):
        self.size, self.items = size, {}

    def get(self, key):
        return self.items.get(key)

    def put(self, key, value):
        if len(self.items) >= self.size:
            self.items.pop(next(iter(self.items)), None)
        self.items[key] = value
        return value

    def clear(self) -> None:
        self.items.clear()


_FIGURES = Recent(512)


def generation() -> int | None:
    """The data's generation as this transaction sees it (asked once per transaction; ``None`` when the row is
    missing, and then nothing is kept)."""
    session = db.session()
    if _MEMO not in session.info:
        session.info[_MEMO] = session.scalar(_READ)
    return session.info[_MEMO]


def fresh(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``key``, computed again only when the data changed since it was last computed.
    The value must be plain data (numbers, strings, tuples, dicts of them), never rows bound to a session."""
    return fresh_many([key], lambda missing: {key: compute()})[key]


def fresh_many(keys: list[Hashable], compute: Callable[[list[Hashable]], dict]) -> dict:
    """``fresh`` for several values a page shows together: those not kept are computed by one call,
    ``compute(missing keys) -> {key: value}`` (one query for all of them, so a page costs the same whatever their
    number)."""
    current = None if _wrote() else generation()  # a transaction that wrote sees rows no kept value counted
    found, missing = {}, []
    for key in keys:
        entry = _FIGURES.get(key) if current is not None else None
        if entry is not None and entry[0] == current:
            found[key] = entry[1]
        elif key not in missing:
            missing.append(key)
    if missing:
        computed = compute(missing)
        keep = current is not None and not _wrote()  # nor is what it computed kept: it may yet be rolled back
        for key in missing:
            found[key] = computed[key]
            if keep:
                _FIGURES.put(key, (current, computed[key]))
    return found


def _wrote() -> bool:
    """Whether the session's transaction has written anything not yet committed, flushed or still pending (a
    pending change would be flushed by the figure's own query: its rows count)."""
    session = db.session()
    if session.new or session.deleted or session.identity_map.check_modified():
        return True
    return session.in_transaction() and bool(session.connection().info.get("club.wrote"))


def forget() -> None:
    """Forget every kept figure of this process."""
    _FIGURES.clear()


# --- seeing the writes ---------------------------------------------------------------------------------------------

def _on_execute(conn, cursor, statement: str, parameters, context, executemany) -> None:
    head = statement.lstrip()[:7].upper()
    if head.startswith(_WRITES) and not any(table in statement[:200] for table in QUIET_TABLES):
        conn.info["club.wrote"] = True


_EXISTS = {
    "sqlite": f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{TABLE}'",  # noqa: S608
    "postgresql": f"SELECT 1 WHERE to_regclass('{TABLE}') IS NOT NULL",  # noqa: S608
}


def _on_commit(conn) -> None:
    """Bump the generation in the committing transaction (its last statement: the row is locked only while the
    transaction commits, so writers never wait on each other for it in a cycle). Before its migration (or after
    its downgrade) the table is not there: nothing to bump."""
    if not conn.info.pop("club.wrote", False):
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_EXISTS[conn.dialect.name])
        if cursor.fetchone():
            cursor.execute(_BUMP)
    finally:
        cursor.close()


def _on_rollback(conn) -> None:
    conn.info.pop("club.wrote", None)


def _forget_memo(session, *args) -> None:
    session.info.pop(_MEMO, None)


def install() -> None:
    """Listen to every engine's writes and commits and every session's transactions (once per process)."""
    if getattr(install, "_done", False):
        return
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", _on_execute)
    sa.event.listen(sa.engine.Engine, "commit", _on_commit)
    sa.event.listen(sa.engine.Engine, "rollback", _on_rollback)
    for name in ("after_commit", "after_soft_rollback"):
        sa.event.listen(sa.orm.Session, name, _forget_memo)
    install._done = True
