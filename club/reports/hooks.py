"""What reports adds to the app: the dashboard's panels (the jobs target and the club's charts, a member's and a
partner's charts), the jobs chart on an organisation's page, the reports' navigation entries, how its audit events
read, its tasks (``jobs``) and its demo parts (the target, then a partner's schedule)."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from club.core import audit
from club.core.registry import registry
from club.permissions import Role
from club.reports import demo, demo_runs, jobs, panels  # noqa: F401  (jobs: the report tasks and periodic ones)
from club.reports.models import FREQUENCY_LABELS, RUN_STATE_LABELS

ACTION_LABELS = {
    "target.updated": _l("Club's jobs target changed"),
    # The report runs' and schedules' events (club.reports.runs).
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
AUDIT_FIELDS = {
    "target.": {"jobs_target": audit.Field(_l("Jobs target"), audit.number),
                "horizon": audit.Field(_l("Horizon"), audit.date)},
    "report.": {"period": _l("Period"), "language": _l("Language"), "partners": _l("Partner organisations"),
                "state": audit.Field(_l("State"), RUN_STATE_LABELS), "error": _l("Error"),
                "recipients": audit.Field(_l("Recipients"), audit.number)},
    "report_schedule.": {"frequency": audit.Field(_l("Frequency"), FREQUENCY_LABELS), "language": _l("Language"),
                         "active": audit.Field(_l("Active"), audit.yes_no), "partners": _l("Partner organisations"),
                         "next_run_on": audit.Field(_l("Next report on"), audit.date), "period": _l("Period")},
}


def target_subjects(ids, user) -> dict:
    """The club's target (one row): its page, for the secretariat."""
    if user.role != Role.SECRETARIAT:
        return {}
    return {i: (str(_l("The club's jobs target")), url_for("reports.target")) for i in ids}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("reports.index", _l("Reports"), order=80)
    hooks.nav("reports.mine", _l("Reports"), order=80)
    hooks.home_panel(Role.SECRETARIAT, "reports/_home_target.html", panels.target_panel, order=8, shared=True)
    hooks.home_panel(Role.SECRETARIAT, "reports/_home_charts.html", panels.charts_panel, order=60, shared=True)
    hooks.home_panel(Role.MEMBER, "reports/_home_member.html", panels.member_panel, order=10)
    hooks.home_panel(Role.PARTNER, "reports/_home_partner.html", panels.partner_panel, order=60)
    hooks.section("organization", "reports/_organization_jobs.html", panels.organisation_section, order=25)
    hooks.action_labels(ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    hooks.subject("club_targets", target_subjects)
    hooks.demo("reports", demo.load)
    hooks.demo("report_schedules", demo_runs.load)
