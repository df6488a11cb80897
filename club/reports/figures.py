"""The club's figures behind the charts and the reports: each one query, aggregated by the database, whatever the
size of the register (the dashboard runs a constant number of queries; a report over a period reuses them).

Figures are plain numbers (``int``, ``Decimal``); the charts (``club.core.charts``) and the reports format them in
the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from club.core.charts import months_between
from club.deals.models import Deal, DealKind, Stage
from club.extensions import db
from club.forms import FIRST_YEAR
from club.members.models import (
    JobCommitment,
    JobReport,
    Membership,
    MembershipStatus,
    Organization,
)


def _month_key(column) -> sa.ColumnElement:
    """``year * 100 + month`` of a date column, the same on SQLite and PostgreSQL."""
    # 100 written in the SQL, not bound: PostgreSQL sees two bound parameters in SELECT and GROUP BY as two
    # expressions ("must appear in the GROUP BY clause").
    return (sa.cast(sa.extract("year", column), sa.Integer) * sa.literal_column("100")
            + sa.cast(sa.extract("month", column), sa.Integer))


def _month_of(key: int) -> date:
    return date(key // 100, key % 100, 1)


def _active_commitments(organization_id: int | None = None) -> list[sa.ColumnElement[bool]]:
    """Commitments of organisations not archived (or of one organisation)."""
    if organization_id is not None:
        return [JobCommitment.organization_id == organization_id]
    return [JobCommitment.organization_id.not_in(
        sa.select(Organization.id).where(Organization.archived_at.is_not(None)))]


@dataclass
class JobsMonth:
    month: date
    announced: int  # announced to date at the month's end
    created: int  # created to date at the month's end: each commitment's latest report, summed


def jobs_by_month(until: date, *, since: date | None = None, organization_id: int | None = None) -> list[JobsMonth]:
    """Jobs announced and created to date at the end of each month up to ``until`` (from ``since``, else from the
    first month with a figure). Two queries, each returning one row per month.

    Created jobs come from the dated job reports: each report counts the jobs created *to date* for its commitment,
    so the club's figure at a month's end is the sum, over commitments, of their latest report by then. Each report
    is read as its change from the commitment's previous one (a window function), and those changes are summed
    per month: the running total is then that sum."""
    where = _active_commitments(organization_id)
    previous = sa.func.lag(JobReport.jobs_created, 1, 0).over(
        partition_by=JobReport.commitment_id, order_by=(JobReport.reported_on, JobReport.id))
    deltas = (sa.select(JobReport.reported_on.label("on"), (JobReport.jobs_created - previous).label("delta"))
              .join(JobCommitment, JobCommitment.id == JobReport.commitment_id)
              .where(*where, JobReport.reported_on <= until).subquery())
    created = dict(db.session.execute(
        sa.select(_month_key(deltas.c.on), sa.func.sum(deltas.c.delta)).group_by(_month_key(deltas.c.on))).all())
    # A commitment without its announcement date counts from the day it was recorded. (Each column's month is
    # taken on its own: SQLite has no date type to cast a datetime to, and a CAST there yields a bare year.)
    month = sa.func.coalesce(_month_key(JobCommitment.announced_on), _month_key(JobCommitment.created_at))
    recorded_by = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
    announced = dict(db.session.execute(
        sa.select(month, sa.func.sum(JobCommitment.jobs_announced))
        .where(*where, sa.or_(JobCommitment.announced_on <= until,
                              sa.and_(JobCommitment.announced_on.is_(None), JobCommitment.created_at < recorded_by)))
        .group_by(month)).all())
    keys = sorted(set(created) | set(announced))
    if not keys:
        return []
    # From ``since``, else the first month with a figure, but never before the register's first year: a date
    # typed wrong ("0202") must not draw eighteen centuries of months. What came before the start is carried.
    start = max(since.replace(day=1) if since else _month_of(keys[0]), date(FIRST_YEAR, 1, 1))
    start_key = start.year * 100 + start.month
    total_created = sum(int(v or 0) for k, v in created.items() if k < start_key)
    total_announced = sum(int(v or 0) for k, v in announced.items() if k < start_key)
    out = []
    for month in months_between(start, until):
        key = month.year * 100 + month.month
        total_created += int(created.get(key) or 0)
        total_announced += int(announced.get(key) or 0)
        out.append(JobsMonth(month, total_announced, total_created))
    return out


@dataclass
class OrganisationJobs:
    organization_id: int
    name: str
    announced: int
    created: int
    horizon: date | None  # the latest horizon of its commitments
    overdue: bool  # a commitment whose horizon has passed with fewer jobs created than announced


def jobs_by_organisation(today: date, *, limit: int = 15, organization_id: int | None = None
                         ) -> list[OrganisationJobs]:
    """The organisations with the most jobs announced (not archived), their jobs created to date and whether a
    commitment is overdue. One query."""
    overdue = sa.func.max(sa.case(
        (sa.and_(JobCommitment.horizon < today, JobCommitment.jobs_created < JobCommitment.jobs_announced), 1),
        else_=0))
    query = (sa.select(Organization.id, Organization.name, sa.func.sum(JobCommitment.jobs_announced),
                       sa.func.sum(JobCommitment.jobs_created), sa.func.max(JobCommitment.horizon), overdue)
             .join(Organization, Organization.id == JobCommitment.organization_id)
             .where(Organization.archived_at.is_(None))
             .group_by(Organization.id, Organization.name)
             .order_by(sa.func.sum(JobCommitment.jobs_announced).desc(), Organization.name).limit(limit))
    if organization_id is not None:
        query = query.where(JobCommitment.organization_id == organization_id)
    return [OrganisationJobs(i, name, int(a or 0), int(c or 0), h, bool(o))
            for i, name, a, c, h, o in db.session.execute(query)]


@dataclass
class StageFigure:
    stage: Stage
    count: int
    amount: Decimal


def deal_funnel(user) -> list[StageFigure]:
    """Deals by stage as ``user`` may see them (``Deal.visible_to``): count and amount in MAD. One query."""
    rows = {stage: (count, amount) for stage, count, amount in db.session.execute(
        sa.select(Deal.stage, sa.func.count(), sa.func.coalesce(sa.func.sum(Deal.amount), 0))
        .where(Deal.visible_to(user)).group_by(Deal.stage))}
    return [StageFigure(stage, int(rows.get(stage, (0, 0))[0]), Decimal(rows.get(stage, (0, 0))[1]))
            for stage in Stage]


def signed_by_year_and_kind(user, *, since: date | None = None, until: date | None = None
                            ) -> dict[int, dict[DealKind, Decimal]]:
    """Amounts signed (deals signed or closed, by their signature date) per year and kind, as ``user`` may see
    them. One query."""
    year = sa.cast(sa.extract("year", Deal.signed_on), sa.Integer)
    query = (sa.select(year, Deal.kind, sa.func.coalesce(sa.func.sum(Deal.amount), 0))
             .where(Deal.visible_to(user), Deal.stage.in_((Stage.SIGNED, Stage.CLOSED)), Deal.signed_on.is_not(None))
             .group_by(year, Deal.kind))
    if since:
        query = query.where(Deal.signed_on >= since)
    if until:
        query = query.where(Deal.signed_on <= until)
    out: dict[int, dict[DealKind, Decimal]] = defaultdict(dict)
    for y, kind, amount in db.session.execute(query):
        out[int(y)][kind] = Decimal(amount)
    return dict(sorted(out.items()))


def members_by(column) -> dict:
    """Active members (not archived) counted by ``Organization.province`` or ``Organization.site`` (None: not
    set). One query."""
    return dict(db.session.execute(
        sa.select(column, sa.func.count())
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.status == MembershipStatus.ACTIVE, Organization.archived_at.is_(None))
        .group_by(column)).all())
