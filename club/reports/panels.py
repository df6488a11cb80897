"""The home panels and the organisation page's section that show the club's charts (``club.reports.dashboard``):
each a constant number of queries, none when the figures are in the short cache."""

from __future__ import annotations

from flask import request

from club.permissions import Role
from club.reports import dashboard


def _club() -> dashboard.Figures:
    """The club's figures, once per request (the target's panel and the charts' panel share them)."""
    key = "club.reports.club_figures"  # on the request itself (``g`` outlives it where an app context is shared)
    if key not in request.environ:
        request.environ[key] = dashboard.club_figures()
    return request.environ[key]


def target_panel(user) -> dict:
    figures = _club()
    return {"standing": figures.numbers["standing"], "jobs_chart": figures.charts["jobs"],
            "computed_at": figures.computed_at}


def charts_panel(user) -> dict:
    figures = _club()
    return {"figures": figures.charts, "computed_at": figures.computed_at}


def member_panel(user) -> dict:
    org = user.organization
    if org is None:
        return {"org_figures": None}
    return {"org_figures": dashboard.organisation_figures(org.id, org.name), "org": org}


def partner_panel(user) -> dict:
    if user.organization_id is None:
        return {"deal_figures": None}
    return {"deal_figures": dashboard.deals_figures(user)}


def organisation_section(org, user) -> dict | None:
    """The organisation's jobs chart on its page: for the secretariat, and for the organisation's own members."""
    if user.role == Role.SECRETARIAT or (user.role == Role.MEMBER and user.organization_id == org.id):
        figures = dashboard.organisation_figures(org.id, org.name)
        if not figures.numbers["announced"] and not figures.numbers["created"]:
            return None
        return {"org_figures": figures}
    return None
