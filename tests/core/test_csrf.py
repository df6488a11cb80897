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


def test_every_post_refused_for_its_token_is_one_log_line_never_a_500(app, demo_world, caplog, configured):
    """Generated from the URL map: every POST route, as each signed-in role, with a stale token and
    hostile field values (a file where text is expected). Found: 2,401 tracebacks after one scan."""
    import io
    import logging

    from tests.test_access import IDENTITIES, build_url

    db = demo_world
    users = {name: db.session.scalar(sa.select(User).where(User.email == email))
             for name, email in IDENTITIES.items() if email and name != "secretariat"}
    failures = []
    with configured(WTF_CSRF_ENABLED=True), caplog.at_level(logging.INFO):
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "POST" not in rule.methods:
                continue
            url = build_url(app, rule)
            for name, user in users.items():
                client = app.test_client()
                with client.session_transaction() as session:
                    session["_user_id"] = user.get_id()
                for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
                    caplog.clear()
                    data = {"csrf_token": "stale", "title": (io.BytesIO(b"%PDF-1.4"), "x.pdf"),
                            "name": "Typed by hand", "email": "typed@example.org", "body": "Typed text"}
                    response = client.post(url, data=data, headers=headers, content_type="multipart/form-data")
                    if response.status_code >= 500:
                        failures.append(f"POST {url} as {name} {headers}: {response.status_code}")
                    if "Traceback" in caplog.text or any(r.exc_info for r in caplog.records):
                        failures.append(f"POST {url} as {name} {headers}: traceback in the log")
                    csrf_lines = [r for r in caplog.records if "CSRF" in r.getMessage()]
                    if response.status_code != 404 and len(csrf_lines) not in (1, 2):
                        failures.append(f"POST {url} as {name}: {len(csrf_lines)} CSRF log lines")
                    db.session.rollback()
    assert failures == []


def test_a_boosted_form_with_an_expired_token_is_shown_again_with_the_input(client, factories, login_as,
                                                                          configured):
    admin = factories.UserFactory(admin=True)
    login_as(admin)
    with configured(WTF_CSRF_ENABLED=True):
        response = client.post("/admin/users/new", data={"email": "kept@example.org", "name": "Typed Name",
                                                         "role": "secretariat", "organization_id": "",
                                                         "csrf_token": "stale"},
                               headers={"HX-Request": "true", "HX-Boosted": "true"})
    html = text(response)
    assert response.status_code == 422  # the form again, swapped in by htmx (it swaps 4xx: base.html)
    assert "Ce formulaire avait expiré" in html
    assert 'value="kept@example.org"' in html and 'value="Typed Name"' in html


def test_every_page_with_a_form_re_renders_it_on_an_expired_token(app):
    """Generated from the URL map: a route that shows a form (GET) and takes it (POST) is marked
    ``form_view``, so an expired token shows the form again with what was typed, never a bare 400."""
    unmarked = [rule.rule for rule in app.url_map.iter_rules()
                if {"GET", "POST"} <= rule.methods
                and not getattr(app.view_functions[rule.endpoint], "rerender_on_csrf_error", False)]
    assert unmarked == []


def test_a_refused_post_never_writes_the_token_of_its_url_to_the_log(client, caplog, configured, db):
    import logging

    secret = "Xy7-secret-link-token.abc"
    with configured(WTF_CSRF_ENABLED=True), caplog.at_level(logging.INFO):
        for url in (f"/auth/reset/{secret}", f"/auth/invitation/{secret}"):
            response = client.post(url, data={"password": "x" * 20, "confirm": "x" * 20})
            assert response.status_code < 500
    assert any("CSRF" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text
    assert "<token>" in caplog.text


def test_a_view_shown_again_after_a_csrf_refusal_can_never_commit(app, demo_world, login_as, configured):
    """A form view re-run to keep the input (a confirmation button, say) saves nothing, whatever it does,
    even when an earlier request of the same context was valid (Flask-WTF's ``g.csrf_valid``)."""
    from flask import g

    from club.auth.models import User
    from club.incubator.models import Call

    db = demo_world
    client = login_as(db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example")))
    call = db.session.scalar(sa.select(Call))
    with configured(WTF_CSRF_ENABLED=True):
        g.csrf_valid = True  # what a valid request before this one leaves in a shared context
        response = client.post(f"/incubator/calls/{call.id}/second-round", data={})
    assert response.status_code in (303, 400)
    db.session.expire_all()
    assert db.session.get(Call, call.id).review_round == 1
