"""Calls for applications, applications, their workflow, reviews and scores.

The allowed moves of an application are ONE table (``TRANSITIONS``), checked by the services.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.members.models import Province
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow

if TYPE_CHECKING:
    from club.auth.models import User
    from club.core.storage import StoredFile
    from club.members.models import Organization


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user.role, "value", user.role)


# Each model users open has ONE visibility rule, a SQL condition (``Model.visible_to(user)``), asked by
# ``permissions.get_visible_or_404`` / ``permissions.is_visible`` and by every list and search query.


class Call(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "incubator_calls"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("review_round IN (1, 2)", name="review_round_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    opens_at: Mapped[datetime] = mapped_column(index=True)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    capacity: Mapped[int]
    is_blind_first_round: Mapped[bool] = mapped_column(default=True)
    # 1 while the first (possibly blind) round runs; the secretariat opens round 2, names revealed.
    review_round: Mapped[int] = mapped_column(default=1, server_default="1")

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position"
    )

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at

    @classmethod
    def open_condition(cls, now: datetime | None = None) -> sa.ColumnElement[bool]:
        """``is_open`` in SQL."""
        now = now or utcnow()
        return sa.and_(cls.opens_at <= now, cls.closes_at > now)

    @classmethod
    def blind_condition(cls) -> sa.ColumnElement[bool]:
        """``is_blind`` in SQL: reviewers see no names in this call's current round."""
        return sa.and_(cls.is_blind_first_round.is_(True), cls.review_round == 1)

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The secretariat sees every call; anyone else (signed in or not: the call page is public) the open
        ones."""
        return sa.true() if _role(user) == "secretariat" else cls.open_condition()

    @classmethod
    def visible_to_visitors(cls) -> sa.ColumnElement[bool]:
        """Visitors (signed out) see the open calls: the call page is public."""
        return cls.open_condition()

    @property
    def is_blind(self) -> bool:
        """Whether reviewers see applications without names in the current round."""
        return self.is_blind_first_round and self.review_round == 1

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)


class Criterion(db.Model):
    """One weighted criterion of a call's scoring rubric."""

    __tablename__ = "incubator_criteria"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "name", name="uq_incubator_criteria_call_name"),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(120))
    weight: Mapped[int] = mapped_column(default=1)
    low_anchor: Mapped[str] = mapped_column(sa.String(300), default="")  # what a 1 means
    high_anchor: Mapped[str] = mapped_column(sa.String(300), default="")  # what a 5 means

    call: Mapped[Call] = relationship(back_populates="criteria")


class Status(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    INTERVIEW = "interview"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    INCUBATED = "incubated"
    GRADUATED = "graduated"
    DROPPED = "dropped"


STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SUBMITTED: _l("Submitted"),
    Status.SCREENING: lazy_pgettext("application status", "Screening"),
    Status.INTERVIEW: _l("Interview"),
    Status.ACCEPTED: _l("Accepted"),
    Status.WAITLISTED: _l("Waitlisted"),
    Status.REJECTED: lazy_pgettext("application status", "Rejected"),
    Status.WITHDRAWN: _l("Withdrawn"),
    Status.INCUBATED: _l("Incubated"),
    Status.GRADUATED: _l("Graduated"),
    Status.DROPPED: lazy_pgettext("application status", "Dropped"),
}

# The one table of allowed moves. "Open" states may be withdrawn; the rest is the secretariat's.
OPEN_STATES = frozenset({Status.DRAFT, Status.SUBMITTED, Status.SCREENING, Status.INTERVIEW,
                         Status.WAITLISTED, Status.ACCEPTED})
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.SCREENING, Status.WITHDRAWN}),
    Status.SCREENING: frozenset({Status.INTERVIEW, Status.REJECTED, Status.WITHDRAWN}),
    Status.INTERVIEW: frozenset({Status.ACCEPTED, Status.WAITLISTED, Status.REJECTED, Status.WITHDRAWN}),
    Status.WAITLISTED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN}),
    Status.ACCEPTED: frozenset({Status.INCUBATED, Status.WITHDRAWN}),
    Status.INCUBATED: frozenset({Status.GRADUATED, Status.DROPPED}),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.GRADUATED: frozenset(),
    Status.DROPPED: frozenset(),
}
# Moves only the applicant makes (the secretariat never submits for them).
APPLICANT_MOVES = frozenset({(Status.DRAFT, Status.SUBMITTED)} | {(s, Status.WITHDRAWN) for s in OPEN_STATES})
COHORT_STATES = (Status.ACCEPTED, Status.INCUBATED, Status.GRADUATED, Status.DROPPED)
TO_SCREEN_STATES = (Status.SUBMITTED, Status.SCREENING)


def may_move(from_status: Status, to_status: Status) -> bool:
    return to_status in TRANSITIONS[from_status]


class Stage(enum.StrEnum):
    IDEA = "idea"
    PROTOTYPE = "prototype"
    FIRST_CUSTOMERS = "first_customers"
    GROWTH = "growth"


STAGE_LABELS = {
    Stage.IDEA: _l("Idea"),
    Stage.PROTOTYPE: _l("Prototype"),
    Stage.FIRST_CUSTOMERS: _l("First customers"),
    Stage.GROWTH: _l("Growth"),
}


