"""Every read of activities, built on ``Activity.visible_to``: an organisation's timeline (its activities and its
audit events, one keyset over their union), a user's tasks, the activities linked to a deal, an application, a
mission or a programme, and what the activity form offers (the organisation's contacts, the secretariat). Each in a
constant number of queries, whatever the number of activities."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import lazyload, selectinload

from club.activities.models import Activity, ActivityKind, ActivityParticipant
from club.auth.models import User
from club.core.freshness import fresh
from club.core.models import AuditEvent
from club.core.timezones import local_today
from club.extensions import db
from club.members.models import Contact, MergedRecord
from club.permissions import Role, visible

PER_PAGE = 25
SECTION_ITEMS = 8
TASK_PANEL_ITEMS = 10
LINKED_ITEMS = 20
CONTACT_CHOICES_LIMIT = 200
STAFF_CHOICES_LIMIT = 50
KINDS = tuple(k.value for k in ActivityKind)
FILTERS = (*KINDS, "history")
# On the timeline, at one moment, activities come before audit events.
ACTIVITY, EVENT = 0, 1


def sees_timeline(org, user) -> bool:
    """Who sees an organisation's timeline: the secretariat, and the organisation's own member contacts (its shared
    activities and the history they saw before activities existed)."""
    return user.role == Role.SECRETARIAT or (user.role == Role.MEMBER and user.organization_id == org.id)


@dataclass(frozen=True)
class TimelineFilters:
    """The timeline's filters, from the query string (anything unknown is ignored, never a 500)."""

    kind: str = ""
    contact_id: int | None = None

    @classmethod
    def from_args(cls, args) -> TimelineFilters:
        kind = (args.get("kind") or "").strip()
        contact = (args.get("contact") or "").strip()
        return cls(kind=kind if kind in FILTERS else "",
                   contact_id=int(contact) if contact.isascii() and contact.isdigit() and len(contact) < 10 else None)

    def args(self) -> dict[str, str]:
        values = {"kind": self.kind, "contact": str(self.contact_id) if self.contact_id else ""}
        return {k: v for k, v in values.items() if v}


