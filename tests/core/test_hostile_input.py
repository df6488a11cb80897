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
