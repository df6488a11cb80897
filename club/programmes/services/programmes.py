"""Programme services: the programme itself (creation, edits, state), its partners and funders' shares, its
indicators and their figures, milestones, progress reports (draft, submitted, accepted or sent back) and documents.

Plain functions taking data; they check the rule, write, flush, audit and queue mail. They never commit. A refusal is
``Refused(message, field)`` (the field of the form it belongs to), a stale edit ``Stale(record)``.

Changes to the partners' shares are decided under a lock on the programme row (``lock_programme``), so two shares
added at the same moment cannot together pass the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from club.core import audit, storage
from club.core.outbox import queue_mail
from club.core.refusals import Refused, check_version
from club.core.timezones import local_today
from club.core.urls import absolute_url
from club.extensions import db
from club.members.models import Organization, Province
from club.models import utcnow
from club.permissions import Role
from club.programmes.models import (
    REPORT_STATE_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    Access,
    Indicator,
    IndicatorFigure,
    IndicatorSource,
    Measure,
    Milestone,
    MilestoneStatus,
    PartnerRole,
    Programme,
    ProgrammeDocument,
    ProgrammeKind,
    ProgrammePartner,
    ProgrammeState,
    ProgressReport,
    ReportState,
)

PROGRAMME_FIELDS = ("title", "kind", "lead_organization_id", "province", "communes", "starts_on", "ends_on", "summary",
                    "objectives", "budget")
INDICATOR_FIELDS = ("name", "source", "measure", "target", "target_on")
MILESTONE_FIELDS = ("title", "due_on", "status", "done_on")
REPORT_FIELDS = ("period_start", "period_end", "summary", "difficulties", "next_steps")

# The files a programme or a report takes: those of a deal's documents (conventions, budgets, tables).
DOCUMENT_KINDS = {"pdf", "docx", "xlsx"}
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024

# The states in which a programme takes no more reports (nor figures).
ENDED = (ProgrammeState.CLOSED, ProgrammeState.CANCELLED)
EDITABLE_REPORTS = (ReportState.DRAFT, ReportState.CHANGES_REQUESTED)


@dataclass
class ProgrammeData:
    title: str
    kind: ProgrammeKind
    lead_organization_id: int
    starts_on: date
    province: Province | None = None
    communes: str | None = None
    ends_on: date | None = None
    summary: str | None = None
    objectives: str | None = None
    budget: Decimal | None = None
    mission_action_id: int | None = None


# --- who may do what ---------------------------------------------------------------------------------------------

def may_lead(programme: Programme, user) -> bool:
    """Whether ``user`` writes as the programme's lead (figures, milestones, reports, documents): the secretariat,
    or a member contact of the lead organisation."""
    if not user.is_authenticated:
        return False
    if user.role == Role.SECRETARIAT:
        return True
    return user.role == Role.MEMBER and programme.access_of(user) >= Access.LEAD


def may_edit_report(report: ProgressReport, user) -> bool:
    return (report.state in EDITABLE_REPORTS and report.programme.state not in ENDED
            and may_lead(report.programme, user))


def check_open(programme: Programme, field: str | None = None) -> None:
    """Refuse any change to an ended (closed or cancelled) programme's figures, milestones, reports and documents."""
    if programme.state in ENDED:
        raise Refused(_l("This programme is %(state)s: it takes no more changes.",
                         state=str(STATE_LABELS[programme.state]).lower()), field=field)


# --- locking -----------------------------------------------------------------------------------------------------

