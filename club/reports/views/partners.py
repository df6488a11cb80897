"""The reports' pages: partners."""

from __future__ import annotations

from club.reports import bp  # noqa: F401
