"""The URL-map walk: every route, every method, as an anonymous visitor and as each role.

A route must declare its audience (club.permissions). Outside it, a signed-in user gets 404 and an
anonymous visitor the login page; inside it, never a 403 or a 500. Routes added by later modules are
walked the day they are added.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from club.auth.models import User
from club.permissions import ADMIN, PUBLIC, Role
from tests.url_samples import sample
from tests.walk import parse_forms

IDENTITIES = {
    "anonymous": None,
    "admin": "secretariat@club.example",
    "secretariat": "staff@club.example",
    "partner": "partner@firo.example",
    "member": "contact@saccom.example",
    "applicant": "founder@startup.example",
}


def allowed(access, identity: str, user) -> bool:
    if access == PUBLIC:
        return True
    if user is None:
        return False
    if access == ADMIN:
        return user.role == Role.SECRETARIAT and user.is_admin
    return user.role in access


def build_url(app, rule) -> str:
    values = {}
    for name in rule.arguments:
        values[name] = sample(name, rule._converters[name])
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_route_declares_its_audience(app):
    from club.permissions import access_of

    with app.test_request_context():
        undeclared = [r.endpoint for r in app.url_map.iter_rules() if access_of(r.endpoint) is None]
    assert undeclared == []


@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_url_map_walk(app, demo_world, factories, identity):
    db = demo_world
    factories.UserFactory(email="staff@club.example", role=Role.SECRETARIAT, is_admin=False)
    email = IDENTITIES[identity]
    user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
    failures = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    assert len(rules) > 20
    for rule in rules:
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access", None)
        url = build_url(app, rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            client = app.test_client()
            if user is not None:
                with client.session_transaction() as session:
                    session["_user_id"] = db.session.get(User, user.id).get_id()
            response = client.open(url, method=method, data={})
            status = response.status_code
            where = f"{method} {url} ({rule.endpoint}) as {identity}: {status}"
            if allowed(access, identity, user):
                if status >= 500 or status == 403:
                    failures.append(where + " (allowed, but failed)")
                elif method == "GET" and status == 200 and response.mimetype == "text/html":
                    failures += [f"{where}: {problem}" for problem in ambiguous_fields(response.get_data(as_text=True))]
            elif user is None:
                if not (status in (302, 303) and "/auth/login" in response.headers.get("Location", "")):
                    failures.append(where + " (anonymous must be sent to the login page)")
            elif status != 404:
                failures.append(where + " (must answer 404)")
            db.session.rollback()
    assert failures == []


def ambiguous_fields(html: str) -> list[str]:
    """Forms that send one field twice (a hidden ``to`` beside a button's own, say): the server reads the first
    value, so the button the person clicked does nothing. Checkboxes and multiple selects repeat on purpose."""
    problems = []
    for form in parse_forms(html):
        names = [c.name for c in form.controls if c.name and c.kind not in ("checkbox", "select-multiple", "radio", "file")]
        if form.submit is not None and form.submit[0]:
            names.append(form.submit[0])
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            problems.append(f"the form posting to {form.action} sends {', '.join(repeated)} twice")
    return problems


def test_a_form_sending_a_field_twice_is_found():
    html = ('<form method="post" action="/x"><input type="hidden" name="to" value="">'
            '<input type="hidden" name="to" value="active"><button>Go</button></form>'
            '<form method="post" action="/y"><input type="checkbox" name="tag" value="1">'
            '<input type="checkbox" name="tag" value="2"></form>')
    assert ambiguous_fields(html) == ["the form posting to http://localhost/x sends to twice"]


def test_an_argument_without_a_sample_gets_a_number_or_a_text(app):
    converters = {rule.rule: rule._converters for rule in app.url_map.iter_rules()}
    number = converters["/members/<int:org_id>"]["org_id"]
    assert type(number).__name__ == "BoundedInt"
    assert sample("an_unknown_id", number) == 1
    text_converter = converters["/auth/reset/<token>"]["token"]
    assert sample("an_unknown_text", text_converter) == "x"