def lock_programme(programme_id: int) -> Programme:
    """Take the write lock on the programme row and return it fresh (``SELECT … FOR UPDATE`` on PostgreSQL; on
    SQLite a no-op UPDATE starts the write transaction at once, as ``missions.services.lock_mission`` does)."""
    if db.session.get_bind().dialect.name == "sqlite":
        table = Programme.__table__
        db.session.execute(sa.update(table).where(table.c.id == programme_id)
                           .values(updated_at=table.c.updated_at))  # changes nothing
    return db.session.execute(
        sa.select(Programme).where(Programme.id == programme_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


# --- the programme -----------------------------------------------------------------------------------------------

def _shares(programme_id: int, *, except_organization_id: int | None = None) -> Decimal:
    stmt = sa.select(sa.func.coalesce(sa.func.sum(ProgrammePartner.funding), 0)).where(
        ProgrammePartner.programme_id == programme_id)
    if except_organization_id is not None:
        stmt = stmt.where(ProgrammePartner.organization_id != except_organization_id)
    return Decimal(db.session.scalar(stmt) or 0)


def _money(value: Decimal) -> str:
    from club.formats import money

    return money(value)


def _check_programme(data: ProgrammeData, programme: Programme | None = None) -> None:
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise Refused(_l("The end must not be before the start."), field="ends_on")
    if data.budget is not None and data.budget < 0:
        raise Refused(_l("The budget cannot be negative."), field="budget")
    if db.session.get(Organization, data.lead_organization_id) is None:
        raise Refused(_l("Choose the lead organisation among the register's organisations."), field="lead")
    if programme is not None:
        shares = _shares(programme.id)
        if shares and (data.budget is None or data.budget < shares):
            raise Refused(_l("The budget cannot be below the partners' funding shares (%(total)s in all).",
                             total=_money(shares)), field="budget")


def _action(action_id: int | None, programme_id: int | None = None):
    """The mission follow-up action a new programme comes from, refused when it already became one."""
    if action_id is None:
        return None
    from club.missions.models import FollowUpAction

    action = db.session.get(FollowUpAction, action_id)
    if action is None:
        raise Refused(_l("This follow-up action no longer exists."), field="mission_action_id")
    taken = db.session.scalar(sa.select(Programme.title).where(Programme.mission_action_id == action_id,
                                                               Programme.id != (programme_id or 0)))
    if taken is not None:
        raise Refused(_l("This follow-up action already became the programme “%(title)s”.", title=taken),
                      field="mission_action_id")
    return action


def create_programme(data: ProgrammeData, *, by) -> Programme:
    """A new programme, as a draft; ``data.mission_action_id`` links it to the follow-up action it comes from."""
    _check_programme(data)
    action = _action(data.mission_action_id)
    programme = Programme(created_by_id=by.id, state=ProgrammeState.DRAFT,
                          mission_action_id=action.id if action else None,
                          **{f: getattr(data, f) for f in PROGRAMME_FIELDS})
    try:
        with db.session.begin_nested():
            db.session.add(programme)
    except sa.exc.IntegrityError:  # the same action made a programme in a request that committed first
        raise Refused(_l("This follow-up action already became a programme."), field="mission_action_id") from None
    changes = {f: [None, getattr(programme, f)] for f in PROGRAMME_FIELDS if getattr(programme, f) is not None}
    if action is not None:
        changes["mission_action"] = [None, action.task]
    audit.record("programme.create", programme, by=by, changes=changes)
    return programme


def update_programme(programme: Programme, data: ProgrammeData, *, version, by) -> dict:
    """Save an edit made on ``version``; the audited changes ({} when nothing changed). The programme's row is locked
    first, so a partner's share added meanwhile is counted against the new budget."""
    programme = lock_programme(programme.id)
    check_version(programme, version)
    _check_programme(data, programme)
    if data.lead_organization_id != programme.lead_organization_id and db.session.get(
            ProgrammePartner, (programme.id, data.lead_organization_id)) is not None:
        raise Refused(_l("This organisation is a partner of the programme: remove it from the partners before "
                         "making it the lead."), field="lead")
    for f in PROGRAMME_FIELDS:
        setattr(programme, f, getattr(data, f))
    changes = audit.diff(programme, PROGRAMME_FIELDS)
    db.session.flush()
    if changes:
        audit.record("programme.update", programme, by=by, changes=changes)
    return changes


def transition(programme: Programme, to: ProgrammeState, *, by) -> None:
    """Move the programme along ``TRANSITIONS`` (launch, close, cancel); any other move is refused."""
    programme = lock_programme(programme.id)
    if to not in TRANSITIONS[programme.state]:
        raise Refused(_l("A programme cannot go from “%(a)s” to “%(b)s”.", a=STATE_LABELS[programme.state],
                         b=STATE_LABELS[to]))
    old = programme.state
    programme.state = to
    db.session.flush()
    audit.record("programme.state", programme, by=by, changes={"state": [old, to]})


# --- partners ----------------------------------------------------------------------------------------------------

def _check_funding(programme: Programme, funding: Decimal | None, *, except_organization_id: int | None = None):
    if funding is None:
        return
    if funding < 0:
        raise Refused(_l("A funding share cannot be negative."), field="funding")
    if funding and programme.budget is None:
        raise Refused(_l("Set the programme's budget before the funders' shares."), field="funding")
    others = _shares(programme.id, except_organization_id=except_organization_id)
    if programme.budget is not None and others + funding > programme.budget:
        raise Refused(_l("The shares would exceed the budget of %(budget)s: %(left)s is left to share.",
                         budget=_money(programme.budget), left=_money(max(programme.budget - others, Decimal(0)))),
                      field="funding")


def add_partner(programme: Programme, organization: Organization, *, role: PartnerRole, funding: Decimal | None,
                by) -> ProgrammePartner:
    programme = lock_programme(programme.id)
    if organization.id == programme.lead_organization_id:
        raise Refused(_l("%(name)s leads this programme.", name=organization.name), field="organization")
    if db.session.get(ProgrammePartner, (programme.id, organization.id)) is not None:
        raise Refused(_l("%(name)s is already a partner of this programme.", name=organization.name),
                      field="organization")
    _check_funding(programme, funding)
    position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(ProgrammePartner.position), -1) + 1)
                                 .where(ProgrammePartner.programme_id == programme.id))
    partner = ProgrammePartner(programme_id=programme.id, organization_id=organization.id, role=role,
                               funding=funding, position=position)
    db.session.add(partner)
    db.session.flush()
    changes = {"partner": [None, organization.name], "role": [None, role]}
    if funding is not None:
        changes["funding"] = [None, funding]
    audit.record("programme.partner_add", programme, by=by, changes=changes)
    return partner


