"""Read queries: lists filtered by who may see them, and the scoring aggregates computed in SQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from club.auth.models import User
from club.extensions import db
from club.incubator.models import (
    COHORT_STATES,
    TO_SCREEN_STATES,
    Application,
    Call,
    Criterion,
    Message,
    Recommendation,
    Review,
    Score,
    Status,
    StatusChange,
)
from club.models import utcnow


def open_calls() -> list[Call]:
    now = utcnow()
    return list(db.session.scalars(
        sa.select(Call).where(Call.opens_at <= now, Call.closes_at > now).order_by(Call.closes_at, Call.id)
    ))


def all_calls_with_counts() -> list[tuple[Call, int, int]]:
    """Every call with its number of applications (drafts excluded) and of drafts."""
    submitted = sa.func.count(Application.id).filter(Application.status != Status.DRAFT)
    drafts = sa.func.count(Application.id).filter(Application.status == Status.DRAFT)
    return list(db.session.execute(
        sa.select(Call, submitted, drafts).outerjoin(Application, Application.call_id == Call.id)
        .group_by(Call.id).order_by(Call.opens_at.desc(), Call.id.desc())
    ).all())


def applications_of(user) -> list[Application]:
    return list(db.session.scalars(
        sa.select(Application).options(joinedload(Application.call))
        .where(Application.applicant_id == user.id).order_by(Application.id.desc())
    ))


def assignments_of(user, *, pending_only: bool = False) -> list[Review]:
    stmt = (sa.select(Review).options(joinedload(Review.application).joinedload(Application.call))
            .where(Review.reviewer_id == user.id, Review.has_conflict.is_not(True))
            .order_by(Review.is_final, Review.id.desc()))
    if pending_only:
        stmt = stmt.where(Review.is_final.is_(False))
    return list(db.session.scalars(stmt))


def to_screen(limit: int = 10) -> tuple[list[Application], int]:
    stmt = sa.select(Application).where(Application.status.in_(TO_SCREEN_STATES))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = list(db.session.scalars(stmt.options(joinedload(Application.call))
                                   .order_by(Application.submitted_at, Application.id).limit(limit)))
    return rows, total


def review_scores(*where):
    """One row per final review: its weighted score (sum of score × weight / sum of weights)."""
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


def application_stats(*where):
    """Per application: weighted average, spread (max − min), final, assigned, missing, conflicts.

    ``where`` narrows the reviews aggregated (one call, one application)."""
    rs = review_scores(*where)
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


def call_applications(call: Call, *, status: str | None = None, q: str | None = None) -> sa.Select:
    """The call's applications (drafts only when asked); their figures come from ``stats_by_application``."""
    stmt = sa.select(Application).options(joinedload(Application.applicant)).where(Application.call_id == call.id)
    if status and status in {s.value for s in Status}:
        stmt = stmt.where(Application.status == Status(status))
    else:
        stmt = stmt.where(Application.status != Status.DRAFT)
    if q:
        from club.core.text import like_escape

        pattern = f"%{like_escape(q.lower())}%"
        stmt = stmt.where(sa.or_(sa.func.lower(Application.startup_name).like(pattern, escape="\\"),
                                 sa.func.lower(Application.project_title).like(pattern, escape="\\")))
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


def ranking(call: Call) -> sa.Select:
    """The call's ranking, in SQL: by weighted average (unscored last), then by yes recommendations."""
    scored, counted = application_stats(_of_call(call))
    order = (sa.case((scored.c.average.is_(None), 1), else_=0), scored.c.average.desc(),
             sa.func.coalesce(counted.c.yes, 0).desc(), Application.id)
    stmt = (
        sa.select(Application)
        .where(Application.call_id == call.id,
               Application.status.not_in(RANKED_OUT))
    )
    stmt = _with_stats(stmt, (scored, counted))
    return stmt.add_columns(
        sa.func.rank().over(order_by=(sa.func.coalesce(scored.c.average, -1).desc(),)).label("rank")
    ).order_by(*order)


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


def load_application(application_id: int) -> Application | None:
    """The application with what its page shows, in a constant number of queries."""
    return db.session.scalar(
        sa.select(Application).where(Application.id == application_id)
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
    from club.permissions import Role

    return list(db.session.scalars(
        sa.select(User).where(User.role.in_([Role.SECRETARIAT, Role.PARTNER]), User.active.is_(True))
        .order_by(User.name, User.id)
    ))


def cohort(call: Call) -> list[Application]:
    return list(db.session.scalars(
        sa.select(Application).options(joinedload(Application.organization))
        .where(Application.call_id == call.id, Application.status.in_(COHORT_STATES))
        .order_by(Application.startup_name, Application.id)
    ))


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
