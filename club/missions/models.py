"""Missions: delegations, club meetings and visits, with registrations, waitlists, invitations and outcomes."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.members.models import Organization, Site
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow
from club.permissions import Role

if TYPE_CHECKING:
    from club.auth.models import User
    from club.deals.models import Deal
    from club.members.models import Contact


class MissionKind(enum.StrEnum):
    STUDY_VISIT = "study_visit"
    TRADE_MISSION = "trade_mission"
    B2B_MEETINGS = "b2b_meetings"
    RECRUITMENT_FAIR = "recruitment_fair"
    CLUB_MEETING = "club_meeting"


KIND_LABELS = {
    MissionKind.STUDY_VISIT: _l("Study visit"),
    MissionKind.TRADE_MISSION: _l("Trade mission"),
    MissionKind.B2B_MEETINGS: _l("B2B meetings"),
    MissionKind.RECRUITMENT_FAIR: _l("Recruitment fair"),
    MissionKind.CLUB_MEETING: _l("Club meeting"),
}


class MissionState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DONE = "done"
    CANCELLED = "cancelled"


STATE_LABELS = {
    MissionState.DRAFT: _l("Draft"),
    MissionState.OPEN: _l("Open for registration"),
    MissionState.CLOSED: _l("Registration closed"),
    MissionState.DONE: _l("Done"),
    MissionState.CANCELLED: _l("Cancelled"),
}

# The one table of allowed moves (checked in services.transition, tested exhaustively).
TRANSITIONS: dict[MissionState, frozenset[MissionState]] = {
    MissionState.DRAFT: frozenset({MissionState.OPEN, MissionState.CANCELLED}),
    MissionState.OPEN: frozenset({MissionState.CLOSED, MissionState.CANCELLED}),
    MissionState.CLOSED: frozenset({MissionState.OPEN, MissionState.DONE, MissionState.CANCELLED}),
    MissionState.DONE: frozenset(),
    MissionState.CANCELLED: frozenset(),
}

# Label of the button that makes each move.
TRANSITION_LABELS = {
    MissionState.OPEN: _l("Open registration"),
    MissionState.CLOSED: _l("Close registration"),
    MissionState.DONE: _l("Mark as done"),
    MissionState.CANCELLED: _l("Cancel the mission"),
}

# States a member (and a partner) may see: everything but drafts.
PUBLISHED_STATES = (MissionState.OPEN, MissionState.CLOSED, MissionState.DONE, MissionState.CANCELLED)


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.REGISTERED: _l("Registered"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.ATTENDED: _l("Attended"),
}

# Statuses that hold a seat.
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)
# Statuses that count against an organisation's seats (a waitlisted person is already one of them).
ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.WAITLISTED)


mission_partners = sa.Table(
    "mission_partners",
    db.metadata,
    sa.Column("mission_id", sa.ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class Mission(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "missions"
    __table_args__ = (
        sa.CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("seats_per_organization IS NULL OR seats_per_organization >= 1",
                           name="seats_positive"),
        sa.Index("ix_missions_starts_at_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MissionKind] = mapped_column(enum_column(MissionKind), index=True)
    destination: Mapped[str] = mapped_column(sa.String(200))
    site: Mapped[Site | None] = mapped_column(enum_column(Site))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    objectives: Mapped[str | None] = mapped_column(sa.Text)
    capacity: Mapped[int]
    seats_per_organization: Mapped[int | None]
    registration_deadline: Mapped[datetime | None]
    state: Mapped[MissionState] = mapped_column(enum_column(MissionState, 16), default=MissionState.DRAFT,
                                                index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                         index=True)

    partners: Mapped[list[Organization]] = relationship(secondary=mission_partners, order_by=Organization.name)
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="mission", cascade="all, delete-orphan",
        order_by=lambda: [AgendaItem.day, AgendaItem.starts_at, AgendaItem.id],
    )
    report: Mapped[MissionReport | None] = relationship(back_populates="mission", uselist=False,
                                                           cascade="all, delete-orphan")

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def next_states(self) -> list[MissionState]:
        return [s for s in MissionState if s in TRANSITIONS[self.state]]

    def deadline_passed(self, now: datetime | None = None) -> bool:
        return self.registration_deadline is not None and (now or utcnow()) > self.registration_deadline

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The missions ``user`` (signed in) may see, as SQL: the secretariat all of them; a member every
        published one; a partner the published ones their organisation partners or has people on (not
        cancelled); anyone else none. Correlated on ``Mission`` only, so the outer query may itself join
        registrations or partners."""
        if user.role == Role.SECRETARIAT:
            return sa.true()
        published = cls.state.in_(PUBLISHED_STATES)
        if user.role == Role.MEMBER:
            return published
        if user.role == Role.PARTNER and user.organization_id:
            partner = sa.exists().where(mission_partners.c.mission_id == cls.id,
                                        mission_partners.c.organization_id == user.organization_id).correlate(cls)
            registered = sa.exists().where(Registration.mission_id == cls.id,
                                           Registration.organization_id == user.organization_id,
                                           Registration.status != RegistrationStatus.CANCELLED).correlate(cls)
            return sa.and_(published, sa.or_(partner, registered))
        return sa.false()

    def can_edit(self, user) -> bool:
        return bool(user.is_authenticated and user.role == Role.SECRETARIAT)

    def __repr__(self) -> str:
        return f"<Mission {self.id} {self.title!r} {self.state}>"


