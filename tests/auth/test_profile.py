from __future__ import annotations

from club.auth.models import User
from tests.conftest import text
from tests.factories import PASSWORD

NEW = "une nouvelle phrase secrète"


def test_profile_updates_name_and_language(client, factories, login_as, db):
    user = factories.UserFactory(name="Avant")
    login_as(user)
    response = client.post("/auth/profile", data={"name": "Après", "locale": "en"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Après"
    assert "My profile" in client.get("/auth/profile").get_data(as_text=True)


def test_password_change_asks_for_the_current_one(client, factories, login_as, db):
    user = factories.UserFactory()
    login_as(user)
    response = client.post("/auth/profile", data={"pw-current_password": "not my password", "pw-password": NEW,
                                                  "pw-confirm": NEW})
    assert response.status_code == 200
    assert "Ce n'est pas votre mot de passe actuel." in text(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == 1


def test_password_change_keeps_this_session_and_ends_the_others(app, client, factories, login_as, db):
    user = factories.UserFactory(email="p@club.example")
    other = app.test_client()
    other.post("/auth/login", data={"email": "p@club.example", "password": PASSWORD})
    assert other.get("/").status_code == 200
    login_as(user)
    response = client.post("/auth/profile", data={"pw-current_password": PASSWORD, "pw-password": NEW,
                                                  "pw-confirm": NEW})
    assert response.status_code == 303
    assert client.get("/auth/profile").status_code == 200
    assert other.get("/").status_code == 302


def test_profile_bad_input(client, factories, login_as, db):
    user = factories.UserFactory(name="Nom")
    login_as(user)
    response = client.post("/auth/profile", data={"name": "", "locale": "de"})
    assert response.status_code == 200
    assert "Ce champ est requis." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Nom"
