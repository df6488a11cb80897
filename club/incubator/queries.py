"""Read queries: lists filtered by who may see them (each model's one rule, ``Model.visible_to``), the scoring
aggregates computed in SQL, and the incubator's part of the global search."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, load_only, selectinload

from club.auth.models import User
from club.core.freshness import fresh
from club.core.pagination import Page
from club.core.search import Hit
from club.core.text import contains_folded, fold
from club.extensions import db
from club.incubator.models import (
    COHORT_STATES,
    STATUS_LABELS,
    TO_SCREEN_STATES,
    Application,
    Call,
    Criterion,
    DeckVersion,
    Message,
    Recommendation,
    Review,
    Score,
    Status,
    StatusChange,
)
from club.permissions import Role, visible


def open_calls() -> list[Call]:
    return list(db.session.scalars(sa.select(Call).where(Call.open_condition()).order_by(Call.closes_at, Call.id)))


def visible_call(call_id: int, user) -> Call | None:
    """The call, when ``user`` (or a visitor) may see it: its one rule (``permissions.visible``)."""
    return db.session.scalar(sa.select(Call).where(Call.id == call_id, visible(Call, user)))


def application_for(call: Call, applicant) -> Application | None:
    """The applicant's application to ``call`` (one at most)."""
    return db.session.scalar(sa.select(Application).where(Application.call_id == call.id,
                                                          Application.applicant_id == applicant.id))


def reviewer_count(call: Call) -> int:
    """How many reviewers (no conflict declared) are assigned to the call's applications."""
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(Review.reviewer_id))).join(Application)
                             .where(Application.call_id == call.id, Review.has_conflict.is_not(True)))


def reviewer(user_id: int | None) -> User | None:
    """An active user who may review (secretariat or partner), by id."""
    if user_id is None:
        return None
    return db.session.scalar(sa.select(User).where(User.id == user_id, User.active.is_(True),
                                                   User.role.in_([Role.SECRETARIAT, Role.PARTNER])))


def applications_of_call(call: Call, ids: list[int]) -> list[Application]:
    """The applications among ``ids`` that belong to ``call`` (a bulk action's ticks)."""
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Application).where(Application.id.in_(ids),
                                                                Application.call_id == call.id)
                                   .order_by(Application.id)))


def deck_of(application: Application, deck_id: int) -> DeckVersion | None:
    return db.session.scalar(sa.select(DeckVersion).where(DeckVersion.id == deck_id,
                                                          DeckVersion.application_id == application.id))


def review_of(application: Application, review_id: int) -> Review | None:
    return db.session.scalar(sa.select(Review).where(Review.id == review_id,
                                                     Review.application_id == application.id))


def all_calls_with_counts() -> list[tuple[Call, int, int]]:
    """Every call with its number of applications (drafts excluded) and of drafts."""
    submitted = sa.func.count(Application.id).filter(Application.status != Status.DRAFT)
    drafts = sa.func.count(Application.id).filter(Application.status == Status.DRAFT)
    return list(db.session.execute(
        sa.select(Call, submitted, drafts).outerjoin(Application, Application.call_id == Call.id)
        .group_by(Call.id).order_by(Call.opens_at.desc(), Call.id.desc())
    ).all())


def applications_of(user) -> list[Application]:
    """The applicant's own applications."""
    return list(db.session.scalars(
        sa.select(Application).options(joinedload(Application.call))
        .where(visible(Application, user), Application.applicant_id == user.id).order_by(Application.id.desc())
    ))


def assignments_of(user, *, pending_only: bool = False) -> list[Review]:
    """The reviews ``user`` writes (a declared conflict removes one)."""
    stmt = (sa.select(Review).options(joinedload(Review.application).joinedload(Application.call))
            .where(visible(Review, user))
            .order_by(Review.is_final, Review.id.desc()))
    if pending_only:
        stmt = stmt.where(Review.is_final.is_(False))
    return list(db.session.scalars(stmt))


def to_screen(limit: int = 10) -> tuple[list[Application], int]:
    stmt = sa.select(Application).where(Application.status.in_(TO_SCREEN_STATES))
    total = fresh("incubator.to_screen", lambda: db.session.scalar(sa.select(sa.func.count())
                                                                   .select_from(stmt.subquery())))
    rows = list(db.session.scalars(stmt.options(joinedload(Application.call))
                                   .order_by(Application.submitted_at, Application.id).limit(limit)))
    return rows, total