class Application(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "incubator_applications"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "applicant_id", name="uq_incubator_applications_call_applicant"),
        sa.CheckConstraint("jobs_12m IS NULL OR jobs_12m >= 0", name="jobs_12m_positive"),
        sa.CheckConstraint("jobs_36m IS NULL OR jobs_36m >= 0", name="jobs_36m_positive"),
        sa.Index("ix_incubator_applications_call_status", "call_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_calls.id", ondelete="RESTRICT"))
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[Status] = mapped_column(enum_column(Status, 16), default=Status.DRAFT)
    startup_name: Mapped[str] = mapped_column(sa.String(200), default="")
    project_title: Mapped[str] = mapped_column(sa.String(200), default="")
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    market: Mapped[str] = mapped_column(sa.Text, default="")
    business_model: Mapped[str] = mapped_column(sa.Text, default="")
    stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, 16))
    team: Mapped[str] = mapped_column(sa.Text, default="")  # the founders and team
    needs: Mapped[str] = mapped_column(sa.Text, default="")
    jobs_12m: Mapped[int | None]
    jobs_36m: Mapped[int | None]
    province: Mapped[Province | None] = mapped_column(enum_column(Province))
    consent_at: Mapped[datetime | None]  # agreed to data processing (law 09-08)
    submitted_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    organization: Mapped[Organization | None] = relationship()
    decks: Mapped[list[DeckVersion]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="DeckVersion.number.desc()"
    )
    changes: Mapped[list[StatusChange]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="StatusChange.id"
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Message.id"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Review.id"
    )

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def deck(self) -> DeckVersion | None:
        return self.decks[0] if self.decks else None

    @property
    def display_name(self) -> str:
        return self.startup_name or self.project_title or f"#{self.id}"

    def is_owned_by(self, user) -> bool:
        return _role(user) == "applicant" and self.applicant_id == user.id

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The secretariat, the applicant who owns it, and reviewers assigned to it (no conflict declared)."""
        role = _role(user)
        if role == "secretariat":
            return sa.true()
        if role == "applicant":
            return cls.applicant_id == user.id
        if role == "partner":
            return sa.exists().where(Review.application_id == cls.id, Review.visible_to(user))
        return sa.false()

    def can_edit(self, user) -> bool:
        return self.is_owned_by(user) and self.status == Status.DRAFT


class DeckVersion(db.Model):
    """Every pitch deck uploaded for an application; the highest number is the current one."""

    __tablename__ = "incubator_deck_versions"
    __table_args__ = (sa.UniqueConstraint("application_id", "number", name="uq_incubator_deck_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    stored_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    application: Mapped[Application] = relationship(back_populates="decks")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class StatusChange(db.Model):
    """One move of an application (the timeline the applicant sees)."""

    __tablename__ = "incubator_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[Status | None] = mapped_column(enum_column(Status, 16))
    to_status: Mapped[Status] = mapped_column(enum_column(Status, 16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    application: Mapped[Application] = relationship(back_populates="changes")
    by: Mapped[User | None] = relationship()

    @property
    def to_label(self):
        return STATUS_LABELS[self.to_status]


class Message(db.Model):
    """The thread between an applicant and the secretariat (requests for information and answers)."""

    __tablename__ = "incubator_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    from_secretariat: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class Recommendation(enum.StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


RECOMMENDATION_LABELS = {
    Recommendation.YES: _l("Yes"),
    Recommendation.MAYBE: _l("Maybe"),
    Recommendation.NO: _l("No"),
}


class Review(TimestampMixin, VersionedMixin, db.Model):
    """A reviewer's assignment to an application, their conflict declaration, then their scores."""

    __tablename__ = "incubator_reviews"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "reviewer_id", name="uq_incubator_reviews_application_reviewer"),
        sa.CheckConstraint("NOT (is_final AND has_conflict IS NOT NULL AND has_conflict)", name="final_no_conflict"),
        sa.Index("ix_incubator_reviews_reviewer_final", "reviewer_id", "is_final"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # None until the reviewer declares; True removes them from the application (the row stays, as a record).
    has_conflict: Mapped[bool | None]
    conflict_note: Mapped[str | None] = mapped_column(sa.String(1000))
    declared_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    recommendation: Mapped[Recommendation | None] = mapped_column(enum_column(Recommendation, 8))
    is_final: Mapped[bool] = mapped_column(default=False)
    finalized_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    scores: Mapped[list[Score]] = relationship(back_populates="review", cascade="all, delete-orphan")

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """Only the reviewer (secretariat or partner), and only while no conflict is declared."""
        if _role(user) not in ("secretariat", "partner"):
            return sa.false()
        return sa.and_(cls.reviewer_id == user.id, cls.has_conflict.is_not(True))

    @property
    def score_by_criterion(self) -> dict[int, int]:
        return {s.criterion_id: s.value for s in self.scores}

    @property
    def recommendation_label(self):
        return RECOMMENDATION_LABELS[self.recommendation] if self.recommendation else None


class Score(db.Model):
    __tablename__ = "incubator_scores"
    __table_args__ = (sa.CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),)

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("incubator_reviews.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incubator_criteria.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="scores")
