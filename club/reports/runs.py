"""Report runs, sending and schedules: the services behind /reports (runs), /reports/send, /reports/schedules and
the partners' space, and the worker's side (``build_run``, ``send_due_schedules``, ``sweep_stalled_runs``).

Every report is built by the job queue (``club.reports.jobs``): a request only adds a ``ReportRun`` (queued) and
enqueues its task after the commit. The worker claims a run by one conditional UPDATE (queued → running: two
workers never build one run), reports its progress on a connection of its own (committed at once, so the run's page
sees it while the build's transaction is still open), then stores the PDF and the XLSX and marks the run done in one
transaction — or, on any error, rolls everything back and marks it failed with the error, audited. A run is never
"done" without both files.

A run "sent" (``send=True``: a partner's report) mails each partner user of its organisation, once built, a link to
their space (never the file attached) and sets ``sent_at``; a partner sees a run only once it is sent
(``ReportRun.visible_to``).

A run left "running" by a dead worker (no progress for ``STALL_AFTER``) is queued again once by the sweep; stalled a
second time it is marked failed, so a report that kills its worker cannot loop for ever. A run left "queued" (the
queue was unreachable when it was asked for) is enqueued again by the same sweep.

Schedules send the previous complete month or quarter (``Period.last_complete``) to their partners on or after
``next_run_on``; one ``UPDATE … WHERE next_run_on = <the value read>`` decides which of two workers (or runs of the
periodic job) queues the period's runs, so a period is never sent twice.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from club.auth.models import User
from club.core import audit
from club.core.refusals import Refused, check_version
from club.extensions import db
from club.members.models import Organization, OrgKind
from club.models import utcnow
from club.permissions import Role
from club.reports.content import Period
from club.reports.models import (
    Frequency,
    PeriodKind,
    ReportRun,
    ReportSchedule,
    RunState,
)

log = logging.getLogger("club.reports")

# A run whose worker shows no sign of life (no progress) for this long is taken as abandoned.
STALL_AFTER = timedelta(minutes=15)
# A run still queued this long after it was asked for: its task was lost (queue unreachable), enqueue it again.
LOST_AFTER = timedelta(minutes=2)
# The same report asked again by the same person within this time is the same request (a double click).
DOUBLE_SUBMIT = timedelta(seconds=30)
# What the worker stores (a yearly report at benchmark volume stays far below).
MAX_FILE_SIZE = 200 * 1024 * 1024
STALLED_MARK = "stalled"
PARTNER_KINDS = (OrgKind.INVESTOR, OrgKind.INSTITUTION)


# ---------------------------------------------------------------------------------------------------------------
# Partner organisations, typed by name

def may_receive_reports(org: Organization) -> bool:
    """Investors, institutions, and any organisation with an active partner account."""
    if org.kind in PARTNER_KINDS:
        return True
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.organization_id == org.id, User.role == Role.PARTNER, User.active.is_(True))))


def resolve_partners(names: list[str]) -> tuple[list[Organization], list[str]]:
    """The organisations named (``organisations_named``: exact name, else folded), and a message per name that is
    unknown, ambiguous, archived or not a partner."""
    from club.members.queries import organisation_suggestions, organisations_named

    found, problems = [], []
    for name in names:
        matches = organisations_named(name, limit=2, active_only=True)
        if len(matches) != 1:
            similar = [o.name for o in matches] or organisation_suggestions(name, limit=4)
            if similar:
                problems.append(_("No single organisation of the register is named “%(name)s”. Did you mean: "
                                  "%(names)s?", name=name, names=", ".join(similar)))
            else:
                problems.append(_("No organisation of the register is named “%(name)s”.", name=name))
            continue
        org = matches[0]
        if not may_receive_reports(org):
            problems.append(_("“%(name)s” is neither an investor nor an institution and has no partner account: "
                              "it receives no reports.", name=org.name))
        elif org.id not in {o.id for o in found}:
            found.append(org)
    return found, problems


# ---------------------------------------------------------------------------------------------------------------
# Asking for reports

def period_of(run: ReportRun) -> Period:
    return Period(run.period_kind, run.starts_on, run.ends_on)


def _lock_user(user) -> None:
    """Serialise one person's requests until the commit (a double click: the second sees the first's runs).
    PostgreSQL: ``SELECT … FOR UPDATE`` on the user's row; SQLite: a no-op UPDATE starts the write transaction."""
    table = User.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(table.c.id == user.id).values(id=table.c.id))
    else:
        db.session.execute(sa.select(table.c.id).where(table.c.id == user.id).with_for_update())


