"""What administration adds to the app: its navigation entries."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core.registry import registry


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("admin.users", _l("Users"), order=90)
    hooks.nav("admin.outbox", _l("Outbox"), order=91)
