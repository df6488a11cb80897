from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import force_locale

from club.auth.models import User
from club.filters import datetime_filter, money
from club.i18n_tools import conflicts, problems
from tests.conftest import text


def test_every_message_is_translated_into_french():
    assert problems() == []


def test_catalogues_never_translate_one_message_two_ways():
    assert conflicts() == []


def test_a_visitor_switches_language_in_the_session(client):
    assert "Se connecter" in text(client.get("/auth/login"))
    response = client.post("/language", data={"locale": "en", "next": "/auth/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    page = text(client.get("/auth/login"))
    assert '<html lang="en"' in page and "Sign in" in page


def test_a_user_switch_is_kept_on_the_account(client, factories, login_as, db):
    user = factories.UserFactory()
    login_as(user)
    client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert "Dashboard" in text(client.get("/"))


def test_the_language_switch_refuses_unknown_languages(client):
    client.post("/language", data={"locale": "xx"})
    assert '<html lang="fr"' in text(client.get("/auth/login"))


def test_amounts_in_mad_and_dates_in_casablanca(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert money(Decimal("1250000")).replace("\u202f", " ").replace("\xa0", " ") == "1 250 000,00 MAD"
            # 12:00 UTC in July is 13:00 in Casablanca (UTC+1).
            assert "13:00" in datetime_filter(datetime(2020, 7, 10, 12, 0, tzinfo=UTC))
        with force_locale("en"):
            assert money(Decimal("1250000")).replace("\xa0", " ") == "1,250,000.00 MAD"
