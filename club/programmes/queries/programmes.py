"""The programmes' reads: the list and its filters, a programme page's rows (partners, indicators with what they
reached, milestones, reports, documents, beneficiaries' aggregates), the sections and panels other pages show, and
the global search's provider. Each is built on the models' ``visible_to`` and runs a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

from club.core.freshness import fresh
from club.core.search import Hit
from club.core.text import contains_folded
from club.extensions import db
from club.members.models import Organization, Province
from club.permissions import visible
from club.programmes.models import (
    Beneficiary,
    BeneficiaryStatus,
    Gender,
    Indicator,
    IndicatorFigure,
    IndicatorSource,
    Measure,
    Milestone,
    Programme,
    ProgrammeDocument,
    ProgrammeKind,
    ProgrammePartner,
    ProgrammeState,
    ProgressReport,
)

# What each measure counts: the furthest step reached (0 enrolled, 1 trained, 2 placed), and women only or not.
MEASURES = {
    Measure.ENROLLED: (0, False), Measure.TRAINED: (1, False), Measure.PLACED: (2, False),
    Measure.WOMEN_ENROLLED: (0, True), Measure.WOMEN_TRAINED: (1, True), Measure.WOMEN_PLACED: (2, True),
}


# --- the list ----------------------------------------------------------------------------------------------------

@dataclass
class Filters:
    kind: str = ""
    state: str = ""
    province: str = ""
    lead: int = 0
    q: str = ""


def programme_list(user, filters: Filters | None = None) -> sa.Select:
    """The programmes ``user`` may open, filtered, the most recent first (with their lead, joined)."""
    f = filters or Filters()
    stmt = (sa.select(Programme).join(Programme.lead).where(visible(Programme, user))
            .options(sa.orm.contains_eager(Programme.lead), selectinload(Programme.partners))
            .order_by(Programme.starts_on.desc(), Programme.id.desc()))
    if f.kind in {k.value for k in ProgrammeKind}:
        stmt = stmt.where(Programme.kind == ProgrammeKind(f.kind))
    if f.state in {s.value for s in ProgrammeState}:
        stmt = stmt.where(Programme.state == ProgrammeState(f.state))
    if f.province in {p.value for p in Province}:
        stmt = stmt.where(Programme.province == Province(f.province))
    if f.lead:
        stmt = stmt.where(Programme.lead_organization_id == f.lead)
    if f.q:
        stmt = stmt.where(contains_folded(Programme.title, f.q))
    return stmt


def lead_choices(user) -> list[tuple[int, str]]:
    """(id, name) of the organisations leading a programme ``user`` may open: the list's lead filter."""
    led = sa.select(Programme.lead_organization_id).where(visible(Programme, user))
    return [(row.id, row.name) for row in db.session.execute(
        sa.select(Organization.id, Organization.name).where(Organization.id.in_(led)).order_by(Organization.name))]


def main_indicators(programme_ids) -> dict[int, Indicator]:
    """The first indicator (by position) of each programme: what the list and the home panels show."""
    ids = list(programme_ids)
    if not ids:
        return {}
    first = (sa.select(Indicator.id, sa.func.row_number().over(
        partition_by=Indicator.programme_id, order_by=(Indicator.position, Indicator.id)).label("n"))
        .where(Indicator.programme_id.in_(ids)).subquery())
    rows = db.session.scalars(sa.select(Indicator).join(first, first.c.id == Indicator.id).where(first.c.n == 1))
    return {indicator.programme_id: indicator for indicator in rows}


# --- indicators: what they reached, in SQL ------------------------------------------------------------------------

def tally(programme_ids) -> dict[int, dict[tuple, int]]:
    """{programme id: {(status, gender, reached): people}}: one grouped count over the beneficiaries of these
    programmes (an index-only scan of ``ix_programme_beneficiaries_tally``), from which both the indicators
    counted from people and the aggregates a partner sees are read."""
    ids = sorted(set(programme_ids))
    if not ids:
        return {}
    # The same for whoever reads it (what they may see of it is decided by the callers): once per change of the data.
    return fresh(("programmes.tally", tuple(ids)), lambda: _tally(ids))


