from __future__ import annotations

import logging

import pytest

from club import create_app
from club.config import ConfigError
from tests.conftest import make_test_config, text


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_headers_on_pages_errors_and_fragments(client, factories, login_as):
    assert_security_headers(client.get("/auth/login"))
    assert_security_headers(client.get("/no/such/page"))
    login_as(factories.UserFactory(admin=True))
    fragment = client.get("/admin/users", headers={"HX-Request": "true"})
    assert_security_headers(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "no-store"


def test_authenticated_pages_are_not_cached(client, factories, login_as):
    login_as(factories.UserFactory())
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_hsts_in_production(client, configured):
    with configured(HSTS=True):
        assert "max-age=" in client.get("/auth/login").headers["Strict-Transport-Security"]


def test_error_pages_are_friendly_and_translated(client, factories, login_as):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "Page introuvable" in text(missing)
    assert '<html lang="fr"' in text(missing) and "<title>" in text(missing)
    wrong_method = client.delete("/auth/login")
    assert wrong_method.status_code == 405 and "Cette action n'est pas possible ici" in text(wrong_method)


def test_an_upload_over_the_limit_gets_a_friendly_413(client, configured):
    with configured(MAX_CONTENT_LENGTH=1024):
        response = client.post("/auth/login", data={"email": "a@b.example", "password": "x" * 4096})
    assert response.status_code == 413
    assert "Le fichier est trop volumineux" in text(response)


def test_a_server_error_is_generic_with_an_id_that_is_in_the_log(tmp_path, database_url, caplog):
    app = create_app(make_test_config(database_url, tmp_path))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    from club.permissions import public

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR, logger="club.errors"):
        response = app.test_client().get("/boom")
    body = text(response)
    assert response.status_code == 500
    assert "Une erreur s'est produite" in body and "secret internals" not in body and "Traceback" not in body
    error_id = body.split("Référence de l'erreur : ")[1][:8]
    assert error_id in caplog.text


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("CLUB_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_production_secures_cookies(monkeypatch):
    monkeypatch.setenv("CLUB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"] and not app.debug
    assert app.config["DEMO"] is False


def test_healthz(client):
    from club.core.jobs import beat

    response = client.get("/healthz")
    # Serving, but no worker has ever read the queue: mail and reminders would wait.
    assert response.status_code == 200 and response.json == {"status": "degraded", "worker": "never seen"}
    beat()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_signed_in_costs_one_query_and_a_page_is_kept_from_caches(client, factories, login_as,
                                                                        count_queries):
    """The health check is polled: signed in or not, it reads the heartbeat (which answers for the database too)
    and nothing else: no user loaded, no SELECT 1 before it (SQLite), no rate limit counted. A page that did read
    its user is marked no-store."""
    login_as(factories.UserFactory(admin=True))
    with count_queries() as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and queries.count == 1, queries.statements
    assert "Cache-Control" not in response.headers and "X-RateLimit-Limit" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in client.get("/").headers["Cache-Control"]


def test_healthz_keeps_its_answer_a_moment_when_configured(client, configured, count_queries):
    """A monitor polling hundreds of times a second costs one query per HEALTHZ_CACHE_SECONDS per process."""
    from club.core.jobs import beat

    with configured(HEALTHZ_CACHE_SECONDS=60):
        with count_queries() as first:
            assert client.get("/healthz").json == {"status": "degraded", "worker": "never seen"}
        beat()
        with count_queries() as again:
            assert client.get("/healthz").json == {"status": "degraded", "worker": "never seen"}  # kept
        assert first.count == 1 and again.count == 0
    with configured(HEALTHZ_CACHE_SECONDS=0):
        assert client.get("/healthz").json == {"status": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    app = create_app(make_test_config(f"sqlite:///{tmp_path}/missing-dir/nope.db", tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_a_refused_boosted_post_to_a_post_only_url_is_not_pushed(client, factories, login_as):
    """htmx would otherwise push the POST URL into the address bar, and a reload would answer 405."""
    login_as(factories.UserFactory(admin=True))
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    form_page = client.post("/admin/users/new", data={"email": "not an email"}, headers=boosted)
    assert form_page.status_code in (200, 422) and "HX-Push-Url" not in form_page.headers  # GET works there
    unknown = client.post("/admin/users/999999/deactivate", headers=boosted)  # POST-only, a 404 page
    assert unknown.status_code == 404 and unknown.headers["HX-Push-Url"] == "false"
    plain = client.post("/admin/users/999999/deactivate")  # without htmx: nothing to say
    assert "HX-Push-Url" not in plain.headers
    signed_out = client.post("/auth/logout", headers=boosted)  # POST-only, answers a redirect: left alone
    assert signed_out.status_code == 303 and "HX-Push-Url" not in signed_out.headers
