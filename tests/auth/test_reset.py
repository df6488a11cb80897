from __future__ import annotations

import re

from club.auth.models import User
from tests.conftest import text
from tests.factories import PASSWORD

NEW = "une toute nouvelle phrase secrète"


def reset_link(message) -> str:
    return re.search(r"http://club\.test(/auth/reset/\S+)", message.body_text).group(1)


def test_forgot_says_the_same_whether_or_not_the_account_exists(client, factories, outbox):
    factories.UserFactory(email="known@club.example")
    known = client.post("/auth/forgot", data={"email": "known@club.example"}, follow_redirects=True)
    unknown = client.post("/auth/forgot", data={"email": "unknown@club.example"}, follow_redirects=True)
    assert text(known) == text(unknown)
    assert "Si un compte existe pour cette adresse" in text(known)
    [message] = outbox()
    assert message.recipient == "known@club.example" and message.template == "auth_reset"


def test_reset_changes_the_password_once(client, factories, outbox, db):
    user = factories.UserFactory(email="r@club.example")
    client.post("/auth/forgot", data={"email": "r@club.example"})
    link = reset_link(outbox()[0])
    assert "Choisir un nouveau mot de passe" in text(client.get(link))
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert client.post("/auth/login", data={"email": "r@club.example", "password": PASSWORD}).status_code == 200
    assert client.post("/auth/login", data={"email": "r@club.example", "password": NEW}).status_code == 303
    client.post("/auth/logout")
    used = client.post(link, data={"password": "encore une autre phrase", "confirm": "encore une autre phrase"})
    assert used.status_code == 400
    assert "Ce lien n'est pas valide" in text(used)
    assert db.session.get(User, user.id).session_version == 3  # the reset, then the logout


def test_expired_reset_token_is_refused(client, factories, outbox, configured):
    factories.UserFactory(email="e@club.example")
    client.post("/auth/forgot", data={"email": "e@club.example"})
    link = reset_link(outbox()[0])
    with configured(RESET_TOKEN_MAX_AGE=-1):
        page = client.get(link)
        response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert "Ce lien a expiré." in text(page)
    assert response.status_code == 400
    assert client.post("/auth/login", data={"email": "e@club.example", "password": PASSWORD}).status_code == 303


def test_reset_token_dies_with_any_password_change(client, factories, outbox, login_as, db):
    user = factories.UserFactory(email="c@club.example")
    client.post("/auth/forgot", data={"email": "c@club.example"})
    link = reset_link(outbox()[0])
    login_as(user)
    client.post("/auth/profile", data={"pw-current_password": PASSWORD, "pw-password": NEW, "pw-confirm": NEW})
    client.post("/auth/logout")
    response = client.post(link, data={"password": "encore une autre phrase", "confirm": "encore une autre phrase"})
    assert response.status_code == 400


def test_a_tampered_token_is_refused(client):
    response = client.get("/auth/reset/eyJ1IjoxfQ.forged.signature")
    assert "Ce lien n'est pas valide" in text(response)


def test_reset_form_bad_input(client, factories, outbox):
    factories.UserFactory(email="b@club.example")
    client.post("/auth/forgot", data={"email": "b@club.example"})
    link = reset_link(outbox()[0])
    response = client.post(link, data={"password": "court", "confirm": "court"})
    assert response.status_code == 200
    assert "Utilisez au moins 12 caractères." in text(response)
    assert client.post("/auth/login", data={"email": "b@club.example", "password": PASSWORD}).status_code == 303
