from __future__ import annotations

import re

import sqlalchemy as sa

from club.auth.models import User
from club.core.models import AuditEvent
from club.permissions import Role
from tests.conftest import text

GOOD = {"name": "Amal Berrada", "email": "amal@startup.example", "password": "un mot de passe bien long",
        "confirm": "un mot de passe bien long", "locale": "fr"}


def users(db):
    return list(db.session.scalars(sa.select(User).order_by(User.id)))


def confirm_link(message) -> str:
    return re.search(r"http://club\.test(/auth/confirm/\S+)", message.body_text).group(1)


def test_registration_creates_an_unconfirmed_applicant_whatever_the_form_posts(client, db, outbox):
    response = client.post("/auth/register", data={**GOOD, "role": "secretariat", "is_admin": "y",
                                                   "organization_id": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/check-email"
    [user] = users(db)
    assert user.role == Role.APPLICANT and not user.is_admin and user.organization_id is None
    assert user.confirmed_at is None
    [message] = outbox()
    assert message.recipient == "amal@startup.example"
    assert message.template == "auth_confirm"
    assert "Confirmez votre adresse email" == message.subject
    assert db.session.scalar(sa.select(AuditEvent.action)) == "user.registered"


def test_confirmation_link_confirms_once_then_login_works(client, db, outbox):
    client.post("/auth/register", data=GOOD)
    link = confirm_link(outbox()[0])
    page = client.get(link)
    assert "Confirmer mon adresse" in text(page)
    assert db.session.scalar(sa.select(User.confirmed_at)) is None  # a GET changes nothing
    response = client.post(link)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.confirmed_at)) is not None
    again = client.get(link)
    assert "Ce lien n'est pas valide" in text(again)
    login = client.post("/auth/login", data={"email": GOOD["email"], "password": GOOD["password"]})
    assert login.status_code == 303


def test_links_are_built_from_the_configured_base_url_not_the_host_header(client, outbox):
    client.post("/auth/register", data=GOOD, headers={"Host": "evil.example"})
    body = outbox()[0].body_text
    assert "http://club.test/auth/confirm/" in body
    assert "evil.example" not in body


def test_registering_an_existing_address_reveals_nothing_and_creates_nothing(client, db, factories, outbox):
    factories.UserFactory(email="amal@startup.example")
    response = client.post("/auth/register", data=GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/check-email"
    assert len(users(db)) == 1
    [message] = outbox()
    assert message.template == "auth_already_registered"


def test_bad_input_is_reported_at_the_field_keeps_the_input_and_saves_nothing(client, db, outbox):
    cases = [
        ({"password": "short", "confirm": "short"}, "Utilisez au moins 12 caractères."),
        ({"password": "passwordpassword", "confirm": "passwordpassword"}, "Ce mot de passe est trop courant"),
        ({"confirm": "something else entirely"}, "Les deux mots de passe sont différents."),
        ({"email": "amal@"}, "Saisissez une adresse email valide."),
        ({"name": "x" * 121}, "120"),
        ({"name": ""}, "Ce champ est requis."),
        ({"email": "a@b.example\r\nBcc: x@y.example"}, "Saisissez une adresse email valide."),
        ({"locale": "xx"}, "invalid-feedback"),
    ]
    for change, message in cases:
        data = {**GOOD, **change}
        response = client.post("/auth/register", data=data)
        html = text(response)
        assert response.status_code == 200, change
        assert "invalid-feedback" in html, change
        assert message in html, (change, message)
        if data["name"] and len(data["name"]) < 100:
            assert f'value="{data["name"]}"' in html
    assert users(db) == []
    assert outbox() == []


def test_a_unicode_password_works_and_equal_passwords_hash_differently(client, db, factories):
    password = "mot de passe très sûr ✓ ١٢٣"
    client.post("/auth/register", data={**GOOD, "password": password, "confirm": password})
    client.post("/auth/register", data={**GOOD, "email": "twin@startup.example", "password": password,
                                        "confirm": password})
    first, second = users(db)
    assert first.password_hash != second.password_hash
    assert first.password_hash.startswith("scrypt:")
    first.confirmed_at = first.created_at
    db.session.commit()
    response = client.post("/auth/login", data={"email": GOOD["email"], "password": password})
    assert response.status_code == 303


def test_passwords_keep_werkzeugs_scrypt_cost_outside_the_tests(app):
    from club.auth import passwords

    with app.app_context():
        assert passwords.hash_password("a test password, cheap").startswith("scrypt:1024:8:1$")
    cost = app.config.pop("PASSWORD_HASH_METHOD")
    try:
        with app.app_context():
            production = passwords.hash_password("a real password, dear")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = cost
    assert production.startswith("scrypt:32768:8:1$")
    assert passwords.verify(production, "a real password, dear")