def review_scores(*where, weights: dict[int, int] | None = None):
    """One row per final review: its weighted score (sum of score × weight / sum of weights).

    ``weights`` (criterion id → weight, the call's rubric) spares the join to the criteria when the reviews are
    all of one call: the ranking reads tens of thousands of scores."""
    if weights:
        weight = sa.case(weights, value=Score.criterion_id, else_=None)  # another call's criterion: no weight
        weighted = (sa.cast(sa.func.sum(Score.value * weight), sa.Float) / sa.func.nullif(sa.func.sum(weight), 0))
        return (
            sa.select(Review.id.label("review_id"), Review.application_id.label("application_id"),
                      weighted.label("score"))
            .join(Score, Score.review_id == Review.id)
            .where(Review.is_final.is_(True), *where)
            .group_by(Review.id, Review.application_id)
            .subquery("review_scores")
        )
    weighted = (sa.cast(sa.func.sum(Score.value * Criterion.weight), sa.Float)
                / sa.func.nullif(sa.func.sum(Criterion.weight), 0))
    return (
        sa.select(Review.id.label("review_id"), Review.application_id.label("application_id"),
                  weighted.label("score"))
        .join(Score, Score.review_id == Review.id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Review.is_final.is_(True), *where)
        .group_by(Review.id, Review.application_id)
        .subquery("review_scores")
    )


def application_stats(*where, weights: dict[int, int] | None = None):
    """Per application: weighted average, spread (max − min), final, assigned, missing, conflicts.

    ``where`` narrows the reviews aggregated (one call, one application); ``weights`` as ``review_scores``."""
    rs = review_scores(*where, weights=weights)
    scored = (
        sa.select(rs.c.application_id, sa.func.avg(rs.c.score).label("average"),
                  (sa.func.max(rs.c.score) - sa.func.min(rs.c.score)).label("spread"))
        .group_by(rs.c.application_id).subquery("scored")
    )
    counted = (
        sa.select(
            Review.application_id,
            sa.func.count(Review.id).filter(Review.has_conflict.is_not(True)).label("assigned"),
            sa.func.count(Review.id).filter(Review.is_final.is_(True)).label("final"),
            sa.func.count(Review.id).filter(Review.has_conflict.is_(True)).label("conflicts"),
            sa.func.count(Review.id).filter(Review.recommendation == Recommendation.YES).label("yes"),
        )
        .where(*where)
        .group_by(Review.application_id).subquery("counted")
    )
    return scored, counted


def _of_call(call: Call):
    return Review.application_id.in_(sa.select(Application.id).where(Application.call_id == call.id))


def _with_stats(stmt: sa.Select, stats=None) -> sa.Select:
    scored, counted = stats or application_stats()
    assigned = sa.func.coalesce(counted.c.assigned, 0)
    final = sa.func.coalesce(counted.c.final, 0)
    return (
        stmt.outerjoin(scored, scored.c.application_id == Application.id)
        .outerjoin(counted, counted.c.application_id == Application.id)
        .add_columns(scored.c.average.label("average"), scored.c.spread.label("spread"),
                     assigned.label("assigned"), final.label("final"), (assigned - final).label("missing"),
                     sa.func.coalesce(counted.c.conflicts, 0).label("conflicts"),
                     sa.func.coalesce(counted.c.yes, 0).label("yes"))
    )


def call_applications(call: Call, user, *, status: str | None = None, q: str | None = None) -> sa.Select:
    """The call's applications ``user`` may see (drafts only when asked), matching ``q`` in the startup's
    name or the project's title (case and accents folded); their figures come from ``stats_by_application``."""
    stmt = (sa.select(Application).options(joinedload(Application.applicant))
            .where(Application.call_id == call.id, visible(Application, user)))
    if status and status in {s.value for s in Status}:
        stmt = stmt.where(Application.status == Status(status))
    else:
        stmt = stmt.where(Application.status != Status.DRAFT)
    if q and fold(q):
        stmt = stmt.where(sa.or_(contains_folded(Application.startup_name, q), contains_folded(Application.project_title, q)))
    return stmt.order_by(Application.id)


def stats_by_application(ids: list[int]) -> dict:
    """The scoring figures of some applications (a page of a list), in one query."""
    if not ids:
        return {}
    stmt = _with_stats(sa.select(Application.id).where(Application.id.in_(ids)),
                       application_stats(Review.application_id.in_(ids)))
    return {row.id: row for row in db.session.execute(stmt)}


RANKED_OUT = (Status.DRAFT, Status.WITHDRAWN)


