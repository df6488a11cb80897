from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from club.auth.models import User
from club.extensions import limiter
from tests.conftest import text
from tests.factories import PASSWORD


def login(client, email, password, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def test_right_password_signs_in_and_records_the_time(client, factories, db):
    user = factories.UserFactory(email="salma@club.example")
    response = login(client, "Salma@Club.example ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert db.session.get(User, user.id).last_login_at is not None
    home = client.get("/")
    assert home.status_code == 200
    assert "Tableau de bord" in text(home)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, factories):
    factories.UserFactory(email="known@club.example")
    wrong = login(client, "known@club.example", "not the right password")
    unknown = login(client, "nobody@club.example", "not the right password")
    assert wrong.status_code == unknown.status_code == 200
    body_wrong = text(wrong).replace("known@club.example", "EMAIL")
    body_unknown = text(unknown).replace("nobody@club.example", "EMAIL")
    assert body_wrong == body_unknown
    assert "Adresse email ou mot de passe incorrect." in body_wrong


def test_deactivated_account_gets_the_same_answer_as_a_wrong_password(client, factories):
    factories.UserFactory(email="gone@club.example", active=False)
    response = login(client, "gone@club.example", PASSWORD)
    assert "Adresse email ou mot de passe incorrect." in text(response)
    assert client.get("/").status_code == 302


def test_unconfirmed_applicant_is_asked_to_confirm_first(client, factories):
    factories.UserFactory(email="founder@example.org", applicant=True, confirmed_at=None)
    response = login(client, "founder@example.org", PASSWORD)
    assert "Confirmez d'abord votre adresse email" in text(response)
    assert client.get("/").status_code == 302


def test_bad_input_is_reported_at_the_field_and_kept(client):
    response = login(client, "not-an-email", "")
    html = text(response)
    assert response.status_code == 200
    assert "Saisissez une adresse email valide." in html
    assert 'value="not-an-email"' in html
    assert 'aria-invalid="true"' in html


def test_login_is_rate_limited_per_ip(client, factories, configured):
    factories.UserFactory(email="a@club.example")
    limiter.reset()
    with configured(RATELIMIT_LOGIN="3 per minute"):
        for _ in range(3):
            assert login(client, "a@club.example", "wrong password!").status_code == 200
        response = login(client, "a@club.example", PASSWORD)
        assert response.status_code == 429
        assert "Trop de tentatives" in text(response)
    limiter.reset()


def test_failed_sign_ins_lock_the_pair_account_and_address_only(app, factories, configured):
    factories.UserFactory(email="target@club.example")
    limiter.reset()
    with configured(RATELIMIT_LOGIN_ACCOUNT="2 per hour"):
        attacker = {"REMOTE_ADDR": "10.0.0.66"}
        for _ in range(2):
            response = app.test_client().post("/auth/login", data={"email": "target@club.example",
                                                                   "password": "x" * 12}, environ_base=attacker)
            assert response.status_code == 200
        # From the address that failed, the account is locked, even with the right password...
        response = app.test_client().post("/auth/login", data={"email": "target@club.example", "password": PASSWORD},
                                          environ_base=attacker)
        assert response.status_code == 429
        # ...but its owner, elsewhere, still signs in.
        response = app.test_client().post("/auth/login", data={"email": "target@club.example", "password": PASSWORD},
                                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert response.status_code == 303
    limiter.reset()


def test_successful_sign_ins_never_count_toward_the_limit(app, factories, configured):
    factories.UserFactory(email="busy@club.example")
    limiter.reset()
    with configured(RATELIMIT_LOGIN="2 per minute", RATELIMIT_LOGIN_ACCOUNT="2 per hour"):
        for _ in range(5):  # a shared office address, several people signing in
            response = app.test_client().post("/auth/login", data={"email": "busy@club.example", "password": PASSWORD})
            assert response.status_code == 303
    limiter.reset()


def _cookie(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    return None


def test_remember_me_cookie_is_bounded_and_protected(client, factories, configured):
    factories.UserFactory(email="r@club.example")
    with configured(REMEMBER_COOKIE_SECURE=True, SESSION_COOKIE_SECURE=True):
        response = login(client, "r@club.example", PASSWORD, remember="y")
    cookie = _cookie(response, "club_remember")
    assert cookie is not None
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires <= datetime.now(UTC) + timedelta(days=14, minutes=1)
    session_cookie = _cookie(response, "club_session")
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Secure" in session_cookie


def test_without_remember_me_no_remember_cookie(client, factories):
    factories.UserFactory(email="nr@club.example")
    response = login(client, "nr@club.example", PASSWORD)
    assert _cookie(response, "club_remember") is None


def test_login_starts_a_new_session(client, factories):
    factories.UserFactory(email="s@club.example")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "s@club.example", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_is_a_post_and_ends_every_session(app, client, factories, db):
    user = factories.UserFactory(email="out@club.example")
    login(client, "out@club.example", PASSWORD)
    other_device = app.test_client()
    login(other_device, "out@club.example", PASSWORD)
    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout")
    assert response.status_code == 303
    assert client.get("/").status_code == 302
    assert other_device.get("/").status_code == 302  # the session version moved on
    assert db.session.get(User, user.id).session_version == 2


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example",
                                    "javascript:alert(1)", "/\t/evil.example", "http:/evil.example"])
def test_next_accepts_local_paths_only(client, factories, target):
    factories.UserFactory(email="n@club.example")
    response = login(client, "n@club.example", PASSWORD, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_next_local_path_is_honoured(client, factories):
    factories.UserFactory(email="n2@club.example")
    response = login(client, "n2@club.example", PASSWORD, next="/auth/profile?tab=1")
    assert response.headers["Location"] == "/auth/profile?tab=1"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/auth/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
