"""Deals: the capital-investment pipeline, the partners' room and the investment committee."""

from flask import Blueprint

from club.core.timezones import local_today  # noqa: F401  (due dates are Casablanca dates)

bp = Blueprint("deals", __name__, cli_group="deals")


from club.deals import cli, hooks, views  # noqa: E402,F401
