"""Hostile input never gives a 500: NUL bytes, huge ids, odd query keys, double submits, expired forms
past the rate limit."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from club.auth.models import User
from club.extensions import limiter


def test_nul_bytes_are_refused_not_crashed(client, factories, login_as):
    assert client.post("/auth/register", data={"name": "a\x00b", "email": "a@b.example", "password": "x" * 14,
                                               "confirm": "x" * 14}).status_code == 400
    login_as(factories.UserFactory(admin=True))
    assert client.get("/admin/users?q=a%00b").status_code == 400


def test_ids_too_large_for_the_database_are_not_found(client, factories, login_as):
    login_as(factories.UserFactory(admin=True))
    assert client.get("/admin/users/99999999999999999999").status_code == 404
    assert client.get("/admin/users/2147483648").status_code == 404


def test_query_keys_cannot_steer_link_building(client, factories, login_as):
    login_as(factories.UserFactory(admin=True))
    for n in range(55):
        factories.UserFactory(name=f"U{n:02d}")
    for query in ("endpoint=x", "_scheme=x", "_anchor=x", "_method=x", "_external=1", "values=1"):
        response = client.get(f"/admin/users?{query}")
        assert response.status_code == 200, query
        assert 'href="http' not in response.get_data(as_text=True).split("pagination")[1], query


def test_an_expired_form_past_the_rate_limit_gets_429(client, configured):
    limiter.reset()
    with configured(WTF_CSRF_ENABLED=True, RATELIMIT_LOGIN="3 per minute"):
        codes = [client.post("/auth/login", data={"email": "a@b.example", "password": "x"}).status_code
                 for _ in range(5)]
    limiter.reset()
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_registration_is_rate_limited_per_account(app, configured, outbox):
    limiter.reset()
    with configured(RATELIMIT_SENSITIVE="2 per minute"):
        codes = []
        for n in range(3):
            other_ip = app.test_client()
            codes.append(other_ip.post("/auth/register", environ_base={"REMOTE_ADDR": f"10.1.0.{n}"}, data={
                "name": "V", "email": "victim@example.org", "password": "a long passphrase", "confirm":
                "a long passphrase", "locale": "fr"}).status_code)
    limiter.reset()
    assert codes == [303, 303, 429]


def test_a_double_submit_creates_one_account(app, db):
    data = {"name": "Twin", "email": "twin@example.org", "password": "a long passphrase", "confirm":
            "a long passphrase", "locale": "fr"}
    codes = []
    barrier = threading.Barrier(2)

    def submit():
        client = app.test_client()
        barrier.wait()
        codes.append(client.post("/auth/register", data=data).status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303, 303]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_demo_is_refused_outside_demo_mode(app, db, configured):
    with configured(DEMO=False):
        result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def _cursor(values) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# Every query key a view reads, each given what a forger would send: a number out of every database
# integer's range, a negative, text, a lone surrogate or a NUL inside a cursor, an undecodable escape.
HOSTILE_VALUES = [
    "99999999999999999999",
    "-2147483649",
    "9223372036854775808",
    "x",
    "%ED%A0%80",
    _cursor(["\ud800", 1]),
    _cursor(["a\u0000b", 1]),
    _cursor([99999999999999999999, 99999999999999999999]),
    _cursor([None, "x"]),
]
HOSTILE_KEYS = ("q", "page", "after", "before", "last", "status", "role", "organization_id", "org", "kind",
                "stage", "to_stage", "to_status", "call_id", "province", "year", "sort", "owner_id", "tier",
                "trade", "state", "next", "reviewer_id", "deal_id", "mission_id")


def test_forged_query_arguments_and_cursors_never_answer_500(app, demo_world, login_as):
    """Generated from the URL map: a new page is probed the day it is added (both databases)."""
    from urllib.parse import urlencode

    from tests.test_access import build_url

    db = demo_world
    admin = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        url = build_url(app, rule)
        for value in HOSTILE_VALUES:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = admin.get_id()
            query = urlencode({key: value for key in HOSTILE_KEYS})
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append(f"GET {url}?…={value!r}: {response.status_code}")
            db.session.rollback()
    assert failures == []


def test_a_value_the_database_cannot_hold_is_a_400_not_a_500(database_url, tmp_path, db, caplog):
    """The general rule behind the walk above, on a view written without any care."""
    import json
    import logging

    from flask import request

    from club import create_app
    from club.extensions import db as database
    from club.permissions import public
    from tests.conftest import make_test_config

    app = create_app(make_test_config(database_url, tmp_path))

    @app.route("/probe")
    @public
    def probe():
        n = int(request.args.get("n", "1"))
        name = json.loads(request.args.get("name", '"x"'))
        database.session.scalars(sa.select(User).where(User.id == n, User.name == name)).all()
        return "ok"

    client = app.test_client()
    assert client.get("/probe").status_code == 200
    with caplog.at_level(logging.WARNING, logger="club.errors"):
        assert client.get("/probe?n=99999999999999999999").status_code == 400
        assert client.get("/probe", query_string={"name": '"\\ud800"'}).status_code == 400
    assert client.get("/probe?n=1&name=%22a%5Cu0000b%22").status_code in (200, 400)  # NUL: SQLite stores it
    assert "Traceback" not in caplog.text
    assert "a value the database cannot hold" in caplog.text
    # A lone surrogate or a NUL in the request itself is refused before any view runs.
    assert client.get("/probe?q=a%00b").status_code == 400