def _tally(ids: list[int]) -> dict[int, dict[tuple, int]]:
    out: dict[int, dict[tuple, int]] = {i: {} for i in ids}
    reached = Beneficiary.reached.label("reached")  # grouped by its name (PostgreSQL: one expression, not two)
    for programme_id, status, gender, step, n in db.session.execute(
            sa.select(Beneficiary.programme_id, Beneficiary.status, Beneficiary.gender, reached, sa.func.count())
            .where(Beneficiary.programme_id.in_(ids))
            .group_by(Beneficiary.programme_id, Beneficiary.status, Beneficiary.gender, reached)):
        out[programme_id][(status, gender, step)] = n
    return out


def measured(counts: dict[tuple, int], measure: Measure) -> int:
    """The people of one programme's tally that ``measure`` counts (everyone who reached its step; a person who
    left counts for the step they had reached)."""
    step, women = MEASURES[measure]
    return sum(n for (_status, gender, reached), n in counts.items()
               if reached >= step and (not women or gender == Gender.FEMALE))


def indicator_results(programme_ids, tallies: dict | None = None) -> dict[int, int]:
    """{indicator id: reached to date} for every indicator of these programmes, in three queries whatever their
    number: the indicators, the tally of their people (unless given), the latest figure of each measured
    indicator."""
    ids = sorted(set(programme_ids))
    if not ids:
        return {}
    if tallies is None:  # the same for whoever reads it: once per change of the data
        return fresh(("programmes.indicator_results", tuple(ids)), lambda: _indicator_results(ids, None))
    return _indicator_results(ids, tallies)


def _indicator_results(ids: list[int], tallies: dict | None) -> dict[int, int]:
    indicators = db.session.execute(sa.select(Indicator.id, Indicator.programme_id, Indicator.source,
                                              Indicator.measure).where(Indicator.programme_id.in_(ids))).all()
    results = {row.id: 0 for row in indicators}
    counted = {row.programme_id for row in indicators if row.source == IndicatorSource.BENEFICIARIES}
    if counted:
        if tallies is None or not counted <= tallies.keys():
            tallies = tally(counted)
        for row in indicators:
            if row.source == IndicatorSource.BENEFICIARIES and row.measure:
                results[row.id] = measured(tallies[row.programme_id], row.measure)
    figures = [row.id for row in indicators if row.source == IndicatorSource.FIGURES]
    if figures:
        latest = (sa.select(IndicatorFigure.indicator_id, IndicatorFigure.value, sa.func.row_number().over(
            partition_by=IndicatorFigure.indicator_id,
            order_by=(IndicatorFigure.measured_on.desc(), IndicatorFigure.id.desc())).label("n"))
            .where(IndicatorFigure.indicator_id.in_(figures)).subquery())
        for indicator_id, value in db.session.execute(sa.select(latest.c.indicator_id, latest.c.value)
                                                      .where(latest.c.n == 1)):
            results[indicator_id] = int(value)
    return results


def latest_figures(indicator_ids) -> dict[int, IndicatorFigure]:
    """The latest figure of each measured indicator (its date and note, for the page), one query."""
    ids = list(indicator_ids)
    if not ids:
        return {}
    latest = (sa.select(IndicatorFigure.id, sa.func.row_number().over(
        partition_by=IndicatorFigure.indicator_id,
        order_by=(IndicatorFigure.measured_on.desc(), IndicatorFigure.id.desc())).label("n"))
        .where(IndicatorFigure.indicator_id.in_(ids)).subquery())
    return {f.indicator_id: f for f in db.session.scalars(
        sa.select(IndicatorFigure).join(latest, latest.c.id == IndicatorFigure.id).where(latest.c.n == 1))}


