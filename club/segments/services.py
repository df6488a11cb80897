"""Every change of the segments domain: tags (the list, on organisations, on contacts), segments, bulk actions.

Tagging is recorded on the tag (``tags`` events), never on the organisation: the organisation's timeline is read by
its member contacts, who never see tags.

Services flush and audit, never commit. A bulk action runs in batches (``run_batch``): in the request for a small
selection, or in one job of the queue for a large one (``club.segments.jobs``), which commits after each batch so
its progress shows.
"""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from club.core import audit
from club.core.refusals import Refused, check_version
from club.extensions import db
from club.members import services as member_services
from club.members.models import Contact, MembershipStatus, Organization, organization_tags
from club.members.queries import RegisterFilters
from club.models import utcnow
from club.permissions import Role
from club.segments import queries
from club.segments.models import (
    TAG_COLOURS,
    BulkAction,
    BulkActionItem,
    BulkKind,
    BulkState,
    Segment,
    Tag,
    contact_tags,
    tag_key,
)

BATCH = 1000
# Above this many rows a bulk action runs as one job of the queue, with a progress page.
IN_REQUEST_LIMIT = 500


# ---------------------------------------------------------------------------------------------------------------
# Tags


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not tag_key(name):
        raise Refused(_l("Type the tag's name."), field="name")
    if len(name) > 60:
        raise Refused(_l("At most 60 characters."), field="name")
    return name


def _check_colour(colour: str | None) -> str | None:
    if colour and colour not in TAG_COLOURS:
        raise Refused(_l("Choose one of the colours."), field="colour")
    return colour or None


def _unique(name: str, tag: Tag | None = None) -> None:
    same = queries.tag_named(name)
    if same is not None and same is not tag:
        raise Refused(_l("The tag %(name)s already exists.", name=same.name), field="name")


def create_tag(name: str, colour: str | None = None, *, by) -> Tag:
    name = _clean_name(name)
    _unique(name)
    tag = Tag(name=name, name_key=tag_key(name), colour=_check_colour(colour))
    db.session.add(tag)
    with member_services.refusing_breaches(_l("The tag %(name)s already exists.", name=name), "name"):
        db.session.flush()  # the same name added at the same moment by someone else: refused, not a 500
    audit.record("tag.created", tag, by=by, changes={"name": [None, name], "colour": [None, tag.colour]})
    return tag


def update_tag(tag: Tag, name: str, colour: str | None, *, version, by) -> dict:
    check_version(tag, version)
    name = _clean_name(name)
    _unique(name, tag)
    tag.name, tag.name_key, tag.colour = name, tag_key(name), _check_colour(colour)
    changes = audit.diff(tag, ("name", "colour"))
    if changes:
        db.session.flush()
        audit.record("tag.updated", tag, by=by, changes=changes)
    return changes


def delete_tag(tag: Tag, *, by) -> None:
    organisations, contacts = queries.tag_usage(tag.id)
    audit.record("tag.deleted", tag, by=by, changes={"name": [tag.name, None], "organisations": [organisations, 0],
                                                     "contacts": [contacts, 0]})
    db.session.execute(sa.delete(organization_tags).where(organization_tags.c.tag_id == tag.id))
    db.session.execute(sa.delete(contact_tags).where(contact_tags.c.tag_id == tag.id))
    db.session.delete(tag)
    db.session.flush()


def tag_for(name: str, *, by) -> Tag:
    """The tag of that name (folded), created when new (typed on an organisation's page, as in Odoo)."""
    return queries.tag_named(name) or create_tag(name, by=by)


def _has(table, column: str, record_id: int, tag_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table)
                             .where(table.c[column] == record_id, table.c.tag_id == tag_id)) > 0


def tag_organization(org: Organization, name: str, *, by) -> Tag:
    tag = tag_for(name, by=by)
    if not _has(organization_tags, "organization_id", org.id, tag.id):
        db.session.execute(sa.insert(organization_tags).values(organization_id=org.id, tag_id=tag.id))
        audit.record("tag.organization_added", tag, by=by, changes={"organization": [None, org.name]})
    return tag


