"""Reads of the segments domain: tags (with how many records carry each), the tags of an organisation and its
contacts, segments with their live counts, a segment's valid filters (and what was dropped), bulk actions and the
records they affected. Each in a constant number of queries; only the secretariat ever reaches them.

The register's filters are the single source of truth: a segment stores the register's query arguments, and
``segment_filter_args`` gives back those still valid (what a mailing's audience is built from).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from club.core.freshness import fresh_many
from club.core.pagination import Page, paginate
from club.extensions import db
from club.members.models import Contact, Organization, organization_tags
from club.members.queries import RegisterFilters, register_where
from club.permissions import Role, visible
from club.segments.models import BulkAction, BulkActionItem, Segment, Tag, contact_tags, tag_key

TAGS_PER_PAGE = 50
MAX_TAG_CHOICES = 200  # the register's tag filter offers the tags by name, at most this many
SEGMENTS_BESIDE_REGISTER = 8  # segments listed beside the register's filters, each with its count
SEGMENTS_PER_PAGE = 20
ITEMS_PER_PAGE = 50


# ---------------------------------------------------------------------------------------------------------------
# Tags


def tag_list(term: str = "") -> sa.Select:
    """Tags by name, each with the number of organisations and contacts carrying it (grouped subqueries)."""
    orgs = (sa.select(organization_tags.c.tag_id, sa.func.count().label("n"))
            .group_by(organization_tags.c.tag_id).subquery())
    contacts = sa.select(contact_tags.c.tag_id, sa.func.count().label("n")).group_by(contact_tags.c.tag_id).subquery()
    stmt = (sa.select(Tag, sa.func.coalesce(orgs.c.n, 0), sa.func.coalesce(contacts.c.n, 0))
            .outerjoin(orgs, orgs.c.tag_id == Tag.id).outerjoin(contacts, contacts.c.tag_id == Tag.id)
            .order_by(Tag.name_key, Tag.id))
    key = tag_key(term)
    if key:
        from club.core.text import like_escape

        stmt = stmt.where(Tag.name_key.like(f"%{like_escape(key)}%", escape="\\"))
    return stmt


def tags_page(term: str = "", page: int | None = None) -> Page:
    return paginate(tag_list(term), page=page, per_page=TAGS_PER_PAGE, scalars=False)


def tag_usage(tag_id: int) -> tuple[int, int]:
    """How many organisations and contacts carry the tag (one query)."""
    row = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(organization_tags).where(organization_tags.c.tag_id == tag_id)
        .scalar_subquery(),
        sa.select(sa.func.count()).select_from(contact_tags).where(contact_tags.c.tag_id == tag_id)
        .scalar_subquery())).one()
    return int(row[0]), int(row[1])


def tag_named(name: str) -> Tag | None:
    key = tag_key(name)
    return db.session.scalar(sa.select(Tag).where(Tag.name_key == key)) if key else None


def tag_choices() -> list[Tag]:
    """The tags the register's filter and the bulk bar offer, by name (a managed vocabulary, bounded)."""
    return list(db.session.scalars(sa.select(Tag).order_by(Tag.name_key, Tag.id).limit(MAX_TAG_CHOICES)))


def tags_by_id(ids) -> dict[int, Tag]:
    ids = list(ids)
    if not ids:
        return {}
    return {tag.id: tag for tag in db.session.scalars(sa.select(Tag).where(Tag.id.in_(ids)))}


def organization_tags_of(org_id: int) -> list[Tag]:
    return list(db.session.scalars(
        sa.select(Tag).join(organization_tags, organization_tags.c.tag_id == Tag.id)
        .where(organization_tags.c.organization_id == org_id).order_by(Tag.name_key)))


def contacts_tags_of(org_id: int) -> list[tuple[Contact, list[Tag]]]:
    """The organisation's contacts, each with its tags (two queries)."""
    contacts = list(db.session.scalars(sa.select(Contact).where(Contact.organization_id == org_id)
                                       .order_by(Contact.name_key, Contact.id)))
    found: dict[int, list[Tag]] = {c.id: [] for c in contacts}
    if contacts:
        for contact_id, tag in db.session.execute(
                sa.select(contact_tags.c.contact_id, Tag).join(Tag, Tag.id == contact_tags.c.tag_id)
                .where(contact_tags.c.contact_id.in_(list(found))).order_by(Tag.name_key)):
            found[contact_id].append(tag)
    return [(c, found[c.id]) for c in contacts]