def ranked_count(call: Call) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.call_id == call.id, Application.status.not_in(RANKED_OUT)))


def ranking(call: Call, *, narrow: bool = False) -> sa.Select:
    """The call's ranking, in SQL: by weighted average (unscored last), then by yes recommendations. Each row is
    the application (its id alone when ``narrow``: the ranking sorts every application of the call, and sorting
    their long texts costs more than the scores) with its figures and its rank."""
    weights = dict(db.session.execute(sa.select(Criterion.id, Criterion.weight).where(Criterion.call_id == call.id))
                   .all())
    scored, counted = application_stats(_of_call(call), weights=weights or None)
    order = (sa.case((scored.c.average.is_(None), 1), else_=0), scored.c.average.desc(),
             sa.func.coalesce(counted.c.yes, 0).desc(), Application.id)
    stmt = (
        sa.select(Application.id if narrow else Application)
        .where(Application.call_id == call.id,
               Application.status.not_in(RANKED_OUT))
    )
    stmt = _with_stats(stmt, (scored, counted))
    return stmt.add_columns(
        sa.func.rank().over(order_by=(sa.func.coalesce(scored.c.average, -1).desc(),)).label("rank")
    ).order_by(*order)


def ranking_page(call: Call, number: int, per_page: int) -> list[tuple[Application, sa.Row]]:
    """One page of the call's ranking (``ranking``), as (application, figures) pairs: the page's ids ranked on
    narrow rows, then those applications; count the rows with ``ranked_count``."""
    rows = db.session.execute(ranking(call, narrow=True).limit(per_page).offset((number - 1) * per_page)).all()
    shown = {a.id: a for a in db.session.scalars(
        sa.select(Application).where(Application.id.in_([row.id for row in rows]))
        .options(load_only(Application.id, Application.startup_name, Application.project_title,
                           Application.status)))}
    return [(shown[row.id], row) for row in rows]


def applications_export(call: Call, user, *, status: str | None = None, q: str | None = None) -> sa.Select:
    """The call's applications as the secretariat's list filters them (``call_applications``), each with its
    scoring figures (``_with_stats``), in one query: the applications export."""
    return _with_stats(call_applications(call, user, status=status, q=q), application_stats(_of_call(call)))


def stats_for(application: Application):
    stmt = _with_stats(sa.select(Application.id).where(Application.id == application.id),
                       application_stats(Review.application_id == application.id))
    return db.session.execute(stmt).one()


def criterion_averages(application: Application) -> dict[int, float]:
    rows = db.session.execute(
        sa.select(Score.criterion_id, sa.func.avg(Score.value))
        .join(Review, Review.id == Score.review_id)
        .where(Review.application_id == application.id, Review.is_final.is_(True))
        .group_by(Score.criterion_id)
    ).all()
    return {cid: float(avg) for cid, avg in rows}


def load_application(application_id: int, user) -> Application | None:
    """The application with what its page shows, in a constant number of queries; None when ``user`` may not
    see it."""
    return db.session.scalar(
        sa.select(Application).where(Application.id == application_id, visible(Application, user))
        .options(
            joinedload(Application.call).selectinload(Call.criteria),
            joinedload(Application.applicant),
            joinedload(Application.organization),
            selectinload(Application.decks),
            selectinload(Application.changes).joinedload(StatusChange.by),
            selectinload(Application.messages).joinedload(Message.author),
            selectinload(Application.reviews).options(joinedload(Review.reviewer), selectinload(Review.scores)),
        )
    )


def reviewers() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role.in_([Role.SECRETARIAT, Role.PARTNER]), User.active.is_(True))
        .order_by(User.name, User.id)
    ))


COHORT_PER_PAGE = 50


def cohort(call: Call, page: int = 1, per_page: int = COHORT_PER_PAGE) -> tuple[Page, dict]:
    """One page of the call's cohort (by startup name) and the whole cohort's totals: two queries whatever its
    size, the count and the sums of jobs planned in one."""
    where = (Application.call_id == call.id, Application.status.in_(COHORT_STATES))
    total, jobs_12m, jobs_36m = db.session.execute(
        sa.select(sa.func.count(Application.id), sa.func.coalesce(sa.func.sum(Application.jobs_12m), 0),
                  sa.func.coalesce(sa.func.sum(Application.jobs_36m), 0)).where(*where)).one()
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    rows = list(db.session.scalars(
        sa.select(Application).where(*where).order_by(Application.startup_name, Application.id)
        .limit(per_page).offset((page - 1) * per_page)))
    return Page(items=rows, page=page, per_page=per_page, total=total), {"jobs_12m": jobs_12m, "jobs_36m": jobs_36m}