def update_partner(partner: ProgrammePartner, *, role: PartnerRole, funding: Decimal | None, version, by) -> dict:
    """Save a partner's role and share as edited on ``version`` (``Stale`` if someone saved it meanwhile)."""
    programme = lock_programme(partner.programme_id)
    db.session.refresh(partner)
    check_version(partner, version)
    _check_funding(programme, funding, except_organization_id=partner.organization_id)
    partner.role, partner.funding = role, funding
    changes = audit.diff(partner, ("role", "funding"))
    db.session.flush()
    if changes:
        audit.record("programme.partner_update", programme, by=by,
                     changes={"partner": [None, partner.organization.name], **changes})
    return changes


def remove_partner(partner: ProgrammePartner, *, by) -> None:
    audit.record("programme.partner_remove", partner.programme, by=by,
                 changes={"partner": [partner.organization.name, None],
                          "role": [partner.role, None]})
    db.session.delete(partner)
    db.session.flush()


# --- indicators and figures --------------------------------------------------------------------------------------

def _check_indicator(programme: Programme, *, name: str, source: IndicatorSource, measure: Measure | None,
                     target: int, indicator: Indicator | None = None) -> None:
    if target is None or target < 0:
        raise Refused(_l("The target cannot be below zero."), field="target")
    if source == IndicatorSource.BENEFICIARIES and measure is None:
        raise Refused(_l("Choose what to count among the beneficiaries."), field="measure")
    same = db.session.scalar(sa.select(Indicator.id).where(
        Indicator.programme_id == programme.id, Indicator.name == name,
        Indicator.id != (indicator.id if indicator is not None else 0)))
    if same is not None:
        raise Refused(_l("This programme already has an indicator of that name."), field="name")


