"""What an activity report says, whatever its form: a period, then sections (members, dues, jobs, deals, incubator,
missions, programmes, recognitions), each with a few key figures, charts and tables of typed values. The PDF
(``club.reports.pdf``) and the XLSX (``club.reports.xlsx``) are two renderings of one ``Report``.

A report is built for an audience: the club itself (everything) or one partner organisation (only what that
partner may see: deals shared with it, aggregates of programmes, no personal data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from club import formats
from club.core.charts import Chart, Series
from club.core.spreadsheets import Column
from club.core.timezones import local_date
from club.deals.models import KIND_LABELS, STAGE_LABELS, Deal, Stage, StageChange
from club.extensions import db
from club.formats import ngettext
from club.incubator.models import STATUS_LABELS, Application, Call, Status
from club.members.models import (
    MEMBERSHIP_STATUS_LABELS,
    PROVINCE_LABELS,
    SITE_LABELS,
    Dues,
    JobCommitment,
    JobReport,
    Membership,
    MembershipChange,
    MembershipStatus,
    MembershipTier,
    Organization,
)
from club.missions.models import KIND_LABELS as MISSION_KIND_LABELS
from club.missions.models import (
    SEATED,
    Mission,
    MissionOutcome,
    MissionState,
    Registration,
    RegistrationStatus,
)
from club.permissions import Role
from club.programmes.models import AWARD_CATEGORY_LABELS, Award, Measure, Programme, ProgrammeState
from club.programmes.models import KIND_LABELS as PROGRAMME_KIND_LABELS
from club.reports import charts, figures
from club.reports.figures import StageFigure
from club.reports.models import DEFAULT_JOBS_TARGET, ClubTarget, PeriodKind


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    starts_on: date
    ends_on: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = date(year, 3 * quarter - 2, 1)
        return cls(PeriodKind.QUARTER, start, _month_end(date(year, 3 * quarter, 1)))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls(PeriodKind.MONTH, start, _month_end(start))

    @classmethod
    def between(cls, starts_on: date, ends_on: date) -> Period:
        return cls(PeriodKind.RANGE, starts_on, ends_on)

    @classmethod
    def last_complete(cls, kind: PeriodKind, today: date) -> Period:
        """The last whole month or quarter before ``today`` (what a schedule sends)."""
        if kind == PeriodKind.MONTH:
            previous = today.replace(day=1) - timedelta(days=1)
            return cls.month(previous.year, previous.month)
        quarter = (today.month - 1) // 3 + 1
        year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
        return cls.quarter(year, quarter)

    @property
    def label(self) -> str:
        """The period as the reader's language says it: "2e trimestre 2020", "Q2 2020", "Année 2020"."""
        if self.kind == PeriodKind.YEAR:
            return _("Year %(year)s", year=self.starts_on.year)
        if self.kind == PeriodKind.QUARTER:
            return _("Quarter %(quarter)s %(year)s", quarter=(self.starts_on.month - 1) // 3 + 1,
                     year=self.starts_on.year)
        if self.kind == PeriodKind.MONTH:
            from babel.dates import format_date

            return format_date(self.starts_on, "LLLL y", locale=formats._locale()).capitalize()
        return _("%(start)s to %(end)s", start=formats.date_filter(self.starts_on, "long"),
                 end=formats.date_filter(self.ends_on, "long"))


def _month_end(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)


# How many rows of a long table the PDF prints (the XLSX holds them all, streamed from the database).
PDF_ROWS = 40
# How many bars a chart of the report draws at most (missions, indicators).
CHART_ROWS = 15


@dataclass(frozen=True)
class Figure:
    """A key figure: a label and a typed value (``Column.kind``): the PDF writes it in the reader's language, the
    XLSX as a cell of that type."""

    label: str
    value: object
    kind: str = "int"

    @property
    def text(self) -> str:
        return format_value(self.value, self.kind)


def format_value(value, kind: str) -> str:
    """A typed value as the reader's language writes it (the PDF's cells and key figures)."""
    if value is None or value == "":
        return "—"
    if kind == "int":
        return formats.number(value)
    if kind == "decimal":
        return formats.number(value, 2)
    if kind == "money":
        return formats.money(value)
    if kind == "percent":  # a fraction: 0.25 is 25 %
        from babel.numbers import format_percent

        return format_percent(value, locale=formats._locale())
    if kind == "date":
        return formats.date_filter(value, "medium")
    if kind == "datetime":
        return formats.datetime_filter(value, "medium")
    return str(value)


