"""Read-side queries: what each user may list, the board's columns, the table, the deal page, the global
search; figures in SQL. Every list is filtered by ``Deal.visible_to`` (through ``permissions.visible``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, raiseload, selectinload

from club.auth.models import User
from club.core import audit
from club.core.freshness import fresh
from club.core.search import Hit
from club.core.text import contains_folded, fold, folded
from club.deals.models import (
    OPEN_STAGES,
    STAGE_LABELS,
    STAGES,
    CommitteeMeeting,
    Deal,
    DealAccess,
    DealComment,
    DealDocument,
    DealKind,
    DealNote,
    DealShare,
    DocumentVersion,
    Opinion,
    Stage,
    StageChange,
    deal_investors,
    deal_signatories,
)
from club.extensions import db
from club.members.models import Organization
from club.models import utcnow
from club.permissions import Role, visible

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
    """Deals ``user`` may list (``Deal.visible_to``, the one rule), without their parties."""
    return sa.select(Deal).where(visible(Deal, user)).options(*list_options())


def column_figures(where=None) -> dict[Stage, dict]:
    """Count and total amount per stage, computed in SQL; every deal's (no ``where``: the secretariat's home and
    board) once per change of the data."""
    if where is None:
        return fresh("deals.column_figures", lambda: _column_figures(None))
    return _column_figures(where)


def _column_figures(where) -> dict[Stage, dict]:
    stmt = sa.select(Deal.stage, sa.func.count(Deal.id), sa.func.coalesce(sa.func.sum(Deal.amount), 0)) \
        .group_by(Deal.stage)
    if where is not None:
        stmt = stmt.where(*where)
    figures = {s: {"count": 0, "total": 0} for s in STAGES}
    for stage, count, total in db.session.execute(stmt):
        figures[stage] = {"count": count, "total": total}
    return figures


@dataclass(frozen=True, slots=True)
class BoardCard:
    """What a card of the board shows, read as plain columns (a board holds about two hundred cards: no entities,
    no identity map, no columns it does not show). It reads its stake and due date as a ``Deal`` does."""

    id: int
    title: str
    stage: Stage
    target_name: str
    amount: Decimal | None
    stake: Decimal | None
    next_step_due: date | None

    is_open = Deal.is_open
    stake_label = Deal.stake_label
    next_step_overdue = Deal.next_step_overdue


def board_cards(now: datetime | None = None, per_column: int = BOARD_CARDS_PER_COLUMN) -> dict[Stage, list]:
    """The cards of each column (the most recently moved first), with days in stage from SQL.

    One statement: per stage, the newest ``per_column`` ids through the (stage, stage_entered_at) index,
    glued with UNION ALL, then the cards' columns and their target's name.
    """
    parts = []
    for stage in STAGES:
        newest = (sa.select(Deal.id).where(Deal.stage == stage)
                  .order_by(Deal.stage_entered_at.desc(), Deal.id.desc()).limit(per_column).subquery())
        parts.append(sa.select(newest.c.id))
    ids = sa.union_all(*parts).subquery()
    stmt = (sa.select(Deal.id, Deal.title, Deal.stage, Organization.name, Deal.amount, Deal.stake,
                      Deal.next_step_due, days_in_stage(now).label("days"))
            .join(Organization, Organization.id == Deal.target_id)
            .where(Deal.id.in_(sa.select(ids.c.id)))
            .order_by(Deal.stage_entered_at.desc(), Deal.id.desc()))
    cards = {s: [] for s in STAGES}
    for *columns, days_value in db.session.execute(stmt):
        card = BoardCard(*columns)
        cards[card.stage].append((card, days_value))
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
    # The parties by name only: an organisation or a user row is wide, and a page (or an export) holds many.
    return (sa.select(Deal, days).where(*where).order_by(order, Deal.id.desc())
            .options(joinedload(Deal.target).load_only(Organization.id, Organization.name),
                     joinedload(Deal.owner).load_only(User.id, User.name),
                     selectinload(Deal.investors).load_only(Organization.id, Organization.name),
                     raiseload(Deal.signatories)))


def table_totals(where: list) -> tuple[int, object]:
    count, total = db.session.execute(
        sa.select(sa.func.count(Deal.id), sa.func.coalesce(sa.func.sum(Deal.amount), 0)).where(*where)).one()
    return count, total


def secretariat_users() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role == Role.SECRETARIAT, User.active.is_(True)).order_by(User.name)))


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


def shared_deals(user) -> sa.Select:
    """The partners' room and home panel: the deals ``user`` may see, the last changed first."""
    return visible_deals(user).order_by(Deal.updated_at.desc(), Deal.id.desc())


def overdue_count(today: date) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Deal.id)).where(Deal.next_step_due < today, Deal.stage.in_(OPEN_STAGES)))


def table_rows(where: list, sort: str, descending: bool):
    """``(deal, days in stage)`` for every deal the table's filters keep (the export)."""
    return db.session.execute(table_query(where, sort, descending)).unique()