def _recent_twins(period: Period, language: str, audience_ids: list[int | None], *, send: bool, by) -> list:
    """Runs the same person asked for, identical, a moment ago (not failed)."""
    audience = ReportRun.audience_id.is_(None) if audience_ids == [None] else ReportRun.audience_id.in_(audience_ids)
    return list(db.session.scalars(sa.select(ReportRun).where(
        ReportRun.requested_by_id == by.id, ReportRun.period_kind == period.kind,
        ReportRun.starts_on == period.starts_on, ReportRun.ends_on == period.ends_on,
        ReportRun.language == language, ReportRun.send.is_(send), audience,
        ReportRun.state != RunState.FAILED, ReportRun.created_at >= utcnow() - DOUBLE_SUBMIT,
        ReportRun.schedule_id.is_(None)).order_by(ReportRun.id)))


def _new_run(period: Period, language: str, *, audience=None, send=False, schedule=None, by=None) -> ReportRun:
    run = ReportRun(period_kind=period.kind, starts_on=period.starts_on, ends_on=period.ends_on, language=language,
                    audience_id=getattr(audience, "id", None), send=send,
                    schedule_id=getattr(schedule, "id", None), requested_by_id=getattr(by, "id", None),
                    state=RunState.QUEUED, progress=0)
    db.session.add(run)
    return run


def request_report(period: Period, language: str, *, by) -> tuple[ReportRun, bool]:
    """The club's own report for ``period``: a new queued run, or the identical one this person asked for a
    moment ago (``created`` False). The caller commits, then enqueues ``jobs.build_report_run``."""
    _lock_user(by)
    twins = _recent_twins(period, language, [None], send=False, by=by)
    if twins:
        return twins[-1], False
    run = _new_run(period, language, by=by)
    db.session.flush()
    audit.record("report.requested", run, by=by, changes={
        "period": [None, period.label], "language": [None, language]})
    return run, True


def send_report(period: Period, language: str, organizations: list[Organization], *, by
                ) -> tuple[list[ReportRun], bool]:
    """One run per partner organisation (its own report: only what it may see), sent once built. Identical to a
    submission of a moment ago: that one's runs, ``created`` False."""
    if not organizations:
        raise Refused(_l("Name at least one partner organisation."), field="partners")
    _lock_user(by)
    ids = [o.id for o in organizations]
    twins = _recent_twins(period, language, ids, send=True, by=by)
    already = {r.audience_id for r in twins}
    if already >= set(ids):
        return twins, False
    # Only the organisations a moment-ago submission did not already cover (A, then A and B: B alone is new).
    organizations = [org for org in organizations if org.id not in already]
    runs = [_new_run(period, language, audience=org, send=True, by=by) for org in organizations]
    db.session.flush()
    audit.record("report.sent", None, by=by, entity_type="report_runs", entity_id=runs[0].id, changes={
        "period": [None, period.label], "language": [None, language],
        "partners": [None, ", ".join(o.name for o in organizations)]})
    return runs, True


def retry_run(run: ReportRun, *, by) -> ReportRun:
    """Ask again for a failed run: a new run of the same period, language and audience."""
    if run.state != RunState.FAILED:
        raise Refused(_l("Only a failed report can be asked for again."))
    # One retry per failed run, whoever clicks and however often: the failed run's row is locked until the commit,
    # and a run of the same report asked for since it is the retry.
    table = ReportRun.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(table.c.id == run.id).values(id=table.c.id))
    else:
        db.session.execute(sa.select(table.c.id).where(table.c.id == run.id).with_for_update())
    audience = (ReportRun.audience_id.is_(None) if run.audience_id is None
                else ReportRun.audience_id == run.audience_id)
    since = db.session.scalar(sa.select(ReportRun).where(
        ReportRun.id > run.id, audience, ReportRun.starts_on == run.starts_on, ReportRun.ends_on == run.ends_on,
        ReportRun.period_kind == run.period_kind, ReportRun.language == run.language,
        ReportRun.send.is_(run.send), ReportRun.state != RunState.FAILED).order_by(ReportRun.id).limit(1))
    if since is not None:
        return since
    again = _new_run(period_of(run), run.language, audience=run.audience, send=run.send, by=by)
    again.schedule_id = run.schedule_id
    db.session.flush()
    audit.record("report.retried", again, by=by, changes={"period": [None, period_of(again).label]})
    return again