def figure_counts(indicator_ids) -> dict[int, int]:
    ids = list(indicator_ids)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(IndicatorFigure.indicator_id, sa.func.count())
                                   .where(IndicatorFigure.indicator_id.in_(ids))
                                   .group_by(IndicatorFigure.indicator_id)).all())


# --- a programme's page ------------------------------------------------------------------------------------------

def programme_options():
    """What a programme's page reads with it: its lead, partners with their organisations, indicators."""
    return (joinedload(Programme.lead), selectinload(Programme.partners).joinedload(ProgrammePartner.organization),
            selectinload(Programme.indicators))


def milestones(programme_id: int) -> list[Milestone]:
    return list(db.session.scalars(sa.select(Milestone).where(Milestone.programme_id == programme_id)
                                   .order_by(Milestone.due_on, Milestone.id)))


def reports(programme_id: int, user) -> list[ProgressReport]:
    """The reports of a programme ``user`` may read (a partner: the accepted ones), the latest period first."""
    return list(db.session.scalars(
        sa.select(ProgressReport).where(ProgressReport.programme_id == programme_id, visible(ProgressReport, user))
        .options(joinedload(ProgressReport.author))
        .order_by(ProgressReport.period_end.desc(), ProgressReport.id.desc())))


def documents(programme_id: int, user, report_id: int | None = None) -> list[ProgrammeDocument]:
    """The documents of the programme itself (``report_id`` None) or of one report, that ``user`` may open."""
    stmt = (sa.select(ProgrammeDocument).where(ProgrammeDocument.programme_id == programme_id,
                                               visible(ProgrammeDocument, user))
            .options(joinedload(ProgrammeDocument.file)).order_by(ProgrammeDocument.id))
    stmt = stmt.where(ProgrammeDocument.report_id.is_(None) if report_id is None
                      else ProgrammeDocument.report_id == report_id)
    return list(db.session.scalars(stmt))


def document_of(programme: Programme, document_id: int, user) -> ProgrammeDocument | None:
    return db.session.scalar(sa.select(ProgrammeDocument).where(
        ProgrammeDocument.id == document_id, ProgrammeDocument.programme_id == programme.id,
        visible(ProgrammeDocument, user)).options(joinedload(ProgrammeDocument.file)))


@dataclass
class Aggregates:
    """Beneficiaries counted by status and gender: what partners see of them (no names)."""

    total: int
    by_status: dict
    by_gender: dict


def beneficiary_aggregates(counts: dict[tuple, int]) -> Aggregates:
    """A programme's people by status and by gender, from its ``tally``."""
    by_status = {s: 0 for s in BeneficiaryStatus}
    by_gender = {g: 0 for g in Gender}
    for (status, gender, _reached), n in counts.items():
        by_status[status] += n
        by_gender[gender] += n
    return Aggregates(total=sum(by_status.values()), by_status=by_status, by_gender=by_gender)


def funding_total(programme: Programme):
    from decimal import Decimal

    return sum((p.funding for p in programme.partners if p.funding is not None), Decimal(0))


# --- other pages: the organisation, the mission, the homes ---------------------------------------------------------

def organization_programmes(org_id: int, user, limit: int = 50) -> list:
    """(programme, partner role or None) of the programmes ``org_id`` leads or supports that ``user`` may open."""
    partner = sa.orm.aliased(ProgrammePartner)
    return db.session.execute(
        sa.select(Programme, partner.role)
        .outerjoin(partner, sa.and_(partner.programme_id == Programme.id, partner.organization_id == org_id))
        .where(visible(Programme, user),
               sa.or_(Programme.lead_organization_id == org_id, partner.organization_id.is_not(None)))
        .order_by(Programme.starts_on.desc(), Programme.id.desc()).limit(limit)).all()


def action_programmes(mission_id: int, user) -> list:
    """(follow-up action, programme or None) of a mission: the programme each action became, when ``user`` may open
    it (one query)."""
    from club.missions.models import FollowUpAction

    shown = sa.orm.aliased(Programme, sa.select(Programme).where(visible(Programme, user)).subquery())
    return db.session.execute(
        sa.select(FollowUpAction, shown).outerjoin(shown, shown.mission_action_id == FollowUpAction.id)
        .where(FollowUpAction.mission_id == mission_id)
        .order_by(FollowUpAction.done_at.is_not(None), FollowUpAction.due_on, FollowUpAction.id)).all()


