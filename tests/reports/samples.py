"""URL arguments of the reports' routes, from the demo world (tests/test_access.py)."""

import sqlalchemy as sa

from club.extensions import db
from club.reports.models import ReportRun, ReportSchedule


def _or_gone(value):
    return value if value is not None else 0


SAMPLES = {
    "run_id": lambda: _or_gone(db.session.scalar(sa.select(ReportRun.id).order_by(ReportRun.id))),
    "schedule_id": lambda: _or_gone(db.session.scalar(sa.select(ReportSchedule.id).order_by(ReportSchedule.id))),
}
