"""Deals: the capital-investment pipeline, the partners' room and the investment committee."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint

bp = Blueprint("deals", __name__, cli_group="deals")

LOCAL_ZONE = ZoneInfo("Africa/Casablanca")


def local_today() -> date:
    """Today in Casablanca: due dates are local dates."""
    return datetime.now(LOCAL_ZONE).date()


from club.deals import cli, hooks, views  # noqa: E402,F401