def follow_up_action(action_id: int):
    """The mission follow-up action a new programme is made from (with its owner organisation and, as
    ``action.mission_title``, its mission's title), or None (one query)."""
    from club.missions.models import FollowUpAction, Mission

    row = db.session.execute(sa.select(FollowUpAction, Mission.title).join(Mission, Mission.id == FollowUpAction.mission_id)
                             .where(FollowUpAction.id == action_id)
                             .options(joinedload(FollowUpAction.owner_organization))).first()
    if row is None:
        return None
    action, title = row
    action.mission_title = title
    return action


def programme_of_action(action_id: int) -> Programme | None:
    return db.session.scalar(sa.select(Programme).where(Programme.mission_action_id == action_id))


def panel_rows(user, *, lead_organization_id: int | None = None, limit: int = 10) -> list[tuple]:
    """(programme, its main indicator or None, reached) of the active programmes (or those an organisation leads,
    any state but cancelled): the home panels, in a constant number of queries."""
    stmt = sa.select(Programme).where(visible(Programme, user))
    if lead_organization_id is None:
        stmt = stmt.where(Programme.state == ProgrammeState.ACTIVE)
    else:
        stmt = stmt.where(Programme.lead_organization_id == lead_organization_id,
                          Programme.state != ProgrammeState.CANCELLED)
    programmes = list(db.session.scalars(stmt.order_by(Programme.starts_on.desc(), Programme.id.desc()).limit(limit)))
    mains = main_indicators(p.id for p in programmes)
    results = indicator_results(p.id for p in programmes)
    return [(p, mains.get(p.id), results.get(mains[p.id].id, 0) if p.id in mains else 0) for p in programmes]


# --- the global search -------------------------------------------------------------------------------------------

def search(term: str, user, limit: int) -> tuple[int, list[Hit]]:
    """The programmes ``user`` may open whose title contains ``term`` (case and accents folded), the most recent
    first: ``(how many, the first `limit` as hits)``, in two queries."""
    matching = sa.and_(visible(Programme, user), contains_folded(Programme.title, term))
    total = db.session.scalar(sa.select(sa.func.count(Programme.id)).where(matching))
    if not total:
        return 0, []
    page = db.session.scalars(sa.select(Programme).where(matching).options(joinedload(Programme.lead))
                              .order_by(Programme.starts_on.desc(), Programme.id.desc()).limit(limit))
    return total, [Hit(title=p.title, url=url_for("programmes.detail", programme_id=p.id),
                       detail=" · ".join([str(p.kind_label), p.lead.name, str(p.state_label)])) for p in page]


def resolve(ids, user) -> dict:
    """How audit events name the programmes ``user`` may open (one query)."""
    rows = db.session.execute(sa.select(Programme.id, Programme.title).where(Programme.id.in_(ids),
                                                                             visible(Programme, user)))
    return {ident: (title, url_for("programmes.detail", programme_id=ident)) for ident, title in rows}


def resolve_reports(ids, user) -> dict:
    """How audit events name the progress reports ``user`` may read: their programme and period (one query)."""
    from club.formats import date_filter

    rows = db.session.execute(
        sa.select(ProgressReport.id, ProgressReport.programme_id, ProgressReport.period_start,
                  ProgressReport.period_end, Programme.title)
        .join(Programme, Programme.id == ProgressReport.programme_id)
        .where(ProgressReport.id.in_(ids), visible(ProgressReport, user)))
    return {row.id: (f"{row.title} ({date_filter(row.period_start, 'short')} – {date_filter(row.period_end, 'short')})",
                     url_for("programmes.report", programme_id=row.programme_id, progress_report_id=row.id))
            for row in rows}


# --- the activity report ------------------------------------------------------------------------------------------

