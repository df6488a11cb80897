"""The report schedules' part of the demo world: FIRO gets the club's activity report every quarter, in French.

Nothing is built at load (a PDF per report would slow ``make run``): the schedule's first report is due on the first
day of the next quarter, and the secretariat can send one now from /reports/send. Idempotent: a schedule already
sending to FIRO is left as it is. Written through the services (audited as the secretariat's)."""

from __future__ import annotations

import sqlalchemy as sa

from club.auth.models import User
from club.core.timezones import local_today
from club.extensions import db
from club.members.queries import organisation_named
from club.permissions import Role
from club.reports import runs
from club.reports.models import Frequency, ReportSchedule, report_schedule_partners

PARTNER = "FIRO"


def load() -> list[str]:
    firo = organisation_named(PARTNER)
    staff = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id).limit(1))
    if firo is None or staff is None:
        return []
    exists = db.session.scalar(sa.select(ReportSchedule.id).join(
        report_schedule_partners, report_schedule_partners.c.schedule_id == ReportSchedule.id)
        .where(report_schedule_partners.c.organization_id == firo.id).limit(1))
    if exists is not None:
        return []
    schedule = runs.create_schedule(Frequency.QUARTERLY, "fr", [firo], today=local_today(), by=staff)
    return [f"quarterly report to {PARTNER} from {schedule.next_run_on.isoformat()}"]