@dataclass
class Table:
    """A table of typed values (``Column.kind``): the PDF formats them, the XLSX writes them as they are.

    A table that may be long (one row per organisation) holds its first ``PDF_ROWS`` rows in ``rows`` (what the
    PDF prints), its number of rows in ``total`` and a ``stream`` that reads every row from the database again (the
    XLSX, in openpyxl's write-only mode: memory stays bounded)."""

    title: str
    columns: Sequence[Column]
    rows: list[Sequence]
    # Said under the table when it has no row.
    empty: str = ""
    total: int | None = None
    stream: Callable[[], Iterable[Sequence]] | None = None
    # Said under the table (what it counts, how).
    note: str = ""

    def all_rows(self) -> Iterable[Sequence]:
        return self.stream() if self.stream is not None else self.rows

    @property
    def detail_columns(self) -> list[int]:
        """Long text columns (``width`` of 48 or more), which the PDF prints under each row, across the table."""
        return [i for i, c in enumerate(self.columns) if c.kind == "text" and (c.width or 0) >= 48]

    @property
    def truncated(self) -> bool:
        return self.total is not None and self.total > len(self.rows)


@dataclass
class Section:
    key: str  # "members", "dues", "jobs", "deals", "incubator", "missions", "programmes", "recognitions"
    title: str
    paragraphs: list[str] = field(default_factory=list)
    # Key figures, typed (``Figure.text`` is the formatted value).
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    title: str
    period: Period
    audience: str | None  # the partner organisation's name, or None for the club's own report
    generated_on: date
    sections: list[Section] = field(default_factory=list)


Progress = Callable[[int, str], None]

SECTION_KEYS = ("members", "dues", "jobs", "deals", "incubator", "missions", "programmes", "recognitions")


@dataclass
class _Context:
    period: Period
    audience: object  # a partner Organization, or None
    today: date
    viewer: SimpleNamespace  # who the report is for, as ``visible_to`` rules read a user: role, organization_id
    start_at: datetime  # the period's first instant (Casablanca midnight, aware UTC)
    end_at: datetime  # the instant after the period (exclusive)

    @property
    def partner(self) -> bool:
        return self.audience is not None


def build_report(period: Period, *, audience=None, today: date | None = None,
                 progress: Progress | None = None) -> Report:
    """The report for ``period``, for ``audience`` (a partner ``Organization``; None: the club's own report).
    ``progress(percent, step)`` is called as sections are built.

    What a partner's report holds (only what that partner may see, no personal data): counts of members, never a
    list of them nor any organisation's dues (the club's totals only); the jobs announced and created by
    organisation (the register is open to partners); the deals shared with the partner only, and the pipeline
    of those; the incubator's calls and its applications as counts (no startup, no founder); the missions the
    partner may see, with the organisations they led to (no free text, which may name people); programmes as
    aggregates (indicators, numbers of beneficiaries); awards with the organisation honoured (a person's name is
    left out)."""
    from club.core.timezones import at, local_today

    today = today or local_today()
    if audience is not None:
        viewer = SimpleNamespace(role=Role.PARTNER, organization_id=audience.id, is_authenticated=True)
    else:
        viewer = SimpleNamespace(role=Role.SECRETARIAT, organization_id=None, is_authenticated=True)
    ctx = _Context(period, audience, today, viewer, at(period.starts_on, 0),
                   at(period.ends_on + timedelta(days=1), 0))
    report = Report(_("Activity report"), period, getattr(audience, "name", None), today)
    builders = (_members, _dues, _jobs, _deals, _incubator, _missions, _programmes, _recognitions)
    for index, builder in enumerate(builders):
        section = builder(ctx)
        report.sections.append(section)
        if progress:
            progress(int(90 * (index + 1) / len(builders)), section.title)
    if progress:
        progress(90, _("Sections built"))
    return report


# --- helpers ------------------------------------------------------------------------------------------------------

def _bounded(title: str, columns: Sequence[Column], query: sa.Select, row, *, total: int, empty: str = "",
             note: str = "") -> Table:
    """A table that may be long: its first ``PDF_ROWS`` rows now, the rest streamed by the XLSX."""

    def stream():
        for record in db.session.execute(query.execution_options(yield_per=2000)):
            yield row(record)

    first = [row(record) for record in db.session.execute(query.limit(PDF_ROWS))]
    return Table(title, columns, first, empty=empty, total=total, stream=stream, note=note)


def _listed(title: str, columns: Sequence[Column], rows: list[Sequence], **kwargs) -> Table:
    """A table of rows already read (a period's deals, missions, awards…): the PDF prints the first ``PDF_ROWS``,
    the XLSX all of them."""
    if len(rows) <= PDF_ROWS:
        return Table(title, columns, rows, **kwargs)
    return Table(title, columns, rows[:PDF_ROWS], total=len(rows), stream=lambda: iter(rows), **kwargs)


def _count(query: sa.Select) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0)