def tag_suggestions(term: str, limit: int = 10) -> list[str]:
    from club.core.text import like_escape

    key = tag_key(term)
    if not key:
        return []
    pattern = like_escape(key)
    return list(db.session.scalars(
        sa.select(Tag.name).where(Tag.name_key.like(f"%{pattern}%", escape="\\"))
        .order_by(Tag.name_key.like(f"{pattern}%", escape="\\").desc(), Tag.name_key).limit(limit)))


# ---------------------------------------------------------------------------------------------------------------
# Segments: their filters, what was dropped, their counts


@dataclass
class SegmentView:
    filters: RegisterFilters
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (argument, value) ignored

    @property
    def args(self) -> dict[str, str]:
        return self.filters.args()


def resolve_filters(stored: dict | None, *, known_tags: set[int] | None = None) -> SegmentView:
    """The register's filters a segment stored, as valid now: what ``RegisterFilters.from_args`` would not keep
    (an unknown key, a removed choice) and the tags deleted since are listed in ``dropped``."""
    stored = stored if isinstance(stored, dict) else {}
    pairs = [(str(k), str(v)) for k, v in stored.items() if isinstance(v, str | int) and not isinstance(v, bool)]
    filters = RegisterFilters.from_args(MultiDict(pairs), may_see_archived=True)
    kept = filters.args()
    known = set(RegisterFilters.__dataclass_fields__)
    dropped = []
    for key, value in pairs:
        if key not in known:
            dropped.append((key, value))
        elif key == "tag":
            continue
        elif kept.get(key, "name" if key == "sort" else "") != value.strip() and key != "q":
            dropped.append((key, value))
    tag_value = dict(pairs).get("tag", "")
    wanted = [t.strip() for t in tag_value.split(",") if t.strip()]
    valid = filters.tag_ids
    existing = known_tags if known_tags is not None else set(tags_by_id(valid))
    for part in wanted:
        if not (part.isdigit() and int(part) in valid and int(part) in existing):
            dropped.append(("tag", part))
    # A deleted tag stays in the filters, where it matches nothing: a segment never widens to what its other filters
    # match (its count, its pages, a bulk action or a mailing on it), it shows the tag as dropped.
    filters.tag = ",".join(str(t) for t in valid)
    return SegmentView(filters, dropped)


def segment_view(segment: Segment) -> SegmentView:
    return resolve_filters(segment.filters)


def segment_filter_args(segment: Segment) -> dict[str, str]:
    """The register's query arguments of the segment, only those still valid (for the register, the export and a
    mailing's audience: ``url_for("mailings.new", **segment_filter_args(s))``)."""
    return segment_view(segment).args


def _staff(user):
    return user if user is not None and user.role == Role.SECRETARIAT else None


def visible_segments(user) -> sa.Select:
    return (sa.select(Segment).where(visible(Segment, user))
            .order_by(Segment.is_shared, sa.func.lower(Segment.name), Segment.id))


def count_of(args: dict, user) -> int:
    filters = RegisterFilters.from_args(MultiDict(list(args.items())), may_see_archived=True)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                             .where(*register_where(filters, user)))


def with_counts(segments: list[Segment], user) -> list[tuple[Segment, SegmentView, int]]:
    """Each segment with its valid filters and live count: one query for the tags they name, then one count per
    segment (the callers bound how many: a page, or the few beside the register)."""
    tag_ids = set()
    for segment in segments:
        filters = segment.filters if isinstance(segment.filters, dict) else {}
        tag_ids |= {int(t) for t in str(filters.get("tag", "")).split(",") if t.strip().isdigit() and len(t) < 10}
    known = set(tags_by_id(tag_ids))
    views = [resolve_filters(segment.filters, known_tags=known) for segment in segments]
    counts = _counts([view.filters for view in views], user)
    return [(segment, view, counts[_count_key(view.filters)]) for segment, view in zip(segments, views, strict=True)]


def _count_key(filters: RegisterFilters) -> tuple:
    return ("segments.count", repr(sorted(filters.args().items())))