def add_indicator(programme: Programme, *, name: str, source: IndicatorSource, measure: Measure | None,
                  target: int, target_on: date | None, by) -> Indicator:
    measure = measure if source == IndicatorSource.BENEFICIARIES else None
    _check_indicator(programme, name=name, source=source, measure=measure, target=target)
    position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Indicator.position), -1) + 1)
                                 .where(Indicator.programme_id == programme.id))
    indicator = Indicator(programme_id=programme.id, name=name, source=source, measure=measure, target=target,
                          target_on=target_on, position=position)
    try:
        with db.session.begin_nested():
            db.session.add(indicator)
    except sa.exc.IntegrityError:  # the same name added by a request that committed first
        raise Refused(_l("This programme already has an indicator of that name."), field="name") from None
    audit.record("programme.indicator_add", programme, by=by,
                 changes={"indicator": [None, name], "source": [None, source], "measure": [None, measure],
                          "target": [None, target], "target_on": [None, target_on]})
    return indicator


def has_figures(indicator: Indicator) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(IndicatorFigure.indicator_id == indicator.id)))


def update_indicator(indicator: Indicator, *, name: str, source: IndicatorSource, measure: Measure | None,
                     target: int, target_on: date | None, version, by) -> dict:
    check_version(indicator, version)
    measure = measure if source == IndicatorSource.BENEFICIARIES else None
    _check_indicator(indicator.programme, name=name, source=source, measure=measure, target=target,
                     indicator=indicator)
    if source != indicator.source and has_figures(indicator):
        raise Refused(_l("This indicator already has figures entered by the lead: its source cannot change."),
                      field="source")
    indicator.name, indicator.source, indicator.measure = name, source, measure
    indicator.target, indicator.target_on = target, target_on
    changes = audit.diff(indicator, INDICATOR_FIELDS)
    db.session.flush()
    if changes:
        audit.record("programme.indicator_update", indicator.programme, by=by,
                     changes={"indicator": [None, indicator.name], **changes})
    return changes


def remove_indicator(indicator: Indicator, *, by) -> None:
    audit.record("programme.indicator_remove", indicator.programme, by=by,
                 changes={"indicator": [indicator.name, None]})
    db.session.delete(indicator)
    db.session.flush()


def add_figure(indicator: Indicator, *, measured_on: date, value: int, note: str | None, by,
               today: date | None = None) -> IndicatorFigure:
    """A dated figure of an indicator measured by the lead; the latest one is the result to date."""
    programme = indicator.programme
    today = today or local_today()
    if indicator.source != IndicatorSource.FIGURES:
        raise Refused(_l("This indicator is counted from the beneficiaries: it takes no figures."), field="value")
    check_open(programme, "value")
    if value is None or value < 0:
        raise Refused(_l("A figure cannot be below zero."), field="value")
    if measured_on < programme.starts_on:
        raise Refused(_l("The date cannot be before the programme's start (%(date)s).",
                         date=_date(programme.starts_on)), field="measured_on")
    if measured_on > today:
        raise Refused(_l("The date cannot be in the future."), field="measured_on")
    figure = IndicatorFigure(indicator_id=indicator.id, measured_on=measured_on, value=value, note=note or None,
                             entered_by_id=by.id)
    db.session.add(figure)
    db.session.flush()
    audit.record("programme.figure_add", programme, by=by,
                 changes={"indicator": [None, indicator.name], "value": [None, value],
                          "measured_on": [None, measured_on]})
    return figure


def _date(value: date) -> str:
    from club.formats import date_filter

    return date_filter(value, "medium")


# --- milestones --------------------------------------------------------------------------------------------------

