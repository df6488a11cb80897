"""The routes of activities."""

from club.activities import bp  # noqa: F401
