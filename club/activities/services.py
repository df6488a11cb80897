"""Every change of activities: logging, editing, deleting an activity, marking a task done and reopening it
(checked, flushed, audited under the entity "activities"; never committed).

A refusal names the form field it belongs to (``Refused(message, field=...)``), with the field names of
``club.activities.forms``. A task due in the past is allowed (a late entry, a reminder of what is overdue): the
pages flag it, the service does not refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _

from club.activities.models import Activity, ActivityKind, ActivityParticipant
from club.auth.models import User
from club.core import audit
from club.core.refusals import Refused, check_version
from club.core.timezones import to_utc
from club.extensions import db
from club.members.models import Contact, Organization
from club.permissions import Role

# When no time is given, an activity sorts at noon (local time) of its day on the timeline.
DEFAULT_TIME = time(12, 0)
# The columns the form sets, in the order the audit events list them.
COLUMNS = ("kind", "occurred_on", "occurred_time", "subject", "body", "contact_id", "shared", "owner_id", "due_on")
LINKS = ("deal_id", "application_id", "mission_id", "programme_id")
# A participant list beyond this is not a meeting but a mailing.
MAX_PARTICIPANTS = 200


@dataclass(frozen=True)
class ActivityData:
    """What the secretariat typed, resolved to ids (the form checks the choices it offers)."""

    kind: ActivityKind
    occurred_on: date
    subject: str
    occurred_time: time | None = None
    body: str | None = None
    contact_id: int | None = None
    shared: bool = False
    owner_id: int | None = None
    due_on: date | None = None
    contact_ids: tuple[int, ...] = field(default_factory=tuple)
    user_ids: tuple[int, ...] = field(default_factory=tuple)


def _readable(changes: dict) -> dict:
    """A time of day as "HH:MM" (the audit trail keeps JSON)."""
    return {name: [v.strftime("%H:%M") if isinstance(v, time) else v for v in pair] for name, pair in changes.items()}


def occurred_at(day: date, at: time | None) -> datetime:
    """The moment (UTC) an activity sorts at on the timeline."""
    return to_utc(datetime.combine(day, at or DEFAULT_TIME))


def _check(org: Organization, data: ActivityData, *, by, kept_users: frozenset = frozenset()) -> ActivityData:
    """The rules of an activity, each refused at its field; the data with a task's owner defaulted to its
    author and a non-task's task fields cleared."""
    if not (data.subject or "").strip():
        raise Refused(_("Give the activity a subject."), field="subject")
    if data.occurred_on.year < 1990 or data.occurred_on.year > 2100:
        raise Refused(_("This date is out of range."), field="occurred_on")
    if data.due_on is not None and (data.due_on.year < 1990 or data.due_on.year > 2100):
        raise Refused(_("This date is out of range."), field="due_on")
    if data.contact_id is not None:
        found = db.session.scalar(sa.select(Contact.id).where(Contact.id == data.contact_id,
                                                              Contact.organization_id == org.id))
        if found is None:
            raise Refused(_("This person is not a contact of that organisation."), field="contact_id")
    contact_ids = tuple(dict.fromkeys(data.contact_ids))
    user_ids = tuple(dict.fromkeys(data.user_ids))
    if len(contact_ids) + len(user_ids) > MAX_PARTICIPANTS:
        raise Refused(_("Too many participants."), field="contact_ids")
    if contact_ids:
        known = set(db.session.scalars(sa.select(Contact.id).where(Contact.id.in_(contact_ids),
                                                                   Contact.organization_id == org.id)))
        if known != set(contact_ids):
            raise Refused(_("This person is not a contact of that organisation."), field="contact_ids")
    staff = set(user_ids) | ({data.owner_id} if data.owner_id else set())
    if staff:
        known = set(db.session.scalars(sa.select(User.id).where(User.id.in_(staff), User.role == Role.SECRETARIAT,
                                                                User.active.is_(True))))
        known |= staff & kept_users  # already on the activity (an account deactivated since stays)
        if data.owner_id and data.owner_id not in known:
            raise Refused(_("Choose a member of the secretariat."), field="owner_id")
        if set(user_ids) - known:
            raise Refused(_("Choose members of the secretariat."), field="user_ids")
    values = {**data.__dict__, "subject": data.subject.strip(), "body": (data.body or "").strip() or None,
              "contact_ids": contact_ids, "user_ids": user_ids}
    if data.kind == ActivityKind.TASK:
        if data.due_on is None:
            raise Refused(_("Give the task a due date."), field="due_on")
        values["owner_id"] = data.owner_id or getattr(by, "id", None)
    else:
        values["owner_id"] = None
        values["due_on"] = None
    return ActivityData(**values)


