"""What reports adds to the app: the dashboard's charts (home panels), the reports' navigation entry, how its audit
events read, its jobs and its demo part."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core import audit
from club.core.registry import registry
from club.permissions import Role  # noqa: F401
from club.reports import demo_runs, jobs  # noqa: F401  (jobs: defines the report tasks and the periodic ones)
from club.reports.models import FREQUENCY_LABELS, RUN_STATE_LABELS

ACTION_LABELS: dict = {}
AUDIT_FIELDS: dict = {}

# The report runs' and schedules' events (club.reports.runs).
RUN_ACTION_LABELS = {
    "report.requested": _l("Activity report asked for"),
    "report.sent": _l("Activity report sent to partners"),
    "report.retried": _l("Activity report asked for again"),
    "report.built": _l("Activity report ready"),
    "report.failed": _l("Activity report failed"),
    "report.delivered": _l("Activity report mailed to the partner's users"),
    "report_schedule.created": _l("Report schedule created"),
    "report_schedule.updated": _l("Report schedule edited"),
    "report_schedule.deleted": _l("Report schedule deleted"),
    "report_schedule.ran": _l("Scheduled reports sent"),
}
RUN_AUDIT_FIELDS = {
    "report.": {"period": _l("Period"), "language": _l("Language"), "partners": _l("Partner organisations"),
                "state": audit.Field(_l("State"), RUN_STATE_LABELS), "error": _l("Error"),
                "recipients": audit.Field(_l("Recipients"), audit.number)},
    "report_schedule.": {"frequency": audit.Field(_l("Frequency"), FREQUENCY_LABELS), "language": _l("Language"),
                         "active": audit.Field(_l("Active"), audit.yes_no), "partners": _l("Partner organisations"),
                         "next_run_on": audit.Field(_l("Next report on"), audit.date), "period": _l("Period")},
}


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
    hooks.nav("reports.index", _l("Reports"), order=80)
    hooks.nav("reports.mine", _l("Reports"), order=80)
    hooks.action_labels(RUN_ACTION_LABELS)
    hooks.audit_fields(RUN_AUDIT_FIELDS)
    hooks.demo("report_schedules", demo_runs.load)
