"""The tables of activities: what the secretariat logs about an organisation (calls, meetings, emails, notes and
tasks) and who took part in each.

An activity happened on a local (Casablanca) date, at an optional local time; ``occurred_at`` is that moment in
UTC (noon local time when no time was given), the one key the organisation's timeline sorts by together with the
audit events. A deleted activity is kept as a tombstone (``deleted_at``) so that its audit events still name it
on the organisation's timeline; no page shows it any more.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.members.models import Contact, Organization
from club.models import TimestampMixin, VersionedMixin, enum_column
from club.permissions import Role

if TYPE_CHECKING:
    from club.auth.models import User


class ActivityKind(enum.StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    NOTE = "note"
    TASK = "task"


KIND_LABELS = {
    ActivityKind.CALL: _l("Call"),
    ActivityKind.MEETING: _l("Meeting"),
    ActivityKind.EMAIL: _l("Email"),
    ActivityKind.NOTE: _l("Note"),
    ActivityKind.TASK: _l("Task"),
}

# The timeline's filter: each kind, in the plural, and the audit trail ("history").
FILTER_LABELS = {
    "call": _l("Calls"),
    "meeting": _l("Meetings"),
    "email": _l("Emails"),
    "note": _l("Notes"),
    "task": _l("Tasks"),
    "history": _l("History"),
}

KIND_ICONS = {ActivityKind.CALL: "☎", ActivityKind.MEETING: "👥", ActivityKind.EMAIL: "✉", ActivityKind.NOTE: "✎",
              ActivityKind.TASK: "☐"}


OPEN_TASKS = "owner_id IS NOT NULL AND done_at IS NULL AND deleted_at IS NULL"
DONE_TASKS = "done_at IS NOT NULL AND deleted_at IS NULL"


class Activity(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "activities"
    __table_args__ = (
        # An organisation's timeline, newest first (keyset on (occurred_at, id)).
        sa.Index("ix_activities_timeline", "organization_id", "occurred_at", "id"),
        # A contact's activities (the timeline filtered by contact).
        sa.Index("ix_activities_contact", "contact_id", "occurred_at", "id"),
        # A user's open tasks by due date, and their done tasks latest first: each list reads its own partial index
        # in order and stops at its page, and is counted from it alone. (One composite index could not give both
        # orders: PostgreSQL, misjudging how few tasks are open, sorted all 20,000 of them for each page.)
        sa.Index("ix_activities_open_tasks", "owner_id", "due_on", "id", sqlite_where=sa.text(OPEN_TASKS),
                 postgresql_where=sa.text(OPEN_TASKS)),
        sa.Index("ix_activities_done_tasks", "owner_id", "done_at", "id", sqlite_where=sa.text(DONE_TASKS),
                 postgresql_where=sa.text(DONE_TASKS)),
        sa.CheckConstraint("kind = 'task' OR (owner_id IS NULL AND due_on IS NULL AND done_at IS NULL)",
                           name="task_fields_on_tasks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, 16))
    occurred_on: Mapped[date]
    occurred_time: Mapped[time | None] = mapped_column(sa.Time())
    occurred_at: Mapped[datetime]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str | None] = mapped_column(sa.Text)
    shared: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Tasks only.
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # What the activity is about, when logged from one of those pages.
    deal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deals.id", ondelete="SET NULL"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="SET NULL"), index=True)
    mission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("missions.id", ondelete="SET NULL"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id", ondelete="SET NULL"),
                                                     index=True)
    deleted_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    contact: Mapped[Contact | None] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id], lazy="joined")
    participants: Mapped[list[ActivityParticipant]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityParticipant.id")

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The secretariat: every activity (not deleted). A member contact: the activities the secretariat shared
        with their own organisation. Everyone else (partners, applicants): none."""
        alive = cls.deleted_at.is_(None)
        if user.role == Role.SECRETARIAT:
            return alive
        if user.role == Role.MEMBER and user.organization_id is not None:
            return sa.and_(alive, cls.shared.is_(True), cls.organization_id == user.organization_id)
        return sa.false()

    @property
    def is_task(self) -> bool:
        return self.kind == ActivityKind.TASK

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: date) -> bool:
        return self.is_task and not self.is_done and self.due_on is not None and self.due_on < today

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    def __repr__(self) -> str:
        return f"<Activity {self.kind} {self.subject!r}>"


class ActivityParticipant(db.Model):
    """Who took part: a contact of the activity's organisation, or a user of the club (the secretariat)."""

    __tablename__ = "activity_participants"
    __table_args__ = (
        sa.CheckConstraint("(contact_id IS NULL) <> (user_id IS NULL)", name="contact_or_user"),
        sa.UniqueConstraint("activity_id", "contact_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)

    activity: Mapped[Activity] = relationship(back_populates="participants")
    contact: Mapped[Contact | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return self.contact.name if self.contact is not None else (self.user.name if self.user else "")
