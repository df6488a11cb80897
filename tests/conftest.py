"""Fixtures: a real database (SQLite file, or PostgreSQL with DATABASE_URL/TEST_DATABASE_URL), built by
the migrations once per run and emptied after every test; clients, logins, factories, an SMTP server."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

import club.model_index  # noqa: F401  (every model mapped before a test module imports one domain's)
from club import create_app
from club.config import ROOT, normalise_database_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def fresh_database_url(tmp_path_factory, suffix: str = "") -> str:
    """A new empty database for this run: a file on SQLite, a database of its own on PostgreSQL."""
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not base or base.startswith("sqlite"):
        path = tmp_path_factory.mktemp("db") / f"club{suffix}.db"
        return f"sqlite:///{path}"
    url = make_url(normalise_database_url(base))
    checkout = hashlib.sha1(str(ROOT).encode()).hexdigest()[:6]  # several checkouts share one server
    name = f"{url.database or 'club'}_test_{checkout}_{_worker()}{suffix}".lower()
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def make_test_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_LOGIN": "1000 per minute",
        "RATELIMIT_LOGIN_ACCOUNT": "1000 per minute",
        "RATELIMIT_SENSITIVE": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_CONSOLE": False,
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail suppresses mail under TESTING: we test the real thing
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": _free_port(),  # nothing listens: sending fails fast unless a test starts a server
        "MAIL_TIMEOUT": 3,
        "BASE_URL": "http://club.test",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
        # The job queue: a file of this run's own (what `make run` uses, without a server).
        "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return fresh_database_url(tmp_path_factory)


class ClosingClient(FlaskClient):
    """A test client that reads the whole response and closes it, as a WSGI server does: what the app
    does once the response has gone out (sending mail) happens before the test goes on."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    application = create_app(make_test_config(database_url, tmp_path_factory.mktemp("files")))
    application.test_client_class = ClosingClient
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        from club.extensions import db

        db.engine.dispose()


def _empty_all_tables(db):
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by a real WSGI server (Werkzeug, one thread per request) on a free loopback port,
    on the test database: what the test client hides (a response streamed after its request's session is
    gone, real concurrency) shows here. Yields the base URL."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would drown a failure
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@dataclass
class LiveResponse:
    status: int
    headers: dict
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def session_cookie(app, user) -> str:
    """A ``Cookie`` header value signing ``user`` in (the app's own session serializer)."""
    if user is None:
        return ""
    value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": user.get_id(), "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def live_request(url: str, *, cookie: str = "", data: bytes | None = None, headers: dict | None = None,
                 timeout: float = 30) -> LiveResponse:
    """One request through the live server, redirects not followed; the whole body is read."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=data, headers={**({"Cookie": cookie} if cookie else {}),
                                                              **(headers or {})})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return LiveResponse(response.status, {k.lower(): v for k, v in response.headers.items()},
                                response.read())
    except urllib.error.HTTPError as error:
        return LiveResponse(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@pytest.fixture()
def db(app):
    """The database, empty at the start of the test; an app context is pushed."""
    from club.extensions import db as database

    with app.app_context():
        yield database
        database.session.remove()
        _empty_all_tables(database)


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def factories(db):
    from tests import factories as module

    return module


@pytest.fixture()
def login_as(client):
    """Sign a user in on ``client`` (through the session, as Flask-Login would)."""

    def _login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return _login


@pytest.fixture()
def outbox(db):
    """The messages in the outbox, oldest first."""
    from club.core.models import OutboxMessage

    def _messages(**filters):
        db.session.expire_all()
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        for key, value in filters.items():
            stmt = stmt.where(getattr(OutboxMessage, key) == value)
        return list(db.session.scalars(stmt))

    return _messages


@pytest.fixture()
def own_limiter():
    """The limiter is one object bound to the last app that initialised it: give it back as it was."""
    from club.extensions import limiter

    saved = dict(limiter.__dict__)
    yield limiter
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


@pytest.fixture()
def jobs(app, db):
    """The job queue of the test app: ``jobs.run()`` runs every queued task here, as the worker would (the
    reliability tests start real workers: ``tests/core/test_jobs_reliability.py``)."""
    from club.core.jobs import huey

    class Jobs:
        def pending(self) -> list[str]:
            return [task.name for task in huey.pending()]

        def run(self) -> int:
            done = 0
            while (task := huey.dequeue()) is not None:
                huey.execute(task)
                done += 1
            return done

    huey.flush()
    yield Jobs()
    huey.flush()


class SMTPRecorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on loopback, on the port the app sends to."""
    from aiosmtpd.controller import Controller

    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


@contextmanager
def config_changed(app, **values):
    old = {k: app.config.get(k) for k in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(old)


@pytest.fixture()
def configured(app):
    return lambda **values: config_changed(app, **values)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture()
def count_queries(db):
    """``with count_queries() as q: ...; q.count`` — SQL statements run inside the block.

    The session is emptied first, so a request starts as cold as in production.
    """

    @contextmanager
    def _count():
        db.session.remove()
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return _count


@pytest.fixture()
def demo_world(db):
    """The demo world, as ``flask demo`` loads it."""
    from club.demo import load_demo

    load_demo()
    db.session.commit()
    return db




def text(response) -> str:
    """The response body with HTML entities decoded, for assertions on what a user reads."""
    import html

    return html.unescape(response.get_data(as_text=True))
