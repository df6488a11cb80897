"""What reports adds to the app: the dashboard's charts (home panels), the reports' navigation entry, how its audit
events read, its jobs and its demo part."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core.registry import registry
from club.permissions import Role  # noqa: F401
from club.reports import jobs  # noqa: F401  (defines the report tasks)

ACTION_LABELS: dict = {}
AUDIT_FIELDS: dict = {}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.action_labels(ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    _ = _l
