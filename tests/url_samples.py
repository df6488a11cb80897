"""Values for URL arguments in the access walk (tests/test_access.py).

A module that adds a route with a new argument adds a sample in ``tests/<domain>/samples.py``:
``SAMPLES = {"argument_name": lambda: <an id that exists in the demo world>}``, so the walk reaches
the view and not just a missing row. Every ``tests/*/samples.py`` is read.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from club.auth.models import User
from club.extensions import db
from club.members.models import Organization


def _user_id():
    return db.session.scalar(sa.select(User.id).where(User.email == "contact@saccom.example"))


def _org_id():
    return db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))


SAMPLES = {
    "user_id": _user_id,
    "org_id": _org_id,
    "token": lambda: "not-a-valid-token",
}

for path in sorted(Path(__file__).parent.glob("*/samples.py")):
    module = importlib.import_module(f"tests.{path.parent.name}.samples")
    SAMPLES.update(module.SAMPLES)


def sample(argument: str, converter):
    """The demo world's value for ``argument``, else 1 for a number (the app's ``BoundedInt`` is an
    ``IntegerConverter``) and "x" for text."""
    if argument in SAMPLES:
        return SAMPLES[argument]()
    if isinstance(converter, IntegerConverter):
        return 1
    return "x"
