"""The routes of mailings."""

from club.mailings import bp  # noqa: F401