def _latest(column_key, order, where, *columns) -> sa.Subquery:
    """The latest row per ``column_key`` (by ``order``, descending) among rows matching ``where``: a window
    function, one pass."""
    ranked = (sa.select(column_key.label("key"), *columns,
                        sa.func.row_number().over(partition_by=column_key, order_by=order).label("n"))
              .where(*where).subquery())
    return sa.select(ranked).where(ranked.c.n == 1).subquery()


def _share(part, whole):
    return (Decimal(part) / Decimal(whole)) if whole else None


# --- members ------------------------------------------------------------------------------------------------------

def _status_counts(ctx: _Context, boundary: datetime, day: date) -> dict[MembershipStatus, int]:
    """Memberships by status at ``boundary``: the status of their latest change before it (a membership with no
    recorded change counts with its present status once it has joined)."""
    last = _latest(MembershipChange.membership_id, (MembershipChange.at.desc(), MembershipChange.id.desc()),
                   [MembershipChange.at < boundary], MembershipChange.to_status.label("status"))
    joined = sa.or_(Membership.joined_on < day,
                    sa.and_(Membership.joined_on.is_(None), Membership.created_at < boundary))
    status = sa.func.coalesce(last.c.status, sa.case((joined, Membership.status))).label("status")
    rows = db.session.execute(sa.select(status, sa.func.count()).select_from(Membership)
                              .outerjoin(last, last.c.key == Membership.id).group_by(status))
    return {MembershipStatus(s): int(n) for s, n in rows if s is not None}


def _members(ctx: _Context) -> Section:
    p = ctx.period
    section = Section("members", _("Members"))
    before = _status_counts(ctx, ctx.start_at, p.starts_on)
    after = _status_counts(ctx, ctx.end_at, p.ends_on + timedelta(days=1))
    joined_query = (sa.select(Organization.name, Organization.province, Organization.site, Membership.joined_on,
                              MembershipTier.name.label("tier"), Membership.status)
                    .join(Membership, Membership.organization_id == Organization.id)
                    .outerjoin(MembershipTier, MembershipTier.id == Membership.tier_id)
                    .where(Membership.joined_on.between(p.starts_on, p.ends_on))
                    .order_by(Membership.joined_on, Organization.name_key, Organization.id))
    joined = _count(joined_query)
    left = int(db.session.scalar(
        sa.select(sa.func.count(sa.distinct(MembershipChange.membership_id)))
        .where(MembershipChange.at >= ctx.start_at, MembershipChange.at < ctx.end_at,
               MembershipChange.to_status.in_((MembershipStatus.LAPSED, MembershipStatus.RESIGNED)))) or 0)
    active = MembershipStatus.ACTIVE
    section.paragraphs.append(_(
        "Members are the organisations with a membership of the club. Counts at the start and at the end of the "
        "period follow the history of each membership's status."))
    section.figures += [
        Figure(_("Active members at the start of the period"), before.get(active, 0)),
        Figure(_("Active members at the end of the period"), after.get(active, 0)),
        Figure(_("Members who joined in the period"), joined),
        Figure(_("Memberships that lapsed or ended in the period"), left),
    ]
    section.tables.append(Table(
        _("Members by status"), [Column(_("Status")), Column(_("At the start"), "int"), Column(_("At the end"), "int"),
                                 Column(_("Change"), "int")],
        [(str(MEMBERSHIP_STATUS_LABELS[s]), before.get(s, 0), after.get(s, 0), after.get(s, 0) - before.get(s, 0))
         for s in MembershipStatus]))
    by_province, by_site = figures.members_by(Organization.province), figures.members_by(Organization.site)
    section.charts += charts.members_charts(by_province, by_site)
    section.paragraphs.append(_("The charts count the active members as the register stands today."))
    if ctx.partner:
        return section

    def row(r):
        return (r.name, str(PROVINCE_LABELS[r.province]) if r.province else "",
                str(SITE_LABELS[r.site]) if r.site else "", r.joined_on, r.tier or "",
                str(MEMBERSHIP_STATUS_LABELS[r.status]))

    section.tables.append(_bounded(
        _("New members"), [Column(_("Organisation"), width=36), Column(_("Province")), Column(_("Site")),
                           Column(_("Joined on"), "date"), Column(_("Tier")), Column(_("Status today"))],
        joined_query, row, total=joined, empty=_("No organisation joined the club in the period.")))
    return section


# --- dues ---------------------------------------------------------------------------------------------------------