def untag_organization(org: Organization, tag: Tag, *, by) -> bool:
    done = db.session.execute(sa.delete(organization_tags).where(
        organization_tags.c.organization_id == org.id, organization_tags.c.tag_id == tag.id)).rowcount
    if done:
        audit.record("tag.organization_removed", tag, by=by, changes={"organization": [org.name, None]})
    return bool(done)


def tag_contact(contact: Contact, name: str, *, by) -> Tag:
    tag = tag_for(name, by=by)
    if not _has(contact_tags, "contact_id", contact.id, tag.id):
        db.session.execute(sa.insert(contact_tags).values(contact_id=contact.id, tag_id=tag.id))
        audit.record("tag.contact_added", tag, by=by, changes={"contact": [None, contact.name]})
    return tag


def untag_contact(contact: Contact, tag: Tag, *, by) -> bool:
    done = db.session.execute(sa.delete(contact_tags).where(
        contact_tags.c.contact_id == contact.id, contact_tags.c.tag_id == tag.id)).rowcount
    if done:
        audit.record("tag.contact_removed", tag, by=by, changes={"contact": [contact.name, None]})
    return bool(done)


# ---------------------------------------------------------------------------------------------------------------
# Segments


def _segment_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Refused(_l("Name the segment."), field="name")
    if len(name) > 120:
        raise Refused(_l("At most 120 characters."), field="name")
    return name


def create_segment(name: str, filters: RegisterFilters, *, shared: bool, by) -> Segment:
    segment = Segment(name=_segment_name(name), owner_id=by.id, is_shared=bool(shared), filters=filters.args())
    db.session.add(segment)
    db.session.flush()
    audit.record("segment.created", segment, by=by,
                 changes={"name": [None, segment.name], "is_shared": [None, segment.is_shared]})
    return segment


def update_segment(segment: Segment, name: str, *, shared: bool, version, by) -> dict:
    check_version(segment, version)
    if not segment.can_edit(by):
        raise Refused(_l("Only its owner changes a private segment."))
    if segment.owner_id != by.id and not shared:
        raise Refused(_l("Only its owner makes a segment private again."), field="is_shared")
    segment.name, segment.is_shared = _segment_name(name), bool(shared)
    changes = audit.diff(segment, ("name", "is_shared"))
    if changes:
        db.session.flush()
        audit.record("segment.updated", segment, by=by, changes=changes)
    return changes


def delete_segment(segment: Segment, *, by) -> None:
    if not segment.can_edit(by):
        raise Refused(_l("Only its owner deletes a private segment."))
    audit.record("segment.deleted", segment, by=by, changes={"name": [segment.name, None]})
    db.session.delete(segment)
    db.session.flush()


# ---------------------------------------------------------------------------------------------------------------
# Bulk actions


def actor_of(bulk: BulkAction):
    """The user whose register the selection is read in (the secretariat's rule, should the account be gone)."""
    return bulk.by or SimpleNamespace(id=None, role=Role.SECRETARIAT, organization_id=None)


def start_bulk(kind: BulkKind, filters: RegisterFilters, ids: list[int] | None, *, tag: Tag | None = None,
               status: MembershipStatus | None = None, segment: Segment | None = None, audience: str | None = None,
               by) -> BulkAction:
    """A bulk action on the register's rows for ``filters`` (only ``ids`` among them when given), counted now."""
    if kind in (BulkKind.TAG, BulkKind.UNTAG) and tag is None:
        raise Refused(_l("Choose a tag."), field="tag")
    if kind == BulkKind.STATUS and status is None:
        raise Refused(_l("Choose a status."), field="status")
    total = queries.selection_count(filters, ids, by)
    if not total:
        raise Refused(_l("No organisation is selected."))
    params = {"tag": tag.name} if tag is not None else {"status": status.value}
    bulk = BulkAction(kind=kind, state=BulkState.QUEUED, by_id=by.id, segment_id=segment.id if segment else None,
                      tag_id=tag.id if tag else None, params=params, filters=filters.args(), ids=list(ids or []),
                      audience=(audience or "")[:200] or None, total=total)
    db.session.add(bulk)
    db.session.flush()
    return bulk