def encode_cursor(at: datetime, source: int, ident: int) -> str:
    text = json.dumps([at.astimezone(UTC).isoformat(), source, ident], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> tuple[datetime, int, int] | None:
    """The (moment, source, id) of the last row of a page, from a cursor sent back; None when forged."""
    if not text or len(text) > 200:
        return None
    try:
        at, source, ident = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        moment = datetime.fromisoformat(at)
    except (ValueError, TypeError):
        return None
    if (moment.tzinfo is None or source not in (ACTIVITY, EVENT) or isinstance(ident, bool)
            or not isinstance(ident, int) or not 0 < ident < 2**62 or not 1900 <= moment.year <= 2200):
        return None
    return moment, source, ident


def _after(at_column, id_column, source: int, cursor) -> sa.ColumnElement[bool]:
    """The rows of ``source`` that come after ``cursor`` in the timeline's order: (moment desc, source, id desc)."""
    moment, cursor_source, ident = cursor
    if source > cursor_source:
        return at_column <= moment
    if source < cursor_source:
        return at_column < moment
    return sa.or_(at_column < moment, sa.and_(at_column == moment, id_column < ident))


def _activity_filter(org_id: int, filters: TimelineFilters, user) -> list:
    where = [Activity.organization_id == org_id, visible(Activity, user)]
    if filters.kind in KINDS:
        where.append(Activity.kind == ActivityKind(filters.kind))
    return where


def _by_contact(contact_id: int | None) -> list:
    """The contact filter as the conditions of separate branches, each read by its own index: the activities
    *with* the contact (``contact_id``), and those the contact took part in (``activity_participants``)."""
    if not contact_id:
        return [None]
    return [Activity.contact_id == contact_id,
            Activity.id.in_(sa.select(ActivityParticipant.activity_id)
                            .where(ActivityParticipant.contact_id == contact_id))]


def _event_branches(org_id: int, user) -> list[sa.Select]:
    """The organisation's audit events; for the secretariat, its activities' too (members see the history they saw
    before: the organisation's own events). Each a select of (at, id), read newest first by an index."""
    # The organisation's own events, and those of the records merged into it (their history came with them).
    merged = sa.select(MergedRecord.old_id).where(MergedRecord.entity_type == "organizations",
                                                  MergedRecord.new_id == org_id)
    own = sa.select(AuditEvent.at, AuditEvent.id).where(
        AuditEvent.entity_type == "organizations",
        sa.or_(AuditEvent.entity_id == org_id, AuditEvent.entity_id.in_(merged)))
    if user.role != Role.SECRETARIAT:
        # A document's events may name documents not shared with the organisation's member contacts.
        return [own.where(AuditEvent.action.not_like("document.%"))]
    # An activity is on the timeline itself: what is said of it there is what happened to it since (edited,
    # done, deleted), not its creation.
    of_activities = (sa.select(AuditEvent.at, AuditEvent.id)
                     .join(Activity, sa.and_(Activity.id == AuditEvent.entity_id,
                                             AuditEvent.entity_type == Activity.__tablename__))
                     .where(Activity.organization_id == org_id, AuditEvent.action != "activity.create"))
    return [own, of_activities]


@dataclass
class TimelineItem:
    at: datetime
    activity: Activity | None = None
    event: AuditEvent | None = None


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    per_page: int
    next_cursor: str | None = None
    first: bool = True
    entries: dict = field(default_factory=dict)  # event id -> presented entry


def timeline(org_id: int, user, filters: TimelineFilters = TimelineFilters(), *, after: str | None = None,
             per_page: int = PER_PAGE) -> TimelinePage:
    """A page of the organisation's timeline, newest first, after the ``after`` cursor: the page's keys over the
    union of its branches (activities; the organisation's and, for the secretariat, its activities' audit events),
    each branch read newest first by an index and cut at a page; then the page's activities with their
    participants, its events and the objects they name. A constant number of queries, whatever the number of
    rows."""
    cursor = decode_cursor(after)
    branches = []
    with_activities = filters.kind != "history"
    with_events = filters.kind in ("", "history") and not filters.contact_id
    if with_activities:
        for by_contact in _by_contact(filters.contact_id):
            where = _activity_filter(org_id, filters, user)
            if by_contact is not None:
                where.append(by_contact)
            if cursor:
                where.append(_after(Activity.occurred_at, Activity.id, ACTIVITY, cursor))
            branches.append(sa.select(Activity.occurred_at.label("at"), sa.literal(ACTIVITY).label("source"),
                                      Activity.id.label("ident")).where(*where)
                            .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(per_page + 1))
    if with_events:
        for events in _event_branches(org_id, user):
            if cursor:
                events = events.where(_after(AuditEvent.at, AuditEvent.id, EVENT, cursor))
            branches.append(events.with_only_columns(AuditEvent.at.label("at"), sa.literal(EVENT).label("source"),
                                                     AuditEvent.id.label("ident"), maintain_column_froms=True)
                            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(per_page + 1))
    if not branches:  # the history of one contact: events are the organisation's, none is a contact's
        return TimelinePage(items=[], per_page=per_page, first=cursor is None)
    subqueries = [b.subquery() for b in branches]
    parts = [sa.select(s.c.at, s.c.source, s.c.ident) for s in subqueries]
    # UNION, not UNION ALL: an activity both with a contact and taken part in by them comes once.
    union = (parts[0] if len(parts) == 1 else sa.union(*parts)).subquery()
    keys = list(db.session.execute(sa.select(union.c.at, union.c.source, union.c.ident)
                                   .order_by(union.c.at.desc(), union.c.source, union.c.ident.desc())
                                   .limit(per_page + 1)))
    more = len(keys) > per_page
    keys = keys[:per_page]
    activity_ids = [k.ident for k in keys if k.source == ACTIVITY]
    event_ids = [k.ident for k in keys if k.source == EVENT]
    activities = {a.id: a for a in db.session.scalars(
        sa.select(Activity).where(Activity.id.in_(activity_ids))
        .options(selectinload(Activity.participants)))} if activity_ids else {}
    events = {e.id: e for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id.in_(event_ids)))} \
        if event_ids else {}
    items = []
    for key in keys:
        if key.source == ACTIVITY and key.ident in activities:
            items.append(TimelineItem(at=activities[key.ident].occurred_at, activity=activities[key.ident]))
        elif key.source == EVENT and key.ident in events:
            items.append(TimelineItem(at=events[key.ident].at, event=events[key.ident]))
    page = TimelinePage(items=items, per_page=per_page, first=cursor is None)
    shown = [item.event for item in items if item.event is not None]
    if shown:
        from club.core import audit

        presented = audit.present(shown, subjects=user.role == Role.SECRETARIAT, user=user)
        page.entries = {event.id: entry for event, entry in zip(shown, presented, strict=True)}
    if more and keys:
        last = keys[-1]
        moment = last.at if isinstance(last.at, datetime) else datetime.fromisoformat(str(last.at))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        page.next_cursor = encode_cursor(moment, last.source, last.ident)
    return page


