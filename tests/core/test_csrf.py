from __future__ import annotations

import re

import sqlalchemy as sa

from club.auth.models import User
from tests.conftest import text
from tests.factories import PASSWORD


def token_from(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_post_without_token_is_refused_and_changes_nothing(client, factories, login_as, configured, db):
    admin = factories.UserFactory(admin=True)
    target = factories.UserFactory(member=True)
    login_as(admin)
    with configured(WTF_CSRF_ENABLED=True):
        response = client.post(f"/admin/users/{target.id}/deactivate")
    assert response.status_code == 400
    assert "Ce formulaire avait expiré" in text(response)
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True


def test_an_expired_form_is_shown_again_with_the_input(client, factories, configured, db):
    factories.UserFactory(email="k@club.example")
    with configured(WTF_CSRF_ENABLED=True):
        response = client.post("/auth/register", data={"name": "Amal", "email": "amal@example.org",
                                                       "password": "x" * 20, "confirm": "x" * 20, "csrf_token": "stale"})
    html = text(response)
    assert response.status_code == 200
    assert "Ce formulaire avait expiré ou a été envoyé depuis un autre site. Vérifiez votre saisie" in html
    assert 'value="Amal"' in html and 'value="amal@example.org"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    with configured(WTF_CSRF_ENABLED=True):
        login = client.post("/auth/login", data={"email": "k@club.example", "password": PASSWORD})
    assert login.status_code == 200 and client.get("/").status_code == 302


def test_the_token_in_the_htmx_header_is_accepted(client, factories, login_as, configured, db):
    admin = factories.UserFactory(admin=True)
    target = factories.UserFactory(member=True)
    login_as(admin)
    with configured(WTF_CSRF_ENABLED=True):
        page = client.get(f"/admin/users/{target.id}")
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page.get_data(as_text=True)).group(1)
        response = client.post(f"/admin/users/{target.id}/deactivate", headers={"X-CSRFToken": token,
                                                                                 "HX-Request": "true"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False


def test_the_token_in_the_form_is_accepted(client, factories, configured):
    factories.UserFactory(email="t@club.example")
    with configured(WTF_CSRF_ENABLED=True):
        token = token_from(client.get("/auth/login").get_data(as_text=True))
        response = client.post("/auth/login", data={"email": "t@club.example", "password": PASSWORD,
                                                    "csrf_token": token})
    assert response.status_code == 303