# ---------------------------------------------------------------------------------------------------------------
# The worker: building a run

def _set(run_id: int, **values) -> int:
    """Write a run's progress on a connection of its own, committed at once (the build's transaction stays
    open); only while the run is still running. Returns the rows updated."""
    with db.engine.begin() as connection:
        return connection.execute(sa.update(ReportRun.__table__).where(
            ReportRun.__table__.c.id == run_id, ReportRun.__table__.c.state == RunState.RUNNING.value)
            .values(**values)).rowcount


def claim(run_id: int) -> bool:
    """queued → running, by one conditional UPDATE: the worker that changes the row builds the run."""
    now = utcnow()
    claimed = db.session.execute(sa.update(ReportRun).where(ReportRun.id == run_id,
                                                            ReportRun.state == RunState.QUEUED)
                                 .values(state=RunState.RUNNING, started_at=now, progress=0, step=None)
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return bool(claimed)


def file_stem(run: ReportRun) -> str:
    """``rapport-activite-2020`` / ``activity-report-2020-q2`` / ``…-firo`` (in the run's language)."""
    period = period_of(run)
    french = run.language == "fr"
    stem = "rapport-activite" if french else "activity-report"
    start, end = period.starts_on, period.ends_on
    if period.kind == PeriodKind.YEAR:
        when = f"{start.year}"
    elif period.kind == PeriodKind.QUARTER:
        when = f"{start.year}-{'t' if french else 'q'}{(start.month - 1) // 3 + 1}"
    elif period.kind == PeriodKind.MONTH:
        when = f"{start:%Y-%m}"
    else:
        when = f"{start:%Y-%m-%d}-{end:%Y-%m-%d}"
    name = f"{stem}-{when}"
    if run.audience is not None:
        name += "-" + slug(run.audience.name)
    return name


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60] or "partenaire"


def build_run(run_id: int) -> bool:
    """Build run ``run_id`` (the worker's task): claim it, build the report in its language for its audience,
    store the PDF and the XLSX, mark it done (and send it), all or nothing; a failure is recorded and audited.
    True when this call built it."""
    from club.core.outbox import commit_and_dispatch
    from club.core.storage import store
    from club.reports.content import build_report
    from club.reports.pdf import render_pdf
    from club.reports.xlsx import render_xlsx

    if not claim(run_id):
        return False
    run = db.session.get(ReportRun, run_id)
    try:
        with force_locale(run.language):
            def progress(percent: int, step: str) -> None:
                _set(run_id, progress=max(0, min(80, int(percent * 0.8))), step=str(step)[:120])

            progress(0, _("Gathering the figures"))
            report = build_report(period_of(run), audience=run.audience, progress=progress)
            _set(run_id, progress=85, step=_("Writing the PDF")[:120])
            pdf = render_pdf(report)
            _set(run_id, progress=95, step=_("Writing the spreadsheet")[:120])
            xlsx = render_xlsx(report)
            stem = file_stem(run)
        # The build only read: end its transaction, so that the writes below start from the latest rows (SQLite
        # refuses to write from a read snapshot older than the progress committed meanwhile).
        db.session.rollback()
        run = db.session.get(ReportRun, run_id, populate_existing=True)
        if run.state != RunState.RUNNING:  # taken from us meanwhile (the sweep thought us dead)
            db.session.rollback()
            return False
        run.pdf = store(pdf, f"{stem}.pdf", kinds={"pdf"}, max_size=MAX_FILE_SIZE)
        run.xlsx = store(xlsx, f"{stem}.xlsx", kinds={"xlsx"}, max_size=MAX_FILE_SIZE)
        run.state = RunState.DONE
        run.progress = 100
        run.step = None
        run.error = None
        run.finished_at = utcnow()
        with force_locale(run.language):
            audit.record("report.built", run, changes={"period": [None, period_of(run).label]})
        if run.send:
            deliver(run)
        commit_and_dispatch()
    except Exception as exc:  # noqa: BLE001 - whatever failed, the run says so and nothing half-done stays
        db.session.rollback()
        log.exception("report run %s failed", run_id)
        fail_run(run_id, f"{type(exc).__name__}: {exc}")
        return False
    return True