# --- tasks --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskFilters:
    status: str = "open"   # open | done
    overdue: bool = False

    @classmethod
    def from_args(cls, args) -> TaskFilters:
        status = (args.get("status") or "").strip()
        status = status if status in ("open", "done") else "open"
        # "overdue" says of open tasks only: with "done" it is dropped, so the form shows what the list holds
        return cls(status=status, overdue=status == "open" and (args.get("overdue") or "") in ("1", "y", "on"))

    def args(self) -> dict[str, str]:
        values = {"status": self.status if self.status != "open" else "", "overdue": "1" if self.overdue else ""}
        return {k: v for k, v in values.items() if v}


def task_list(user, filters: TaskFilters = TaskFilters()) -> sa.Select:
    """The tasks ``user`` owns (only tasks have an owner): open ones by due date, so overdue ones first; done ones
    the latest done first. Read in the order of ``ix_activities_open_tasks`` or ``ix_activities_done_tasks``; one
    query a page (the organisation, contact and people are joined)."""
    where = [Activity.owner_id == user.id, visible(Activity, user)]
    if filters.status == "done":
        where.append(Activity.done_at.is_not(None))
        order = [Activity.done_at.desc(), Activity.id.desc()]
    else:
        where.append(Activity.done_at.is_(None))
        order = [Activity.due_on, Activity.id]
    if filters.overdue and filters.status != "done":  # overdue says of open tasks only
        where.append(Activity.due_on < local_today())
    # A task row shows its organisation and contact: the people (author, owner, who did it) and their organisations
    # are not joined, which spares PostgreSQL planning a nine-table join for each page.
    return sa.select(Activity).where(*where).order_by(*order).options(
        lazyload(Activity.author), lazyload(Activity.owner), lazyload(Activity.done_by))


def open_tasks(user, limit: int = TASK_PANEL_ITEMS) -> tuple[list[Activity], int]:
    """The home panel: the first open tasks of ``user`` and how many there are (two queries; the count is kept
    until the data changes, under the user's own key)."""
    stmt = task_list(user)
    total = fresh(("activities.open_tasks", user.id, user.role), lambda: db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())))
    return list(db.session.scalars(stmt.limit(limit)).unique()), total


# --- links ---------------------------------------------------------------------------------------------------------

def linked(link: str, ident: int, user, limit: int = LINKED_ITEMS) -> list[Activity]:
    """The latest activities linked to a deal, an application, a mission or a programme: one query."""
    column = getattr(Activity, link)
    return list(db.session.scalars(sa.select(Activity).where(column == ident, visible(Activity, user))
                                   .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)).unique())


# --- what the form offers -----------------------------------------------------------------------------------------

def contact_choices(org_id: int, limit: int = CONTACT_CHOICES_LIMIT) -> list[Contact]:
    """The organisation's contacts, by name (bounded: an organisation has a few dozen)."""
    return list(db.session.scalars(sa.select(Contact).where(Contact.organization_id == org_id)
                                   .order_by(Contact.name_key, Contact.id).limit(limit)))


def staff_choices(limit: int = STAFF_CHOICES_LIMIT) -> list[User]:
    """The secretariat's active users, by name (a short list)."""
    return list(db.session.scalars(sa.select(User).where(User.role == Role.SECRETARIAT, User.active.is_(True))
                                   .order_by(User.name, User.id).limit(limit)))


def choices_keeping(activity: Activity) -> tuple[list[Contact], list[User]]:
    """An edit form's choices: the organisation's contacts and the secretariat's active users, plus whoever is on the
    activity already (its contact, its participants, its owner: a deactivated account, a contact beyond the list),
    so that saving the form unchanged keeps them all."""
    contacts, staff = contact_choices(activity.organization_id), staff_choices()
    known_contacts, known_users = {c.id for c in contacts}, {u.id for u in staff}
    for participant in activity.participants:
        if participant.contact is not None and participant.contact_id not in known_contacts:
            contacts.append(participant.contact)
            known_contacts.add(participant.contact_id)
        if participant.user is not None and participant.user_id not in known_users:
            staff.append(participant.user)
            known_users.add(participant.user_id)
    if activity.contact_id and activity.contact_id not in known_contacts:
        contacts.append(db.session.get(Contact, activity.contact_id))
    if activity.owner_id and activity.owner_id not in known_users:
        staff.append(db.session.get(User, activity.owner_id))
    return contacts, staff


def subjects(ids, user) -> dict:
    """How the audit trail names activities ``user`` may see: kind and subject, linked (one query)."""
    from flask import url_for

    rows = db.session.scalars(sa.select(Activity).where(Activity.id.in_(ids), visible(Activity, user))).unique()
    return {a.id: (f"{a.kind_label} — {a.subject}", url_for("activities.detail", activity_id=a.id)) for a in rows}


def today() -> date:
    return local_today()
