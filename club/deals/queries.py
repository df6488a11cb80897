"""Read-side queries: what each user may list, the board's columns, the table, figures in SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import raiseload, selectinload

from club.auth.models import User
from club.deals.models import (
    OPEN_STAGES,
    STAGES,
    Deal,
    DealKind,
    DealShare,
    Stage,
    deal_investors,
    deal_signatories,
)
from club.extensions import db
from club.members.models import Organization
from club.models import utcnow
from club.permissions import Role

BOARD_CARDS_PER_COLUMN = 25


def days_between(start, end: datetime):
    """Whole days from a stored UTC datetime column to ``end``, computed by the database."""
    if db.session.get_bind().dialect.name == "sqlite":
        moment = end.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return sa.cast(sa.func.julianday(sa.literal(moment)) - sa.func.julianday(start), sa.Integer)
    moment = sa.literal(end, type_=sa.DateTime(timezone=True))
    return sa.cast(sa.func.floor(sa.extract("epoch", moment - start) / 86400), sa.Integer)


def days_in_stage(now: datetime | None = None):
    return days_between(Deal.stage_entered_at, now or utcnow())


# Lists show no parties but the target (joined): never load the investors and signatories one by one.
def list_options() -> tuple:
    return (raiseload(Deal.investors), raiseload(Deal.signatories))


def visible_deals(user) -> sa.Select:
    """Deals ``user`` may list (the same rule as ``Deal.is_visible_to``), without their parties."""
    stmt = sa.select(Deal).options(*list_options())
    if user.role == Role.SECRETARIAT:
        return stmt
    if user.role == Role.PARTNER and user.organization_id:
        return stmt.where(Deal.id.in_(sa.select(DealShare.deal_id)
                                      .where(DealShare.organization_id == user.organization_id)))
    return stmt.where(sa.false())


def column_figures(where=None) -> dict[Stage, dict]:
    """Count and total amount per stage, computed in SQL."""
    stmt = sa.select(Deal.stage, sa.func.count(Deal.id), sa.func.coalesce(sa.func.sum(Deal.amount), 0)) \
        .group_by(Deal.stage)
    if where is not None:
        stmt = stmt.where(*where)
    figures = {s: {"count": 0, "total": 0} for s in STAGES}
    for stage, count, total in db.session.execute(stmt):
        figures[stage] = {"count": count, "total": total}
    return figures


def board_cards(now: datetime | None = None, per_column: int = BOARD_CARDS_PER_COLUMN) -> dict[Stage, list]:
    """The cards of each column (the most recently moved first), with days in stage from SQL.

    One statement: per stage, the newest ``per_column`` ids through the (stage, stage_entered_at) index,
    glued with UNION ALL, then the deals themselves.
    """
    parts = []
    for stage in STAGES:
        newest = (sa.select(Deal.id).where(Deal.stage == stage)
                  .order_by(Deal.stage_entered_at.desc(), Deal.id.desc()).limit(per_column).subquery())
        parts.append(sa.select(newest.c.id))
    ids = sa.union_all(*parts).subquery()
    stmt = (sa.select(Deal, days_in_stage(now).label("days"))
            .where(Deal.id.in_(sa.select(ids.c.id)))
            .order_by(Deal.stage_entered_at.desc(), Deal.id.desc())
            .options(*list_options()))
    cards = {s: [] for s in STAGES}
    for deal, days_value in db.session.execute(stmt).unique():
        cards[deal.stage].append((deal, days_value))
    return cards


SORTS = {
    "title": Deal.title,
    "amount": Deal.amount,
    "stage": Deal.stage,
    "days": Deal.stage_entered_at.desc(),  # longest in stage first when ascending on days
    "due": Deal.next_step_due,
    "close": Deal.expected_close,
    "updated": Deal.updated_at,
}


def table_filters(args: dict, today: date) -> list:
    """SQL conditions for the table's filters (``args`` are validated values or ``None``)."""
    where = []
    if args.get("kind"):
        where.append(Deal.kind == DealKind(args["kind"]))
    if args.get("stage"):
        where.append(Deal.stage == Stage(args["stage"]))
    if args.get("investor"):
        where.append(Deal.id.in_(sa.select(deal_investors.c.deal_id)
                                 .where(deal_investors.c.organization_id == args["investor"])))
    if args.get("target"):
        where.append(Deal.target_id == args["target"])
    if args.get("owner"):
        where.append(Deal.owner_id == args["owner"])
    if args.get("overdue"):
        where.append(sa.and_(Deal.next_step_due < today, Deal.stage.in_(OPEN_STAGES)))
    return where


def table_query(where: list, sort: str = "updated", descending: bool = True, now: datetime | None = None):
    days = days_in_stage(now).label("days")
    column = SORTS.get(sort, Deal.updated_at)
    if sort == "days":
        order = Deal.stage_entered_at.asc() if descending else Deal.stage_entered_at.desc()
    else:
        order = (column.desc() if descending else column.asc()).nulls_last()
    return (sa.select(Deal, days).where(*where).order_by(order, Deal.id.desc())
            .options(selectinload(Deal.investors), raiseload(Deal.signatories)))


def table_totals(where: list) -> tuple[int, object]:
    count, total = db.session.execute(
        sa.select(sa.func.count(Deal.id), sa.func.coalesce(sa.func.sum(Deal.amount), 0)).where(*where)).one()
    return count, total


def secretariat_users() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role == Role.SECRETARIAT, User.active.is_(True)).order_by(User.name)))


def organisations() -> list[tuple[int, str]]:
    return list(db.session.execute(sa.select(Organization.id, Organization.name).order_by(Organization.name)))


def investor_organisations() -> list[tuple[int, str]]:
    """Organisations that invest in at least one deal (the table's investor filter)."""
    return list(db.session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(sa.select(deal_investors.c.organization_id))).order_by(Organization.name)))


def target_organisations() -> list[tuple[int, str]]:
    """Organisations that are the target of at least one deal (the table's target filter)."""
    return list(db.session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(sa.select(Deal.target_id))).order_by(Organization.name)))


def partner_organisations() -> list[tuple[int, str]]:
    """Organisations with at least one active partner user: those a deal can be shared with."""
    return list(db.session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(sa.select(User.organization_id)
                                   .where(User.role == Role.PARTNER, User.active.is_(True))))
        .order_by(Organization.name)))


def deals_of_organisation(org_id: int, user) -> sa.Select:
    """Deals an organisation is party to (target, investor or signatory), as ``user`` may list them."""
    party = sa.or_(
        Deal.target_id == org_id,
        Deal.id.in_(sa.select(deal_investors.c.deal_id).where(deal_investors.c.organization_id == org_id)),
        Deal.id.in_(sa.select(deal_signatories.c.deal_id).where(deal_signatories.c.organization_id == org_id)),
    )
    return visible_deals(user).where(party).order_by(Deal.updated_at.desc(), Deal.id.desc())


def overdue_next_steps(today: date, owner_id: int | None = None, limit: int | None = None) -> list[Deal]:
    stmt = (sa.select(Deal).options(*list_options())
            .where(Deal.next_step_due < today, Deal.stage.in_(OPEN_STAGES))
            .order_by(Deal.next_step_due, Deal.id))
    if owner_id is not None:
        stmt = stmt.where(Deal.owner_id == owner_id)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))