def scores_export(call: Call):
    """Rows for the CSV: one per review (final or not) with its scores per criterion."""
    reviews = list(db.session.scalars(
        sa.select(Review).join(Application)
        .options(joinedload(Review.application), joinedload(Review.reviewer), selectinload(Review.scores))
        .where(Application.call_id == call.id, Review.has_conflict.is_not(True))
        .order_by(Application.id, Review.id)
    ))
    return reviews


def organization_applications(org_id: int) -> list[Application]:
    return list(db.session.scalars(
        sa.select(Application).options(joinedload(Application.call))
        .where(Application.organization_id == org_id).order_by(Application.id.desc())
    ))


# Searching: case and accents folded (``club.core.text.contains_folded``) --------------------------------------

def names_hidden_from(user) -> sa.ColumnElement[bool]:
    """Where ``user`` is not shown the startup's name: a partner reviewer, in a blind round."""
    return Call.blind_condition() if user.role == Role.PARTNER else sa.false()


def search(term: str, user, limit: int) -> tuple[int, list[Hit]]:
    """The global search's incubator group: applications (startup name, project title) and calls (title) that
    ``user`` may see, in two queries (the count, one page). A reviewer in a blind round is shown no startup
    name, so never finds an application by it."""
    if not fold(term):
        return 0, []
    hidden = names_hidden_from(user)
    application_match = sa.or_(contains_folded(Application.project_title, term),
                               sa.and_(sa.not_(hidden), contains_folded(Application.startup_name, term)))
    applications = (sa.select(Application.id).join(Call, Call.id == Application.call_id)
                    .where(visible(Application, user), application_match))
    calls = sa.select(Call.id).where(visible(Call, user), contains_folded(Call.title, term))
    total = db.session.scalar(sa.select(
        sa.select(sa.func.count()).select_from(applications.subquery()).scalar_subquery()
        + sa.select(sa.func.count()).select_from(calls.subquery()).scalar_subquery()))
    if not total:
        return 0, []
    review_id = (sa.select(Review.id).where(Review.application_id == Application.id, visible(Review, user))
                 .limit(1).scalar_subquery() if user.role == Role.PARTNER else sa.null())
    rows = sa.union_all(
        applications.with_only_columns(
            sa.literal(0).label("kind"), Application.id.label("id"), Application.startup_name.label("name"),
            Application.project_title.label("title"), Call.title.label("call_title"),
            Application.status.label("status"), hidden.label("hidden"), review_id.label("review_id")),
        calls.with_only_columns(
            sa.literal(1), Call.id, sa.null(), Call.title, sa.null(), sa.null(), sa.false(), sa.null()),
    ).subquery("hits")
    page = db.session.execute(sa.select(rows).order_by(rows.c.kind, rows.c.id.desc()).limit(limit)).all()
    return total, [_hit(row, user) for row in page]


def _hit(row, user) -> Hit:
    if row.kind == 1:
        return Hit(row.title, url_for("incubator.call", call_id=row.id), _("Call for applications"))
    if row.hidden:  # what the review page shows in a blind round
        title = row.title or _("Application #%(id)s", id=row.id)
    else:
        title = row.name or row.title or f"#{row.id}"
    if user.role == Role.PARTNER:
        return Hit(title, url_for("incubator.review", review_id=row.review_id), row.call_title)
    status = Status(row.status) if row.status else None
    detail = f"{row.call_title} · {STATUS_LABELS[status]}" if status else row.call_title
    return Hit(title, url_for("incubator.application", application_id=row.id), detail)


# --- the funnel: how far each call's applications got (the charts and the activity report) ------------------------

# The steps of the funnel, in order. An application counts at every step it reached, whatever happened next: a
# graduated one also counts as submitted, screened, interviewed, accepted and incubated.
FUNNEL_STEPS = ("submitted", "screened", "interviewed", "accepted", "incubated", "graduated")

# The furthest step (1-based index in FUNNEL_STEPS; 0: none) a status shows an application reached. Read from every
# status it held (its StatusChange rows) and from its current one: a rejection comes only after screening (from
# screening, interview or the waiting list), so a rejected application was at least screened; a waitlisted one was
# interviewed; a dropped one was incubated. A withdrawn one counts where it had got to before (its history, or its
# submission date when it was withdrawn after submitting).
STEP_OF_STATUS = {
    Status.DRAFT: 0, Status.WITHDRAWN: 0,
    Status.SUBMITTED: 1,
    Status.SCREENING: 2, Status.REJECTED: 2,
    Status.INTERVIEW: 3, Status.WAITLISTED: 3,
    Status.ACCEPTED: 4,
    Status.INCUBATED: 5, Status.DROPPED: 5,
    Status.GRADUATED: 6,
}