def _check_milestone(status: MilestoneStatus, done_on: date | None, today: date | None = None) -> date | None:
    if status != MilestoneStatus.DONE:
        return None
    if done_on is None:
        raise Refused(_l("Give the date it was done."), field="done_on")
    if done_on > (today or local_today()):
        raise Refused(_l("The date cannot be in the future."), field="done_on")
    return done_on


def add_milestone(programme: Programme, *, title: str, due_on: date, status: MilestoneStatus,
                  done_on: date | None, by) -> Milestone:
    check_open(programme, "title")
    done_on = _check_milestone(status, done_on)
    milestone = Milestone(programme_id=programme.id, title=title, due_on=due_on, status=status, done_on=done_on)
    db.session.add(milestone)
    db.session.flush()
    audit.record("programme.milestone_add", programme, by=by,
                 changes={"milestone": [None, title], "due_on": [None, due_on], "status": [None, status]})
    return milestone


def update_milestone(milestone: Milestone, *, title: str, due_on: date, status: MilestoneStatus,
                     done_on: date | None, version, by) -> dict:
    check_version(milestone, version)
    check_open(milestone.programme, "title")
    done_on = _check_milestone(status, done_on)
    milestone.title, milestone.due_on, milestone.status, milestone.done_on = title, due_on, status, done_on
    changes = audit.diff(milestone, MILESTONE_FIELDS)
    db.session.flush()
    if changes:
        audit.record("programme.milestone_update", milestone.programme, by=by,
                     changes={"milestone": [None, milestone.title], **changes})
    return changes


# --- progress reports --------------------------------------------------------------------------------------------

def _check_report(programme: Programme, period_start: date, period_end: date) -> None:
    if programme.state in ENDED:
        raise Refused(_l("This programme is %(state)s: it takes no more progress reports.",
                         state=str(STATE_LABELS[programme.state]).lower()), field="period_start")
    if period_end < period_start:
        raise Refused(_l("The end of the period must not be before its start."), field="period_end")


def create_report(programme: Programme, *, period_start: date, period_end: date, summary: str,
                  difficulties: str | None, next_steps: str | None, by) -> ProgressReport:
    """A draft progress report, written by the lead's people or the secretariat."""
    _check_report(programme, period_start, period_end)
    report = ProgressReport(programme_id=programme.id, period_start=period_start, period_end=period_end,
                            summary=summary, difficulties=difficulties or None, next_steps=next_steps or None,
                            state=ReportState.DRAFT, author_id=by.id)
    db.session.add(report)
    db.session.flush()
    audit.record("programme.report_create", report, by=by,
                 changes={"period_start": [None, period_start], "period_end": [None, period_end]})
    return report


def update_report(report: ProgressReport, *, period_start: date, period_end: date, summary: str,
                  difficulties: str | None, next_steps: str | None, version, by) -> dict:
    check_version(report, version)
    report.period_start, report.period_end, report.summary = period_start, period_end, summary
    report.difficulties, report.next_steps = difficulties or None, next_steps or None
    changes = audit.diff(report, REPORT_FIELDS)
    if not changes:
        return {}  # an untouched save changes nothing, whatever the report's state
    if report.state not in EDITABLE_REPORTS:
        raise Refused(_l("This report is %(state)s: it can no longer be changed.",
                         state=str(report.state_label).lower()))
    _check_report(report.programme, period_start, period_end)
    db.session.flush()
    audit.record("programme.report_update", report, by=by, changes=changes)
    return changes


def _secretariat():
    from club.auth.models import User

    return list(db.session.scalars(sa.select(User).where(User.role == Role.SECRETARIAT, User.active.is_(True))
                                   .order_by(User.id)))


def _report_url(report: ProgressReport) -> str:
    return absolute_url("programmes.report", programme_id=report.programme_id, progress_report_id=report.id)


