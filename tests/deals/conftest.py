"""Deals fixtures."""

from __future__ import annotations

import pytest
from flask import g


@pytest.fixture()
def login_as(client):
    """Like the shared ``login_as``, but switching users works: the test's app context (and its ``g``, where
    Flask-Login caches the user) outlives each request, so the cached user is forgotten too."""

    def _login(user):
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return _login
