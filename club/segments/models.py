"""The tables of segments: tags (on organisations and contacts), segments (saved register views) and bulk actions
with the records each one affected.

``organization_tags`` is declared in ``club.members.models`` (the register filters by it without importing this
domain); ``contact_tags`` lives here."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.auth.models import User
from club.core.text import fold
from club.extensions import db
from club.members.models import organization_tags  # noqa: F401 - re-exported: the tag's organisations
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow
from club.permissions import Role

# Colours a tag may take: Bootstrap's badge pairs, each readable at WCAG AA (text on background >= 4.5:1).
TAG_COLOURS: dict[str, tuple[Any, str]] = {
    "grey": (_l("Grey"), "text-bg-secondary"),
    "blue": (_l("Blue"), "text-bg-primary"),
    "green": (_l("Green"), "text-bg-success"),
    "red": (_l("Red"), "text-bg-danger"),
    "yellow": (_l("Yellow"), "text-bg-warning"),
    "cyan": (_l("Cyan"), "text-bg-info"),
    "dark": (_l("Black"), "text-bg-dark"),
}
DEFAULT_COLOUR = "grey"


def tag_key(name: str) -> str:
    return fold(" ".join((name or "").split()))[:60]


class Tag(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    # Folded name: "Jerada" and "jérada " are one tag.
    name_key: Mapped[str] = mapped_column(sa.String(60), unique=True)
    colour: Mapped[str | None] = mapped_column(sa.String(16))

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """Tags are the secretariat's working tool: no one else sees them."""
        return sa.true() if user.role == Role.SECRETARIAT else sa.false()

    @property
    def badge(self) -> str:
        return TAG_COLOURS.get(self.colour or DEFAULT_COLOUR, TAG_COLOURS[DEFAULT_COLOUR])[1]

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"


contact_tags = sa.Table(
    "contact_tags",
    db.Model.metadata,
    sa.Column("contact_id", sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_contact_tags_tag_id", "tag_id", "contact_id"),
)


class Segment(TimestampMixin, VersionedMixin, db.Model):
    """A saved view of the register: its query arguments (``filters``, the register's own, tags included)."""

    __tablename__ = "segments"
    __table_args__ = (sa.Index("ix_segments_shared", "is_shared", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_shared: Mapped[bool] = mapped_column(default=False)
    filters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    owner: Mapped[User] = relationship()

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The secretariat's own segments and those shared with the secretariat; no one else's."""
        if user.role != Role.SECRETARIAT:
            return sa.false()
        return sa.or_(cls.owner_id == user.id, cls.is_shared.is_(True))

    def can_edit(self, user) -> bool:
        """A shared segment is the secretariat's: any of them renames it; a private one only its owner."""
        return user.role == Role.SECRETARIAT and (self.is_shared or self.owner_id == user.id)


class BulkKind(enum.StrEnum):
    TAG = "tag"
    UNTAG = "untag"
    STATUS = "status"


BULK_KIND_LABELS = {
    BulkKind.TAG: _l("Tag"),
    BulkKind.UNTAG: _l("Untag"),
    BulkKind.STATUS: _l("Change membership status"),
}


class BulkState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


BULK_STATE_LABELS = {
    BulkState.QUEUED: _l("Waiting for the worker"),
    BulkState.RUNNING: _l("Running"),
    BulkState.DONE: _l("Done"),
    BulkState.FAILED: _l("Failed"),
}


class BulkAction(db.Model):
    """One action on many organisations: what, on which selection (register filters and/or ids), by whom, and
    how far it went; ``BulkActionItem`` rows list the records it changed."""

    __tablename__ = "bulk_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BulkKind] = mapped_column(enum_column(BulkKind, 16))
    state: Mapped[BulkState] = mapped_column(enum_column(BulkState, 16), default=BulkState.QUEUED)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    segment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("segments.id", ondelete="SET NULL"), index=True)
    tag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tags.id", ondelete="SET NULL"), index=True)
    # What the action was, readable even once its tag is deleted: {"tag": name, "status": value}.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The selection: the register's filter arguments, and the ticked ids (empty: every row matching).
    filters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    audience: Mapped[str | None] = mapped_column(sa.String(200))
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    by: Mapped[User | None] = relationship()

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        return sa.true() if user.role == Role.SECRETARIAT else sa.false()

    @property
    def is_finished(self) -> bool:
        return self.state in (BulkState.DONE, BulkState.FAILED)


class BulkActionItem(db.Model):
    """A record a bulk action changed (``changed``) or left alone (a transition not allowed: ``skipped``)."""

    __tablename__ = "bulk_action_items"
    __table_args__ = (sa.Index("ix_bulk_action_items_organization_id", "organization_id"),)

    bulk_action_id: Mapped[int] = mapped_column(sa.ForeignKey("bulk_actions.id", ondelete="CASCADE"),
                                                primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    skipped: Mapped[bool] = mapped_column(default=False)
