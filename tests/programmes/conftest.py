import pytest


@pytest.fixture()
def as_user(login_as):
    """Sign ``user`` in on the test client (the shared ``login_as``)."""
    return login_as


@pytest.fixture()
def request_context(app, db):
    """Services called as a view would (messages are translated for the request's user)."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        yield