def _dues(ctx: _Context) -> Section:
    p = ctx.period
    years = list(range(p.starts_on.year, p.ends_on.year + 1))
    section = Section("dues", _("Dues"))
    paid = sa.and_(Dues.paid_on.is_not(None), Dues.paid_on <= p.ends_on)
    rows = db.session.execute(
        sa.select(Dues.year, sa.func.count(), sa.func.coalesce(sa.func.sum(Dues.amount), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((paid, Dues.amount), else_=0)), 0),
                  sa.func.count().filter(paid))
        .where(Dues.year.in_(years)).group_by(Dues.year).order_by(Dues.year)).all()
    collected_in_period = Decimal(db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Dues.amount), 0))
        .where(Dues.paid_on.between(p.starts_on, p.ends_on))) or 0)
    invoiced = sum((Decimal(r[2]) for r in rows), Decimal(0))
    collected = sum((Decimal(r[3]) for r in rows), Decimal(0))
    section.paragraphs.append(ngettext(
        "Dues of the year %(years)s: invoiced, and collected by the end of the period.",
        "Dues of the years %(years)s: invoiced, and collected by the end of the period.", len(years),
        years=", ".join(str(y) for y in years)))
    section.figures += [
        Figure(_("Dues invoiced"), invoiced, "money"),
        Figure(_("Dues collected by the end of the period"), collected, "money"),
        Figure(_("Dues outstanding"), invoiced - collected, "money"),
        Figure(_("Collection rate"), _share(collected, invoiced), "percent"),
        Figure(_("Dues collected in the period (any year)"), collected_in_period, "money"),
    ]
    section.tables.append(Table(
        _("Dues by year"), [Column(_("Year"), "int", 8), Column(_("Dues"), "int"), Column(_("Invoiced"), "money"),
                            Column(_("Collected"), "money"), Column(_("Outstanding"), "money"),
                            Column(_("Dues paid"), "int"), Column(_("Collection rate"), "percent")],
        [(int(y), int(n), Decimal(i), Decimal(c), Decimal(i) - Decimal(c), int(k), _share(c, i))
         for y, n, i, c, k in rows], empty=_("No dues for these years.")))
    section.charts.append(Chart(
        _("Dues invoiced and collected by year"),
        _("%(collected)s collected of %(invoiced)s invoiced.", collected=formats.money(collected),
          invoiced=formats.money(invoiced)),
        [str(r[0]) for r in rows], [Series(_("Invoiced"), [Decimal(r[2]) for r in rows]),
                                    Series(_("Collected"), [Decimal(r[3]) for r in rows])],
        kind="bar", unit="money", columns=_("Year"), height=320))
    if ctx.partner:
        section.paragraphs.append(_("This report gives the club's totals only: no organisation's dues."))
        return section
    query = (sa.select(Organization.name, Dues.year, Dues.amount, Dues.invoiced_on,
                       sa.case((paid, Dues.paid_on)).label("paid_on"),
                       sa.case((paid, 0), else_=Dues.amount).label("outstanding"))
             .join(Organization, Organization.id == Dues.organization_id).where(Dues.year.in_(years))
             .order_by(sa.case((paid, 1), else_=0), Dues.amount.desc(), Organization.name_key, Dues.id))
    total = sum(int(r[1]) for r in rows)
    section.tables.append(_bounded(
        _("Dues by organisation"), [Column(_("Organisation"), width=36), Column(_("Year"), "int", 8),
                                    Column(_("Amount"), "money"), Column(_("Invoiced on"), "date"),
                                    Column(_("Paid on"), "date"), Column(_("Outstanding"), "money")],
        query, lambda r: (r.name, int(r.year), r.amount, r.invoiced_on, r.paid_on, Decimal(r.outstanding)),
        total=total, empty=_("No dues for these years."), note=_("Outstanding dues first, largest first.")))
    return section


# --- jobs ---------------------------------------------------------------------------------------------------------

def _created_by(day: date) -> sa.Subquery:
    """Per commitment, the jobs created to date at ``day``: its latest report by then."""
    return _latest(JobReport.commitment_id, (JobReport.reported_on.desc(), JobReport.id.desc()),
                   [JobReport.reported_on <= day], JobReport.jobs_created.label("created"))


