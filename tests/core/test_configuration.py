"""Configuration that cannot bite: the built-in key, Redis down, PORT and the links in emails."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from club import create_app
from club.config import DEV_SECRET_KEY, ConfigError, from_environment
from tests.conftest import _free_port, make_test_config, text
from tests.factories import PASSWORD


@pytest.fixture()
def bare_environment(monkeypatch):
    for name in ("CLUB_ENV", "SECRET_KEY", "BASE_URL", "PORT", "REDIS_URL", "MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_built_in_key_is_refused_without_an_explicit_development_environment(bare_environment):
    # `gunicorn wsgi:app` with only DATABASE_URL: the public key would sign every session.
    bare_environment.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    bare_environment.setenv("CLUB_ENV", "staging")
    with pytest.raises(ConfigError):
        create_app()
    # A config dict that names the built-in key is refused the same way.
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": DEV_SECRET_KEY})


def test_explicit_development_or_a_real_key_starts(bare_environment):
    bare_environment.setenv("DATABASE_URL", "sqlite://")
    bare_environment.setenv("CLUB_ENV", "development")
    assert create_app().config["SECRET_KEY"] == DEV_SECRET_KEY
    bare_environment.delenv("CLUB_ENV")
    bare_environment.setenv("SECRET_KEY", "a-real-secret-of-some-length")
    assert create_app().config["SECRET_KEY"] == "a-real-secret-of-some-length"


def test_links_in_emails_follow_the_port(bare_environment):
    assert from_environment()["BASE_URL"] == "http://127.0.0.1:5000"
    bare_environment.setenv("PORT", "5123")
    assert from_environment()["BASE_URL"] == "http://127.0.0.1:5123"
    bare_environment.setenv("BASE_URL", "https://club.example/")
    assert from_environment()["BASE_URL"] == "https://club.example"


def test_make_run_sets_development_and_passes_the_port():
    from club.config import ROOT

    makefile = (ROOT / "Makefile").read_text()
    assert "DEV_ENV := CLUB_ENV=development PORT=$(PORT)" in makefile
    assert "FLASK := $(DEV_ENV)" in makefile



def test_sign_in_works_and_healthz_says_degraded_when_redis_is_unreachable(database_url, tmp_path, db,
                                                                            factories, caplog, own_limiter):
    factories.UserFactory(email="salma@club.example")
    config = make_test_config(database_url, tmp_path)
    config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    app = create_app(config)
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        response = client.post("/auth/login", data={"email": "salma@club.example", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "falling back to in-memory storage" in caplog.text
    # The limits still hold, in memory.
    app.config["RATELIMIT_LOGIN"] = "2 per minute"
    other = app.test_client()
    codes = [other.post("/auth/login", data={"email": "salma@club.example", "password": "wrong!" * 3}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "degraded"


def test_healthz_is_ok_with_memory_limits(client):
    from club.core.jobs import beat

    beat()  # a worker was seen just now
    assert client.get("/healthz").json == {"status": "ok"}


def test_the_429_page_gives_the_real_wait(client, factories, configured):
    from club.extensions import limiter

    factories.UserFactory(email="w@club.example")
    limiter.reset()
    with configured(RATELIMIT_LOGIN="1 per hour"):
        assert client.post("/auth/login", data={"email": "w@club.example", "password": "wrong" * 3}).status_code == 200
        refused = client.post("/auth/login", data={"email": "w@club.example", "password": "wrong" * 3})
    limiter.reset()
    assert refused.status_code == 429
    body = text(refused)
    assert "Pour votre sécurité, patientez 60 minutes avant de réessayer." in body


def test_postgres_connections_say_the_planner_cost_of_a_random_read(bare_environment, db, app):
    """1.1 unless said otherwise (an SSD or a database in memory: PostgreSQL's own 4 made the planner read 300,000
    contacts in full rather than look 2,000 up by key); empty keeps the server's; anything else is refused."""
    assert from_environment()["POSTGRES_RANDOM_PAGE_COST"] == "1.1"
    bare_environment.setenv("POSTGRES_RANDOM_PAGE_COST", " ")
    assert from_environment()["POSTGRES_RANDOM_PAGE_COST"] == ""
    for wrong in ("fast", "-1", "0", "nan"):
        bare_environment.setenv("POSTGRES_RANDOM_PAGE_COST", wrong)
        with pytest.raises(ConfigError, match="POSTGRES_RANDOM_PAGE_COST"):
            from_environment()
    if db.engine.dialect.name == "postgresql":
        assert db.session.scalar(sa.text("SHOW random_page_cost")) == "1.1"
        with db.engine.connect() as conn:  # every pooled connection, whichever a request gets
            assert conn.exec_driver_sql("SHOW random_page_cost").scalar() == "1.1"