def titles(ids, user) -> dict[int, str]:
    """``{id: title}`` of the deals among ``ids`` that ``user`` may see (the audit trail's subjects)."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Deal.id, Deal.title).where(Deal.id.in_(ids), visible(Deal, user))).all())


# ---------------------------------------------------------------- one deal and what hangs from it


def organisation(org_id: int) -> Organization | None:
    return db.session.get(Organization, org_id)


def document_of(deal: Deal, document_id: int) -> DealDocument | None:
    """The document ``document_id`` if it belongs to ``deal`` (nested URLs must agree), else None."""
    return db.session.scalar(sa.select(DealDocument).where(DealDocument.id == document_id,
                                                           DealDocument.deal_id == deal.id))


def version_of(document: DealDocument, version_id: int) -> DocumentVersion | None:
    return db.session.scalar(sa.select(DocumentVersion).where(DocumentVersion.id == version_id,
                                                              DocumentVersion.document_id == document.id))


def share_of(deal: Deal, share_id: int) -> DealShare | None:
    return db.session.scalar(sa.select(DealShare).where(DealShare.id == share_id, DealShare.deal_id == deal.id))


def meeting_of(deal: Deal, meeting_id: int) -> CommitteeMeeting | None:
    return db.session.scalar(sa.select(CommitteeMeeting).where(CommitteeMeeting.id == meeting_id,
                                                               CommitteeMeeting.deal_id == deal.id))


def stage_durations(changes: list[StageChange], now: datetime) -> list[dict]:
    rows = []
    for i, change in enumerate(changes):
        end = changes[i + 1].at if i + 1 < len(changes) else None
        rows.append({"change": change, "days": ((end or now) - change.at).days, "current": end is None})
    return rows


def deal_page(deal: Deal, user, now: datetime | None = None) -> dict:
    """What the deal page shows ``user``, in a constant number of queries: the secretariat everything, a partner
    the documents, their organisation's thread and the opinions they may read (no notes, shares or log)."""
    is_staff = user.role == Role.SECRETARIAT
    changes = list(db.session.scalars(
        sa.select(StageChange).where(StageChange.deal_id == deal.id).order_by(StageChange.at, StageChange.id)))
    page = {
        "is_staff": is_staff,
        "stage_rows": stage_durations(changes, now or utcnow()),
        "documents": list(db.session.scalars(
            sa.select(DealDocument).where(DealDocument.deal_id == deal.id).order_by(DealDocument.id)
            .options(selectinload(DealDocument.versions)))),
    }
    comments = sa.select(DealComment).where(DealComment.deal_id == deal.id).order_by(DealComment.id)
    opinions = list(db.session.scalars(sa.select(Opinion).where(Opinion.deal_id == deal.id).order_by(Opinion.id)))
    if is_staff:
        shares = list(db.session.scalars(
            sa.select(DealShare).where(DealShare.deal_id == deal.id).order_by(DealShare.id)))
        shared_ids = {s.organization_id for s in shares}
        page.update({
            "notes": list(db.session.scalars(
                sa.select(DealNote).where(DealNote.deal_id == deal.id).order_by(DealNote.id.desc()))),
            "shares": shares,
            "comments": list(db.session.scalars(comments)),
            "opinions": opinions,
            "meetings": list(db.session.scalars(
                sa.select(CommitteeMeeting).where(CommitteeMeeting.deal_id == deal.id).order_by(CommitteeMeeting.id)
                .options(selectinload(CommitteeMeeting.members), selectinload(CommitteeMeeting.decisions)))),
            "events": audit.events_for("deals", deal.id, limit=50),
            "access_log": list(db.session.scalars(
                sa.select(DealAccess).where(DealAccess.deal_id == deal.id).order_by(DealAccess.id.desc())
                .limit(100))),
            "share_choices": [(i, n) for i, n in partner_organisations() if i not in shared_ids],
            "thread_choices": [(s.organization_id, s.organization.name) for s in shares],
        })
    else:
        mine = next((o for o in opinions if o.user_id == user.id), None)
        page.update({
            "comments": list(db.session.scalars(comments.where(DealComment.organization_id == user.organization_id))),
            "my_opinion": mine,
            "opinions": opinions if deal.opinions_open else [o for o in opinions if o.user_id == user.id],
        })
    return page


# ---------------------------------------------------------------- the global search


SEARCH_WORDS = 5


def search(term: str, user, limit: int) -> tuple[int, list[Hit]]:
    """The global search's "Deals" group: the deals ``user`` may see whose title or target organisation's name
    holds every word of ``term`` (case and accents folded, ``club.core.text.contains_folded``); one count and
    one page of hits."""
    words = fold(term).split(" ")[:SEARCH_WORDS] if fold(term) else []
    if not words:
        return 0, []
    match = sa.and_(visible(Deal, user), *(sa.or_(contains_folded(Deal.title, word),
                                                  contains_folded(Organization.name, word)) for word in words))
    matching = sa.select(Deal.id).join(Organization, Organization.id == Deal.target_id).where(match)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
    if not total:
        return 0, []
    rows = db.session.execute(
        sa.select(Deal.id, Deal.title, Deal.stage, Organization.name)
        .join(Organization, Organization.id == Deal.target_id)
        .where(match).order_by(folded(Deal.title), Deal.id).limit(limit))  # alphabetical, case and accents aside
    return total, [Hit(title, url_for("deals.detail", deal_id=deal_id), f"{target} · {STAGE_LABELS[stage]}")
                   for deal_id, title, stage, target in rows]