def _jobs(ctx: _Context) -> Section:
    from club.reports.figures import OrganisationJobs

    p = ctx.period
    section = Section("jobs", _("Jobs"))
    target_row = db.session.get(ClubTarget, 1)
    target = target_row.jobs_target if target_row else DEFAULT_JOBS_TARGET
    horizon = target_row.horizon if target_row else None
    at_end, at_start = _created_by(p.ends_on), _created_by(p.starts_on - timedelta(days=1))
    announced_on = sa.func.coalesce(JobCommitment.announced_on, sa.cast(JobCommitment.created_at, sa.Date))
    created_end = sa.func.coalesce(at_end.c.created, 0)
    created_start = sa.func.coalesce(at_start.c.created, 0)
    overdue = sa.func.max(sa.case((sa.and_(JobCommitment.horizon < p.ends_on,
                                           created_end < JobCommitment.jobs_announced), 1), else_=0))
    base = (sa.select()
            .select_from(JobCommitment)
            .join(Organization, Organization.id == JobCommitment.organization_id)
            .outerjoin(at_end, at_end.c.key == JobCommitment.id)
            .outerjoin(at_start, at_start.c.key == JobCommitment.id)
            .where(Organization.archived_at.is_(None), announced_on <= p.ends_on))
    totals = db.session.execute(base.add_columns(
        sa.func.coalesce(sa.func.sum(JobCommitment.jobs_announced), 0), sa.func.coalesce(sa.func.sum(created_end), 0),
        sa.func.coalesce(sa.func.sum(created_start), 0), sa.func.count(sa.distinct(Organization.id)))).one()
    announced, created, created_before, organisations = (int(v or 0) for v in totals)
    announced_sum = sa.func.sum(JobCommitment.jobs_announced).label("announced")
    query = (base.add_columns(Organization.id, Organization.name, announced_sum,
                              sa.func.sum(created_end).label("created"),
                              (sa.func.sum(created_end) - sa.func.sum(created_start)).label("in_period"),
                              sa.func.max(JobCommitment.horizon).label("horizon"), overdue.label("overdue"))
             .group_by(Organization.id, Organization.name)
             .order_by(announced_sum.desc(), Organization.name, Organization.id))
    section.paragraphs.append(_(
        "Jobs announced are the organisations' commitments; jobs created are those of their latest report by the "
        "end of the period. A commitment is overdue when its horizon has passed with fewer jobs created than "
        "announced."))
    section.figures += [
        Figure(_("The club's jobs target"), target),
        Figure(_("Jobs announced by the end of the period"), announced),
        Figure(_("Jobs created by the end of the period"), created),
        Figure(_("Jobs created in the period"), created - created_before),
        Figure(_("Share of the target created"), _share(created, target), "percent"),
    ]
    if horizon:
        section.figures.append(Figure(_("The target's horizon"), horizon, "date"))
    since = min(p.starts_on, date(p.ends_on.year - 1, p.ends_on.month, 1) + timedelta(days=31)).replace(day=1)
    months = figures.jobs_by_month(until=p.ends_on, since=since)
    section.charts.append(charts.jobs_chart(months, target, horizon))

    def row(r):
        return (r.name, int(r.announced or 0), int(r.created or 0), int(r.in_period or 0), r.horizon,
                _("Yes") if r.overdue else "")

    table = _bounded(
        _("Jobs by organisation"), [Column(_("Organisation"), width=36), Column(_("Jobs announced"), "int"),
                                    Column(_("Jobs created"), "int"), Column(_("Created in the period"), "int"),
                                    Column(_("Horizon"), "date"), Column(_("Overdue"))],
        query, row, total=organisations, empty=_("No job commitment by the end of the period."),
        note=_("Organisations with the most jobs announced first."))
    top = [OrganisationJobs(0, r[0], r[1], r[2], r[4], bool(r[5])) for r in table.rows[:15]]
    if top:
        section.charts.append(charts.jobs_by_organisation_chart(top))
    section.tables.append(table)
    return section


# --- deals --------------------------------------------------------------------------------------------------------

PIPELINE_STAGES = (Stage.LEAD, Stage.SCREENING, Stage.DUE_DILIGENCE, Stage.COMMITTEE, Stage.TERM_SHEET)


def _deals(ctx: _Context) -> Section:
    p = ctx.period
    section = Section("deals", _("Deals"))
    visible = Deal.visible_to(ctx.viewer)
    if ctx.partner:
        section.paragraphs.append(_("Only the deals the club has shared with %(name)s.", name=ctx.audience.name))
    signed = db.session.scalars(
        sa.select(Deal).where(visible, Deal.stage.in_((Stage.SIGNED, Stage.CLOSED)),
                              Deal.signed_on.between(p.starts_on, p.ends_on))
        .order_by(Deal.signed_on, Deal.id)).all()
    rows = [(d.title, d.target.name, ", ".join(o.name for o in d.investors),
             ", ".join(o.name for o in d.signatories), str(KIND_LABELS[d.kind]), d.amount,
             (d.stake / 100) if d.stake is not None else None, d.signed_on) for d in signed]
    last = _latest(StageChange.deal_id, (StageChange.at.desc(), StageChange.id.desc()),
                   [StageChange.at < ctx.end_at], StageChange.to_stage.label("stage"))
    stage = sa.func.coalesce(last.c.stage, sa.case((Deal.created_at < ctx.end_at, Deal.stage))).label("stage")
    by_stage = {}
    for s, n, amount in db.session.execute(
            sa.select(stage, sa.func.count(), sa.func.coalesce(sa.func.sum(Deal.amount), 0)).select_from(Deal)
            .outerjoin(last, last.c.key == Deal.id).where(visible).group_by(stage)):
        if s is not None:
            by_stage[Stage(s)] = (int(n), Decimal(amount))
    funnel = [StageFigure(s, *by_stage.get(s, (0, Decimal(0)))) for s in Stage]
    open_deals = [f for f in funnel if f.stage in PIPELINE_STAGES]
    amount_signed = sum((d.amount or Decimal(0) for d in signed), Decimal(0))
    section.figures += [
        Figure(_("Deals signed in the period"), len(signed)),
        Figure(_("Amount signed in the period"), amount_signed, "money"),
        Figure(_("Deals in the pipeline at the end of the period (lead to term sheet)"),
               sum(f.count for f in open_deals)),
        Figure(_("Amount of the deals in the pipeline"), sum((f.amount for f in open_deals), Decimal(0)), "money"),
    ]
    section.tables.append(_listed(
        _("Deals signed"), [Column(_("Deal"), width=36), Column(_("Target")), Column(_("Investors")),
                            Column(_("Signatories")), Column(_("Kind")), Column(_("Amount"), "money"),
                            Column(_("Stake"), "percent"), Column(_("Signed on"), "date")],
        rows, empty=_("No deal signed in the period.")))
    section.tables.append(Table(
        _("Pipeline by stage"), [Column(_("Stage")), Column(_("Deals"), "int"), Column(_("Amount"), "money")],
        [(str(STAGE_LABELS[f.stage]), f.count, f.amount) for f in funnel],
        note=_("The stage of each deal at the end of the period.")))
    section.charts += charts.funnel_charts(funnel)
    section.charts.append(charts.signed_chart(figures.signed_by_year_and_kind(ctx.viewer, until=p.ends_on)))
    return section


