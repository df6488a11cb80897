"""Incubator test helpers."""

from __future__ import annotations

import pytest


@pytest.fixture()
def ctx(app, db):
    """A request context (French), for calling services directly (lazy strings need a locale)."""
    with app.test_request_context():
        yield