class AgendaItem(db.Model):
    __tablename__ = "mission_agenda_items"
    __table_args__ = (sa.Index("ix_mission_agenda_items_mission_day", "mission_id", "day", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id", ondelete="CASCADE"))
    day: Mapped[date]
    starts_at: Mapped[time | None] = mapped_column(sa.Time)
    place: Mapped[str | None] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200))

    mission: Mapped[Mission] = relationship(back_populates="agenda")


class Registration(TimestampMixin, db.Model):
    """One person (a contact of an organisation) on a mission: seat, waiting list, cancellation, attendance."""

    __tablename__ = "mission_registrations"
    __table_args__ = (
        sa.UniqueConstraint("mission_id", "contact_id", name="uq_mission_registrations_mission_contact"),
        sa.Index("ix_mission_registrations_mission_status", "mission_id", "status", "queued_at", "id"),
        sa.Index("ix_mission_registrations_org_mission", "organization_id", "mission_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus, 16))
    # Order of the waiting list: when the person (last) joined it or took a seat.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                            index=True)
    cancelled_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]

    mission: Mapped[Mission] = relationship()
    contact: Mapped[Contact] = relationship()
    organization: Mapped[Organization] = relationship()
    registered_by: Mapped[User | None] = relationship()

    @property
    def status_label(self):
        return REGISTRATION_STATUS_LABELS[self.status]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class InvitationAnswer(enum.StrEnum):
    REGISTERED = "registered"
    DECLINED = "declined"


class Invitation(db.Model):
    """A contact invited to a mission. The email carries a signed link (``services.invitation_token``:
    no token is stored) with which they accept or decline without an account; members can also answer
    for their people on the mission page."""

    __tablename__ = "mission_invitations"
    __table_args__ = (
        sa.UniqueConstraint("mission_id", "contact_id", name="uq_mission_invitations_mission_contact"),
        sa.Index("ix_mission_invitations_mission_org", "mission_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    answer: Mapped[InvitationAnswer | None] = mapped_column(enum_column(InvitationAnswer, 16))
    answered_at: Mapped[datetime | None]

    mission: Mapped[Mission] = relationship()
    contact: Mapped[Contact] = relationship()
    organization: Mapped[Organization] = relationship()


class MissionReport(VersionedMixin, db.Model):
    __tablename__ = "mission_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id", ondelete="CASCADE"), unique=True)
    outcomes: Mapped[str | None] = mapped_column(sa.Text)
    contacts_made: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    mission: Mapped[Mission] = relationship(back_populates="report")


class FollowUpAction(TimestampMixin, db.Model):
    __tablename__ = "mission_actions"
    __table_args__ = (sa.Index("ix_mission_actions_mission_due", "mission_id", "due_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(sa.String(300))
    # Who carries it: an organisation (e.g. Saccom) and/or a named person.
    owner_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    owner_name: Mapped[str | None] = mapped_column(sa.String(120))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]

    owner_organization: Mapped[Organization | None] = relationship()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class MissionOutcome(db.Model):
    """An organisation the mission produced (a company that settled, a partner won...)."""

    __tablename__ = "mission_outcomes"

    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True, index=True)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    organization: Mapped[Organization] = relationship()


class MissionDeal(db.Model):
    """A deal a mission led to (an MoU signed after a visit, an investment met at B2B meetings...)."""

    __tablename__ = "mission_deals"

    mission_id: Mapped[int] = mapped_column(sa.ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True, index=True)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    deal: Mapped[Deal] = relationship()
    mission: Mapped[Mission] = relationship()