def fail_run(run_id: int, error: str) -> None:
    run = db.session.get(ReportRun, run_id, populate_existing=True)
    if run is None or run.is_finished:
        db.session.rollback()
        return
    run.state = RunState.FAILED
    run.error = error[:2000]
    run.step = None
    run.finished_at = utcnow()
    audit.record("report.failed", run, changes={"state": [RunState.RUNNING, RunState.FAILED],
                                                 "error": [None, run.error[:300]]})
    db.session.commit()


# ---------------------------------------------------------------------------------------------------------------
# Sending a built run to its partner users

def partner_users(organization_id: int) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(
        User.organization_id == organization_id, User.role == Role.PARTNER, User.active.is_(True))
        .order_by(User.id)))


def deliver(run: ReportRun) -> int:
    """Mail each partner user of the run's organisation a link to their space (in their language); set
    ``sent_at``. Once per run (its dedup key)."""
    from club.core.outbox import already_queued, queue_mail
    from club.core.urls import absolute_url

    sent = 0
    url = absolute_url("reports.mine")
    for user in partner_users(run.audience_id):
        key = f"report-run:{run.id}:user:{user.id}"
        if already_queued(key):
            continue
        locale = user.locale or "fr"
        with force_locale(locale):
            period = period_of(run).label
        queue_mail("reports_sent", user.email, locale=locale, dedup_key=key,
                   subject=lambda context: _("Activity report of the club: %(period)s", period=context["period"]),
                   context={"name": user.name, "period": period, "organisation": run.audience.name, "url": url})
        sent += 1
    run.sent_at = utcnow()
    audit.record("report.delivered", run, changes={"recipients": [None, sent]})
    return sent


# ---------------------------------------------------------------------------------------------------------------
# Sweeping runs a worker left behind

@dataclass
class Sweep:
    requeued: list[int]
    failed: list[int]


