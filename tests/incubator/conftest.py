"""Incubator test helpers: a request context for services (lazy strings need a locale), and a fresh
Flask-Login user per client request (the requests share the test's app context, hence its ``g``)."""

from __future__ import annotations

import pytest
from flask import g, request_started


def _forget_user(sender, **extra):
    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def fresh_user_per_request(app):
    request_started.connect(_forget_user, app)
    yield
    request_started.disconnect(_forget_user, app)


@pytest.fixture()
def ctx(app, db):
    """A request context (French), for calling services directly."""
    with app.test_request_context():
        yield