def _counts(filters: list[RegisterFilters], user) -> dict[tuple, int]:
    """The organisations each segment's filters find, in one query for all of them. The secretariat sees every
    organisation: its counts are the same for every secretariat user, kept until the data changes
    (``club.core.freshness``)."""
    by_key = {_count_key(f): f for f in filters}

    def count(keys: list[tuple]) -> dict[tuple, int]:
        columns = [sa.select(sa.func.count()).select_from(Organization)
                   .where(*register_where(by_key[key], user)).scalar_subquery() for key in keys]
        return dict(zip(keys, db.session.execute(sa.select(*columns)).one(), strict=True)) if keys else {}

    if user is None or user.role != Role.SECRETARIAT:
        return count(list(by_key))
    return fresh_many(list(by_key), count)


def segments_page(user, page: int | None = None) -> tuple[Page, list]:
    found = paginate(visible_segments(user).options(sa.orm.joinedload(Segment.owner)), page=page,
                     per_page=SEGMENTS_PER_PAGE)
    return found, with_counts(found.items, user)


def segments_beside_register(user) -> tuple[list, bool]:
    """The first segments (own, then shared) with their counts, and whether there are more."""
    found = list(db.session.scalars(visible_segments(user).limit(SEGMENTS_BESIDE_REGISTER + 1)))
    return with_counts(found[:SEGMENTS_BESIDE_REGISTER], user), len(found) > SEGMENTS_BESIDE_REGISTER


# ---------------------------------------------------------------------------------------------------------------
# Bulk actions


def selection_where(bulk: BulkAction, user) -> list:
    """The organisations a bulk action is about: the register's rows for its filters, only the ticked ones when
    ids were given (ids outside the filters are never touched)."""
    view = resolve_filters(bulk.filters)
    conditions = register_where(view.filters, user, indexed=False)
    if view.dropped:  # a filter gone since it was confirmed (a tag deleted meanwhile): act on nothing, never on more
        conditions.append(sa.false())
    if bulk.ids:
        conditions.append(Organization.id.in_([int(i) for i in bulk.ids]))
    return conditions


def selection_count(filters: RegisterFilters, ids: list[int] | None, user) -> int:
    conditions = register_where(filters, user, indexed=False)
    if ids:
        conditions.append(Organization.id.in_(ids))
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization).where(*conditions))


def selection_batch(bulk: BulkAction, user, after_id: int, size: int) -> list[int]:
    """The next ``size`` organisation ids of the selection after ``after_id`` (keyset on the primary key)."""
    return list(db.session.scalars(
        sa.select(Organization.id).where(*selection_where(bulk, user), Organization.id > after_id)
        .order_by(Organization.id).limit(size)))


def last_item_id(bulk_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(BulkActionItem.organization_id), 0))
                             .where(BulkActionItem.bulk_action_id == bulk_id))


def bulk_items_page(bulk_id: int, *, skipped: bool | None = None, page: int | None = None) -> Page:
    stmt = (sa.select(Organization.id, Organization.name, BulkActionItem.skipped)
            .join(BulkActionItem, BulkActionItem.organization_id == Organization.id)
            .where(BulkActionItem.bulk_action_id == bulk_id).order_by(Organization.name_key, Organization.id))
    if skipped is not None:
        stmt = stmt.where(BulkActionItem.skipped.is_(skipped))
    return paginate(stmt, page=page, per_page=ITEMS_PER_PAGE, scalars=False)


def bulk_subjects(ids, user) -> dict:
    """Audit subjects: the bulk actions among ``ids`` (secretariat only), each linking to its records."""
    from flask import url_for
    from flask_babel import gettext

    if _staff(user) is None:
        return {}
    rows = db.session.execute(sa.select(BulkAction.id, BulkAction.total).where(BulkAction.id.in_(list(ids))))
    return {ident: (gettext("Bulk action no. %(num)s", num=ident), url_for("segments.bulk_detail", bulk_id=ident))
            for ident, _total in rows}


def segment_subjects(ids, user) -> dict:
    from flask import url_for

    rows = db.session.execute(sa.select(Segment.id, Segment.name)
                              .where(Segment.id.in_(list(ids)), visible(Segment, user)))
    return {ident: (name, url_for("segments.detail", segment_id=ident)) for ident, name in rows}


def tag_subjects(ids, user) -> dict:
    from flask import url_for

    if _staff(user) is None:
        return {}
    rows = db.session.execute(sa.select(Tag.id, Tag.name).where(Tag.id.in_(list(ids))))
    return {ident: (name, url_for("segments.tag_edit", tag_id=ident)) for ident, name in rows}
