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


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.action_labels(ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    _ = _l
    hooks.nav("reports.index", _l("Reports"), order=80)
    hooks.nav("reports.mine", _l("Reports"), order=80)
    hooks.action_labels(RUN_ACTION_LABELS)
    hooks.audit_fields(RUN_AUDIT_FIELDS)
    hooks.demo("report_schedules", demo_runs.load)