# --- incubator ----------------------------------------------------------------------------------------------------

def _incubator(ctx: _Context) -> Section:
    section = Section("incubator", _("Incubator"))
    calls = db.session.execute(
        sa.select(Call.id, Call.title, Call.opens_at, Call.closes_at, Call.capacity)
        .where(Call.opens_at < ctx.end_at, Call.closes_at >= ctx.start_at).order_by(Call.opens_at, Call.id)).all()
    ids = [c.id for c in calls]
    counts: dict[int, dict[Status, int]] = {i: {} for i in ids}
    if ids:
        for call_id, status, n in db.session.execute(
                sa.select(Application.call_id, Application.status, sa.func.count())
                .where(Application.call_id.in_(ids), Application.status != Status.DRAFT)
                .group_by(Application.call_id, Application.status)):
            counts[call_id][Status(status)] = int(n)
    cohort_states = (Status.ACCEPTED, Status.INCUBATED, Status.GRADUATED)
    by_status = {s: sum(c.get(s, 0) for c in counts.values()) for s in Status if s != Status.DRAFT}
    submitted = sum(by_status.values())
    cohort = sum(by_status[s] for s in cohort_states)
    section.paragraphs.append(_("The calls for applications open during the period, and their applications as "
                                "they stand today (drafts not counted)."))
    section.figures += [
        Figure(_("Calls open in the period"), len(calls)),
        Figure(_("Applications submitted"), submitted),
        Figure(_("Accepted, incubated or graduated"), cohort),
        Figure(_("Acceptance rate"), _share(cohort, submitted), "percent"),
    ]
    section.tables.append(_listed(
        _("Calls for applications"), [Column(_("Call"), width=36), Column(_("Opens on"), "date"),
                                      Column(_("Closes on"), "date"), Column(_("Places"), "int"),
                                      Column(_("Applications"), "int"), Column(_("In the cohort"), "int")],
        [(c.title, local_date(c.opens_at), local_date(c.closes_at), c.capacity, sum(counts[c.id].values()),
          sum(counts[c.id].get(s, 0) for s in cohort_states)) for c in calls],
        empty=_("No call for applications open in the period.")))
    section.tables.append(Table(
        _("Applications by state"), [Column(_("State")), Column(_("Applications"), "int")],
        [(str(STATUS_LABELS[s]), n) for s, n in by_status.items() if n]))
    shown = [(s, n) for s, n in by_status.items() if n]
    section.charts.append(Chart(
        _("Applications by state"),
        ngettext("%(num)s application submitted to the calls of the period.",
                 "%(num)s applications submitted to the calls of the period.", submitted,
                 num=formats.number(submitted)),
        [str(STATUS_LABELS[s]) for s, _n in shown], [Series(_("Applications"), [n for _s, n in shown])],
        kind="hbar", columns=_("State"), height=max(260, 60 + 36 * len(shown))))
    if ctx.partner or not ids:
        return section
    query = (sa.select(Application.startup_name, Application.project_title, Call.title.label("call"),
                       Application.status, Application.province)
             .join(Call, Call.id == Application.call_id)
             .where(Application.call_id.in_(ids), Application.status.in_(cohort_states))
             .order_by(Call.opens_at, Application.startup_name, Application.id))
    section.tables.append(_bounded(
        _("The cohort"), [Column(_("Startup"), width=30), Column(_("Project"), width=36), Column(_("Call"), width=30),
                          Column(_("State")), Column(_("Province"))],
        query, lambda r: (r.startup_name, r.project_title, r.call, str(STATUS_LABELS[r.status]),
                          str(PROVINCE_LABELS[r.province]) if r.province else ""),
        total=cohort, empty=_("No application accepted yet.")))
    return section