@dataclass
class Funnel:
    """How many applications reached each step, then where the ones that did not go on stand: waitlisted (still
    on the list), rejected, withdrawn (after submitting) and dropped (left the incubator before graduating)."""

    submitted: int = 0
    screened: int = 0
    interviewed: int = 0
    accepted: int = 0
    incubated: int = 0
    graduated: int = 0
    waitlisted: int = 0
    rejected: int = 0
    withdrawn: int = 0
    dropped: int = 0

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [(step, getattr(self, step)) for step in FUNNEL_STEPS]


def _step(column) -> sa.ColumnElement[int]:
    return sa.case({status: step for status, step in STEP_OF_STATUS.items()}, value=column, else_=0)


def _flag(column, status: Status) -> sa.ColumnElement[int]:
    return sa.case((column == status, 1), else_=0)


def _funnel_select(applications: sa.ColumnElement[bool], until: datetime | None = None) -> sa.Select:
    """One row per call among the applications matching ``applications`` (a condition on ``Application``):
    ``call_id`` then ``Funnel``'s fields in order, as things stood before ``until`` (None: now).

    Each application's statuses come from its history (StatusChange, dated), its current status (dated by
    ``status_changed_at``, else its submission, else its creation) and its submission date; per application, the
    furthest step and the flags of the states it reached; then summed per call. One statement, aggregated by the
    database."""
    history = (sa.select(StatusChange.application_id.label("aid"), StatusChange.to_status.label("status"))
               .join(Application, Application.id == StatusChange.application_id).where(applications))
    current_on = sa.func.coalesce(Application.status_changed_at, Application.submitted_at, Application.created_at)
    current = sa.select(Application.id.label("aid"), Application.status.label("status")).where(applications)
    submitted = (sa.select(Application.id.label("aid"), sa.literal(Status.SUBMITTED.value).label("status"))
                 .where(applications, Application.submitted_at.is_not(None)))
    if until is not None:
        history = history.where(StatusChange.at < until)
        current = current.where(current_on < until)
        submitted = submitted.where(Application.submitted_at < until)
    events = sa.union_all(history, current, submitted).subquery()
    status = events.c.status
    per_application = (
        sa.select(events.c.aid,
                  sa.func.max(_step(status)).label("step"),
                  *(sa.func.max(_flag(status, s)).label(s.value)
                    for s in (Status.WAITLISTED, Status.REJECTED, Status.WITHDRAWN, Status.DROPPED)))
        .group_by(events.c.aid).subquery())
    step = per_application.c.step

    def count(condition) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    c = per_application.c
    waitlisted = sa.and_(c.waitlisted == 1, step < 4, c.rejected == 0, c.withdrawn == 0)
    return (sa.select(Application.call_id,
                      *(count(step >= n) for n in range(1, len(FUNNEL_STEPS) + 1)),
                      count(waitlisted), count(sa.and_(step >= 1, c.rejected == 1)),
                      count(sa.and_(step >= 1, c.withdrawn == 1)), count(c.dropped == 1))
            .join(per_application, per_application.c.aid == Application.id)
            .group_by(Application.call_id))


def _funnels(applications: sa.ColumnElement[bool], until: datetime | None = None) -> dict[int, Funnel]:
    return {row[0]: Funnel(*(int(v) for v in row[1:]))
            for row in db.session.execute(_funnel_select(applications, until))}


def call_funnel(call: Call) -> Funnel:
    """How far the applications to ``call`` got, now (one query)."""
    return _funnels(Application.call_id == call.id).get(call.id, Funnel())


INTAKE_CALLS = 12


def recent_call_funnels(limit: int = INTAKE_CALLS) -> list[tuple[Call, Funnel]]:
    """The ``limit`` calls opened last, oldest first, with their funnels now (two queries)."""
    calls = list(db.session.scalars(sa.select(Call).order_by(Call.opens_at.desc(), Call.id.desc()).limit(limit)))
    if not calls:
        return []
    funnels = _funnels(Application.call_id.in_([c.id for c in calls]))
    return [(c, funnels.get(c.id, Funnel())) for c in reversed(calls)]