def run_batch(bulk: BulkAction, *, size: int = BATCH) -> bool:
    """Apply the action to the next batch of the selection; False when nothing was left."""
    user = actor_of(bulk)
    ids = queries.selection_batch(bulk, user, queries.last_item_id(bulk.id), size)
    if not ids:
        return False
    bulk.state = BulkState.RUNNING
    if bulk.kind == BulkKind.STATUS:
        changed = _change_status(bulk, ids, user)
    else:
        tagged = set(db.session.scalars(sa.select(organization_tags.c.organization_id).where(
            organization_tags.c.tag_id == bulk.tag_id, organization_tags.c.organization_id.in_(ids))))
        if bulk.kind == BulkKind.TAG:
            changed = [i for i in ids if i not in tagged]
            if changed:
                db.session.execute(sa.insert(organization_tags),
                                   [{"organization_id": i, "tag_id": bulk.tag_id} for i in changed])
        else:
            changed = [i for i in ids if i in tagged]
            if changed:
                db.session.execute(sa.delete(organization_tags).where(
                    organization_tags.c.tag_id == bulk.tag_id, organization_tags.c.organization_id.in_(changed)))
    done = set(changed)
    db.session.execute(sa.insert(BulkActionItem), [{"bulk_action_id": bulk.id, "organization_id": i,
                                                    "skipped": i not in done} for i in ids])
    bulk.processed += len(ids)
    bulk.changed += len(done)
    bulk.skipped += len(ids) - len(done)
    bulk.total = max(bulk.total, bulk.processed)
    db.session.flush()
    return True


def _change_status(bulk: BulkAction, ids: list[int], user) -> list[int]:
    """Through the members' service, one organisation at a time; a move the transitions do not allow (or no move
    at all) is skipped."""
    status = MembershipStatus(bulk.params["status"])
    orgs = db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids))
                              .options(selectinload(Organization.membership)))
    changed = []
    for org in orgs:
        current = org.membership.status if org.membership else None
        if status == current or status not in member_services.TRANSITIONS[current]:
            continue
        try:
            member_services.change_membership(org, status, by=bulk.by)  # the tier as it is (read under the lock)
        except Refused:  # changed meanwhile to a status this one cannot follow
            continue
        changed.append(org.id)
    return changed


def finish_bulk(bulk: BulkAction, *, state: BulkState = BulkState.DONE) -> None:
    """Done (or failed part way: what was committed is said all the same): the one audit event of the action, with
    its counts (the records are its items)."""
    bulk.state = state
    bulk.finished_at = utcnow()
    counts = {"count": [None, bulk.changed], "skipped": [None, bulk.skipped]}
    if bulk.audience:
        counts["audience"] = [None, bulk.audience]
    if bulk.kind == BulkKind.TAG:
        audit.record("bulk.tag", bulk, by=bulk.by, changes={**counts, "tag": [None, bulk.params.get("tag")]})
    elif bulk.kind == BulkKind.UNTAG:
        audit.record("bulk.untag", bulk, by=bulk.by, changes={**counts, "tag": [bulk.params.get("tag"), None]})
    else:
        audit.record("bulk.status", bulk, by=bulk.by, changes={**counts, "status": [None, bulk.params.get("status")]})
    db.session.flush()


def run_all(bulk: BulkAction) -> BulkAction:
    """The whole action in the current transaction (a selection small enough for the request)."""
    while run_batch(bulk):
        pass
    finish_bulk(bulk)
    return bulk


def fail_bulk(bulk: BulkAction) -> None:
    """Failed part way: the batches committed before stay done, and are audited with their counts."""
    finish_bulk(bulk, state=BulkState.FAILED)
