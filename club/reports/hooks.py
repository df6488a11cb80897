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


# --- The dashboard and the jobs target ("dashboard" helper) ---------------------------------------------------

def _target_audit_fields() -> dict:
    from club.core import audit

    return {"target.": {"jobs_target": audit.Field(_l("Jobs target"), audit.number),
                        "horizon": audit.Field(_l("Horizon"), audit.date)}}


TARGET_ACTION_LABELS = {"target.updated": _l("Club's jobs target changed")}


def target_subjects(ids, user) -> dict:
    """The club's target (one row): its page, for the secretariat."""
    from flask import url_for

    if user.role != Role.SECRETARIAT:
        return {}
    return {i: (str(_l("The club's jobs target")), url_for("reports.target")) for i in ids}


def register_dashboard(app: Flask) -> None:
    from club.reports import demo, panels

    hooks = registry(app)
    hooks.home_panel(Role.SECRETARIAT, "reports/_home_target.html", panels.target_panel, order=8)
    hooks.home_panel(Role.SECRETARIAT, "reports/_home_charts.html", panels.charts_panel, order=60)
    hooks.home_panel(Role.MEMBER, "reports/_home_member.html", panels.member_panel, order=10)
    hooks.home_panel(Role.PARTNER, "reports/_home_partner.html", panels.partner_panel, order=60)
    hooks.section("organization", "reports/_organization_jobs.html", panels.organisation_section, order=25)
    hooks.action_labels(TARGET_ACTION_LABELS)
    hooks.audit_fields(_target_audit_fields())
    hooks.subject("club_targets", target_subjects)
    hooks.demo("reports", demo.load)

# --- end of the dashboard's block ------------------------------------------------------------------------------


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.action_labels(ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    register_dashboard(app)
    _ = _l