def submit_report(report: ProgressReport, *, by) -> int:
    """The report goes to the secretariat (an email to each of its active users); how many emails are queued."""
    if report.state not in EDITABLE_REPORTS:
        raise Refused(_l("This report is %(state)s: it cannot be submitted again.",
                         state=str(report.state_label).lower()))
    if report.programme.state in ENDED:
        raise Refused(_l("This programme is %(state)s: it takes no more progress reports.",
                         state=str(STATE_LABELS[report.programme.state]).lower()))
    old = report.state
    report.state = ReportState.SUBMITTED
    report.submitted_at = utcnow()
    db.session.flush()
    audit.record("programme.report_submit", report, by=by, changes={"state": [old, report.state]})
    recipients = _secretariat()
    for user in recipients:
        queue_mail("programmes_report_submitted", user.email,
                   subject=_l("Progress report to review: %(title)s", title=report.programme.title),
                   locale=user.locale, context={"recipient": user, "report": report, "programme": report.programme,
                                                "author": by, "url": _report_url(report)},
                   dedup_key=f"programme-report-{report.id}-v{report.version}-submitted-{user.id}")
    return len(recipients)


def _decide(report: ProgressReport, to: ReportState, *, note: str | None, by) -> bool:
    if report.state != ReportState.SUBMITTED:
        raise Refused(_l("This report is %(state)s: only a submitted report is reviewed.",
                         state=str(report.state_label).lower()))
    old = report.state
    report.state = to
    report.reviewed_at = utcnow()
    report.reviewed_by_id = by.id
    report.review_note = note or None
    db.session.flush()
    changes = {"state": [old, to]}
    if note:
        changes["review_note"] = [None, note]
    audit.record("programme.report_accept" if to == ReportState.ACCEPTED else "programme.report_changes", report,
                 by=by, changes=changes)
    author = report.author
    if author is None or not author.email or not author.active:
        return False
    subject = (_l("Progress report accepted: %(title)s", title=report.programme.title) if to == ReportState.ACCEPTED
               else _l("Changes requested on your progress report: %(title)s", title=report.programme.title))
    queue_mail("programmes_report_reviewed", author.email, subject=subject, locale=author.locale,
               context={"recipient": author, "report": report, "programme": report.programme, "accepted":
                        to == ReportState.ACCEPTED, "note": note, "url": _report_url(report)},
               dedup_key=f"programme-report-{report.id}-v{report.version}-{to.value}")
    return True


def accept_report(report: ProgressReport, *, by) -> bool:
    """The secretariat accepts the report (the partners see it from now on); True when the author is emailed."""
    return _decide(report, ReportState.ACCEPTED, note=None, by=by)


def request_changes(report: ProgressReport, *, note: str, by) -> bool:
    """The secretariat sends the report back with a note (required); True when the author is emailed."""
    if not (note or "").strip():
        raise Refused(_l("Say what should change."), field="note")
    return _decide(report, ReportState.CHANGES_REQUESTED, note=note.strip(), by=by)


# --- documents ---------------------------------------------------------------------------------------------------

def add_document(programme: Programme, *, title: str, data: bytes, filename: str | None, by,
                 report: ProgressReport | None = None) -> ProgrammeDocument:
    """A file attached to the programme (a convention) or to one of its reports."""
    if report is not None and report.programme_id != programme.id:
        raise Refused(_l("This report is not one of this programme's."))
    check_open(programme, "file")
    if report is not None and report.state not in EDITABLE_REPORTS:
        raise Refused(_l("This report is %(state)s: its documents can no longer change.",
                         state=str(REPORT_STATE_LABELS[report.state]).lower()), field="file")
    stored = storage.store(data, filename, kinds=DOCUMENT_KINDS, max_size=MAX_DOCUMENT_SIZE, by=by, field="file")
    document = ProgrammeDocument(programme_id=programme.id, report_id=report.id if report else None, title=title,
                                 file_id=stored.id, created_by_id=by.id)
    db.session.add(document)
    db.session.flush()
    audit.record("programme.document_add", report if report is not None else programme, by=by,
                 changes={"document": [None, title]})
    return document