def _participants(activity: Activity, data: ActivityData) -> list[str] | None:
    """Set the activity's participants to those of ``data``; their names when they changed, else None."""
    wanted = {("contact", i) for i in data.contact_ids} | {("user", i) for i in data.user_ids}
    current = {("contact", p.contact_id) if p.contact_id else ("user", p.user_id): p for p in activity.participants}
    if set(current) == wanted:
        return None
    for key, participant in current.items():
        if key not in wanted:
            activity.participants.remove(participant)
    for kind, ident in sorted(wanted - set(current)):
        activity.participants.append(ActivityParticipant(contact_id=ident if kind == "contact" else None,
                                                         user_id=ident if kind == "user" else None))
    db.session.flush()
    for participant in activity.participants:
        db.session.refresh(participant)
    return sorted(p.name for p in activity.participants)


def log_activity(org: Organization, data: ActivityData, *, by, links: dict | None = None) -> Activity:
    """A new activity on ``org`` (``links``: ``{"deal_id": 3}``… what it is about, checked by the view)."""
    data = _check(org, data, by=by)
    links = {name: value for name, value in (links or {}).items() if name in LINKS and value}
    activity = Activity(kind=data.kind, occurred_on=data.occurred_on, occurred_time=data.occurred_time,
                        occurred_at=occurred_at(data.occurred_on, data.occurred_time), subject=data.subject,
                        body=data.body, contact_id=data.contact_id, shared=data.shared, owner_id=data.owner_id,
                        due_on=data.due_on, organization_id=org.id, author_id=getattr(by, "id", None), **links)
    db.session.add(activity)
    db.session.flush()
    names = _participants(activity, data)
    changes = {name: [None, getattr(activity, name)] for name in ("organization_id", *COLUMNS, *LINKS)
               if getattr(activity, name) not in (None, "", False)}
    if names:
        changes["participants"] = [None, names]
    audit.record("activity.create", activity, by=by, changes=_readable(changes))
    return activity


def update_activity(activity: Activity, data: ActivityData, *, version, by) -> dict:
    """Save ``data`` on ``activity`` (read at ``version``); the changes, field by field (empty: nothing changed)."""
    check_version(activity, version)
    kept = frozenset({p.user_id for p in activity.participants if p.user_id} | {activity.owner_id} - {None})
    data = _check(activity.organization, data, by=by, kept_users=kept)
    for name in COLUMNS:
        setattr(activity, name, getattr(data, name))
    if activity.kind != ActivityKind.TASK:
        activity.done_at = None
        activity.done_by_id = None
    activity.occurred_at = occurred_at(activity.occurred_on, activity.occurred_time)
    changes = audit.diff(activity, COLUMNS)
    old_names = sorted(p.name for p in activity.participants)
    names = _participants(activity, data)
    if names is not None:
        changes["participants"] = [old_names, names]
    if not changes:
        return {}
    activity.updated_at = datetime.now(UTC)
    db.session.flush()
    audit.record("activity.update", activity, by=by, changes=_readable(changes))
    return changes


def delete_activity(activity: Activity, *, by) -> None:
    """Delete ``activity``: it leaves every page; its tombstone keeps its audit events readable."""
    activity.deleted_at = datetime.now(UTC)
    db.session.flush()
    audit.record("activity.delete", activity, by=by,
                 changes={"kind": [None, activity.kind], "subject": [None, activity.subject],
                          "occurred_on": [None, activity.occurred_on]})


def complete_task(activity: Activity, *, by) -> bool:
    """Mark a task done (False: it already was, nothing changed)."""
    if activity.kind != ActivityKind.TASK:
        raise Refused(_("Only a task can be marked done."))
    if activity.done_at is not None:
        return False
    activity.done_at = datetime.now(UTC)
    activity.done_by_id = getattr(by, "id", None)
    db.session.flush()
    audit.record("activity.done", activity, by=by, changes={"subject": [None, activity.subject]})
    return True


def reopen_task(activity: Activity, *, by) -> bool:
    """Mark a done task as not done (False: it was open, nothing changed)."""
    if activity.kind != ActivityKind.TASK:
        raise Refused(_("Only a task can be reopened."))
    if activity.done_at is None:
        return False
    activity.done_at = None
    activity.done_by_id = None
    db.session.flush()
    audit.record("activity.reopen", activity, by=by, changes={"subject": [None, activity.subject]})
    return True