# --- missions -----------------------------------------------------------------------------------------------------

def _missions(ctx: _Context) -> Section:
    section = Section("missions", _("Missions"))
    held = (sa.select(Mission).where(Mission.visible_to(ctx.viewer), Mission.starts_at < ctx.end_at,
                                     Mission.ends_at >= ctx.start_at,
                                     Mission.state.in_((MissionState.OPEN, MissionState.CLOSED, MissionState.DONE)))
            .order_by(Mission.starts_at, Mission.id))
    missions = db.session.scalars(held.options(selectinload(Mission.report))).all()
    ids = [m.id for m in missions]
    counts: dict[int, dict[RegistrationStatus, int]] = {i: {} for i in ids}
    outcomes: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for mission_id, status, n in db.session.execute(
                sa.select(Registration.mission_id, Registration.status, sa.func.count())
                .where(Registration.mission_id.in_(ids)).group_by(Registration.mission_id, Registration.status)):
            counts[mission_id][RegistrationStatus(status)] = int(n)
        for mission_id, name in db.session.execute(
                sa.select(MissionOutcome.mission_id, Organization.name)
                .join(Organization, Organization.id == MissionOutcome.organization_id)
                .where(MissionOutcome.mission_id.in_(ids)).order_by(Organization.name)):
            outcomes[mission_id].append(name)

    def seated(m):
        return sum(counts[m.id].get(s, 0) for s in SEATED)

    rows = []
    for m in missions:
        c = counts[m.id]
        text = ", ".join(outcomes[m.id])
        if not ctx.partner and m.report and m.report.outcomes:
            text = f"{m.report.outcomes} ({text})" if text else m.report.outcomes
        rows.append((m.title, str(MISSION_KIND_LABELS[m.kind]), m.destination, local_date(m.starts_at),
                     local_date(m.ends_at), m.capacity, seated(m), c.get(RegistrationStatus.WAITLISTED, 0),
                     c.get(RegistrationStatus.ATTENDED, 0), _share(seated(m), m.capacity), text))
    capacity = sum(m.capacity for m in missions)
    taken = sum(seated(m) for m in missions)
    section.figures += [
        Figure(_("Missions held in the period"), len(missions)),
        Figure(_("Seats offered"), capacity),
        Figure(_("Seats taken"), taken),
        Figure(_("Fill rate"), _share(taken, capacity), "percent"),
        Figure(_("People on a waiting list"), sum(r[7] for r in rows)),
        Figure(_("Attended"), sum(r[8] for r in rows)),
    ]
    if ctx.partner:
        section.paragraphs.append(_("The missions %(name)s takes part in, as a partner or with its people.",
                                    name=ctx.audience.name))
    section.tables.append(_listed(
        _("Missions held"), [Column(_("Mission"), width=32), Column(_("Kind")), Column(_("Destination")),
                             Column(_("Starts on"), "date"), Column(_("Ends on"), "date"), Column(_("Places"), "int"),
                             Column(_("Registered"), "int"), Column(_("Waiting list"), "int"),
                             Column(_("Attended"), "int"), Column(_("Fill rate"), "percent"),
                             Column(_("Outcomes"), width=48)],
        rows, empty=_("No mission held in the period.")))
    if missions:
        description = _("%(taken)s seats taken of %(capacity)s offered (%(share)s).", taken=formats.number(taken),
                        capacity=formats.number(capacity), share=formats.percent(taken, capacity))
        shown = missions
        if len(missions) > CHART_ROWS:
            shown = sorted(missions, key=lambda m: (-seated(m), m.starts_at, m.id))[:CHART_ROWS]
            description += " " + _("The chart shows the %(num)s missions with the most seats taken.",
                                   num=CHART_ROWS)
        section.charts.append(Chart(
            _("Missions: seats taken and waiting lists"), description, [m.title for m in shown],
            [Series(_("Places"), [m.capacity for m in shown]), Series(_("Registered"), [seated(m) for m in shown]),
             Series(_("Waiting list"), [counts[m.id].get(RegistrationStatus.WAITLISTED, 0) for m in shown])],
            kind="hbar", columns=_("Mission"), height=max(300, 80 + 54 * len(shown)), short_label=36))
    return section


# --- programmes ---------------------------------------------------------------------------------------------------

