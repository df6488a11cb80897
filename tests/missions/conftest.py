import pytest
from flask import g


@pytest.fixture()
def as_user(client):
    """Sign ``user`` in on the test client. The tests share one app context, so Flask-Login's cached user
    (``g._login_user``) is dropped first, or a second user would be served the first one."""

    def _as(user):
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return _as


@pytest.fixture()
def request_context(app, db):
    """Services called as a view would (messages are translated for the request's user)."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        yield