def sweep_stalled_runs(now: datetime | None = None) -> Sweep:
    """Runs left "running" with no sign of life for ``STALL_AFTER``: queued again once (their error notes it), or
    failed the second time; runs still "queued" after ``LOST_AFTER``: returned to be enqueued again. The caller
    enqueues ``Sweep.requeued``."""
    now = now or utcnow()
    requeued, failed = [], []
    stalled = list(db.session.execute(sa.select(ReportRun.id, ReportRun.started_at, ReportRun.error).where(
        ReportRun.state == RunState.RUNNING, ReportRun.started_at < now - STALL_AFTER).order_by(ReportRun.id)
        .limit(20)))
    for run_id, started_at, error in stalled:
        if error == STALLED_MARK:
            with force_locale("fr"):
                message = _("The worker stopped twice while building this report: ask for it again, or for a "
                            "shorter period.")
            fail_run(run_id, message)
            failed.append(run_id)
            continue
        moved = db.session.execute(sa.update(ReportRun).where(
            ReportRun.id == run_id, ReportRun.state == RunState.RUNNING, ReportRun.started_at == started_at)
            .values(state=RunState.QUEUED, progress=0, step=None, error=STALLED_MARK)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if moved:
            requeued.append(run_id)
    lost = list(db.session.scalars(sa.select(ReportRun.id).where(
        ReportRun.state == RunState.QUEUED, ReportRun.created_at < now - LOST_AFTER,
        sa.or_(ReportRun.started_at.is_(None), ReportRun.started_at < now - LOST_AFTER))
        .order_by(ReportRun.id).limit(20)))
    db.session.rollback()
    return Sweep(requeued=requeued + [i for i in lost if i not in requeued], failed=failed)


# ---------------------------------------------------------------------------------------------------------------
# Schedules

def first_run_on(frequency: Frequency, today: date) -> date:
    """The day after the current month or quarter ends: when its report is first due."""
    if frequency == Frequency.MONTHLY:
        return date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    quarter_end_month = ((today.month - 1) // 3 + 1) * 3
    return date(today.year + (quarter_end_month == 12), quarter_end_month % 12 + 1, 1)


SCHEDULE_FIELDS = ("frequency", "language", "active")


def _partner_names(schedule: ReportSchedule) -> str:
    return ", ".join(o.name for o in schedule.partners)


def create_schedule(frequency: Frequency, language: str, partners: list[Organization], *, active: bool = True,
                    today: date, by) -> ReportSchedule:
    if not partners:
        raise Refused(_l("Name at least one partner organisation."), field="partners")
    schedule = ReportSchedule(frequency=frequency, language=language, active=active, partners=list(partners),
                              next_run_on=first_run_on(frequency, today), created_by_id=getattr(by, "id", None))
    db.session.add(schedule)
    db.session.flush()
    audit.record("report_schedule.created", schedule, by=by, changes={
        "frequency": [None, frequency], "language": [None, language], "active": [None, active],
        "partners": [None, _partner_names(schedule)], "next_run_on": [None, schedule.next_run_on]})
    return schedule


def update_schedule(schedule: ReportSchedule, frequency: Frequency, language: str, partners: list[Organization], *,
                    active: bool, version, today: date, by) -> dict:
    check_version(schedule, version)
    if not partners:
        raise Refused(_l("Name at least one partner organisation."), field="partners")
    before = {f: getattr(schedule, f) for f in SCHEDULE_FIELDS}
    old_partners, old_next = _partner_names(schedule), schedule.next_run_on
    schedule.frequency, schedule.language, schedule.active = frequency, language, active
    if {o.id for o in schedule.partners} != {o.id for o in partners}:
        schedule.partners = sorted(partners, key=lambda o: o.name)
    if before["frequency"] != frequency:
        schedule.next_run_on = first_run_on(frequency, today)
    changes = {f: [before[f], getattr(schedule, f)] for f in SCHEDULE_FIELDS if before[f] != getattr(schedule, f)}
    if _partner_names(schedule) != old_partners:
        changes["partners"] = [old_partners, _partner_names(schedule)]
    if schedule.next_run_on != old_next:
        changes["next_run_on"] = [old_next, schedule.next_run_on]
    if changes:
        db.session.flush()
        audit.record("report_schedule.updated", schedule, by=by, changes=changes)
    return changes


def delete_schedule(schedule: ReportSchedule, *, by) -> None:
    audit.record("report_schedule.deleted", schedule, by=by, changes={
        "frequency": [schedule.frequency, None], "partners": [_partner_names(schedule), None]})
    db.session.delete(schedule)
    db.session.flush()


def advance(next_run_on: date, frequency: Frequency, today: date) -> date:
    """The next due day after a schedule ran on ``today``: the day after the current period ends."""
    return max(first_run_on(frequency, today), next_run_on + timedelta(days=1))


def send_due_schedules(today: date) -> list[int]:
    """Queue the runs of every active schedule due on or before ``today`` (the last complete period, one run per
    partner, sent once built) and move its ``next_run_on`` on. Each schedule is taken by one conditional UPDATE on
    the value read, in its own transaction: a second worker, or this job run again, finds nothing to take.
    Returns the new runs' ids (to enqueue)."""
    due = list(db.session.execute(sa.select(ReportSchedule.id, ReportSchedule.next_run_on, ReportSchedule.frequency)
                                  .where(ReportSchedule.active.is_(True), ReportSchedule.next_run_on <= today)
                                  .order_by(ReportSchedule.id).limit(200)))
    db.session.rollback()
    queued = []
    for schedule_id, next_run_on, frequency in due:
        taken = db.session.execute(sa.update(ReportSchedule).where(
            ReportSchedule.id == schedule_id, ReportSchedule.next_run_on == next_run_on,
            ReportSchedule.active.is_(True))
            .values(next_run_on=advance(next_run_on, frequency, today), version=ReportSchedule.version + 1)
            .execution_options(synchronize_session=False)).rowcount
        if not taken:
            db.session.rollback()
            continue
        schedule = db.session.get(ReportSchedule, schedule_id, populate_existing=True)
        kind = PeriodKind.MONTH if frequency == Frequency.MONTHLY else PeriodKind.QUARTER
        period = Period.last_complete(kind, today)
        runs = [_new_run(period, schedule.language, audience=org, send=True, schedule=schedule)
                for org in schedule.partners]
        db.session.flush()
        with force_locale(schedule.language):
            label = period.label
        audit.record("report_schedule.ran", schedule, changes={
            "period": [None, label], "partners": [None, _partner_names(schedule)],
            "next_run_on": [next_run_on, schedule.next_run_on]})
        db.session.commit()
        queued += [r.id for r in runs]
    return queued