def _programmes(ctx: _Context) -> Section:
    from club.programmes.models import _beyond_public  # budgets, indicators, beneficiaries: lead and partners
    from club.programmes.queries.programmes import indicator_results, measured, tally

    p = ctx.period
    section = Section("programmes", _("Programmes"))
    programmes = db.session.scalars(
        sa.select(Programme).options(selectinload(Programme.lead), selectinload(Programme.indicators))
        .where(Programme.visible_to(ctx.viewer), _beyond_public(ctx.viewer),
               Programme.state.in_((ProgrammeState.ACTIVE, ProgrammeState.CLOSED)),
               Programme.starts_on <= p.ends_on,
               sa.or_(Programme.ends_on.is_(None), Programme.ends_on >= p.starts_on))
        .order_by(Programme.starts_on, Programme.id)).all()
    ids = [g.id for g in programmes]
    tallies = tally(ids)
    results = indicator_results(ids, tallies)
    people = {g.id: {m: measured(tallies.get(g.id, {}), m) for m in
                     (Measure.ENROLLED, Measure.WOMEN_ENROLLED, Measure.TRAINED, Measure.PLACED)} for g in programmes}
    section.paragraphs.append(_("Programmes under way during the period, with their indicators as reached to "
                                "date. Beneficiaries are counted, never named."))
    section.figures += [
        Figure(_("Programmes under way"), len(programmes)),
        Figure(_("Beneficiaries enrolled"), sum(v[Measure.ENROLLED] for v in people.values())),
        Figure(_("of whom women"), sum(v[Measure.WOMEN_ENROLLED] for v in people.values())),
        Figure(_("Placed in a job"), sum(v[Measure.PLACED] for v in people.values())),
    ]
    section.tables.append(_listed(
        _("Programmes"), [Column(_("Programme"), width=34), Column(_("Kind")), Column(_("Lead organisation"), width=28),
                          Column(_("Starts on"), "date"), Column(_("Ends on"), "date"), Column(_("Budget"), "money"),
                          Column(_("Beneficiaries"), "int"), Column(_("Women"), "int"), Column(_("Trained"), "int"),
                          Column(_("Placed"), "int")],
        [(g.title, str(PROGRAMME_KIND_LABELS[g.kind]), g.lead.name, g.starts_on, g.ends_on, g.budget,
          people[g.id][Measure.ENROLLED], people[g.id][Measure.WOMEN_ENROLLED], people[g.id][Measure.TRAINED],
          people[g.id][Measure.PLACED]) for g in programmes],
        empty=_("No programme under way in the period.")))
    indicators = [(g, i) for g in programmes for i in sorted(g.indicators, key=lambda i: (i.position, i.id))]
    section.tables.append(_listed(
        _("Indicators"), [Column(_("Programme"), width=34), Column(_("Indicator"), width=34),
                          Column(_("Target"), "int"), Column(_("Reached"), "int"),
                          Column(_("Share of the target"), "percent"), Column(_("Target date"), "date")],
        [(g.title, i.name, i.target, results.get(i.id, 0), _share(results.get(i.id, 0), i.target), i.target_on)
         for g, i in indicators], empty=_("No indicator.")))
    if indicators:
        description = _("The share of each indicator's target reached to date.")
        if len(indicators) > CHART_ROWS:
            description += " " + _("The chart shows the first %(num)s indicators; the table has them all.",
                                   num=CHART_ROWS)
        shown = indicators[:CHART_ROWS]
        section.charts.append(Chart(
            _("Programme indicators against their targets"), description,
            [f"{i.name} ({g.title})" for g, i in shown],
            [Series(_("Share of the target"),
                    [round(100 * results.get(i.id, 0) / i.target) if i.target else None for g, i in shown])],
            kind="hbar", unit="percent", columns=_("Indicator"), height=max(300, 60 + 36 * len(shown)), short_label=48))
    return section


# --- recognitions -------------------------------------------------------------------------------------------------

def _recognitions(ctx: _Context) -> Section:
    p = ctx.period
    section = Section("recognitions", _("Recognitions"))
    awards = db.session.scalars(
        sa.select(Award).options(selectinload(Award.organization), selectinload(Award.contact))
        .where(Award.awarded_on.between(p.starts_on, p.ends_on)).order_by(Award.awarded_on, Award.id)).all()

    def recipient(award):
        if not ctx.partner:
            return award.recipient
        if award.organization is not None:
            return award.organization.name
        return _("A person outside the register")

    section.figures.append(Figure(_("Awards given in the period"), len(awards)))
    section.tables.append(_listed(
        _("Awards"), [Column(_("Award"), width=32), Column(_("Category")), Column(_("Occasion"), width=28),
                      Column(_("Recipient"), width=32), Column(_("Awarded on"), "date")],
        [(a.title, str(AWARD_CATEGORY_LABELS[a.category]), a.occasion, recipient(a), a.awarded_on) for a in awards],
        empty=_("No award given in the period.")))
    if ctx.partner:
        section.paragraphs.append(_("People honoured are not named in a partner's report."))
    return section
