"""The routes of segments."""

from club.segments import bp  # noqa: F401
