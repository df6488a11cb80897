"""Programmes (partners, funders, indicators and their figures, beneficiaries, milestones, progress reports,
documents) and awards.

Who sees what, in one place (each model's ``visible_to``):

- the secretariat: everything;
- the lead organisation's member contacts: their programmes (any state), beneficiaries, reports, documents (a
  partner-role account of the lead organisation sees what a partner sees);
- a partner organisation's people: the programme (not a draft), its indicators, milestones and accepted reports;
  beneficiaries only as aggregates, never one by one;
- other members and partners: the public description of active and closed programmes;
- applicants: no programme (404);
- awards are public distinctions: every signed-in role but applicants sees them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.members.models import Contact, JobReport, Organization, Province
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow
from club.permissions import Role

if TYPE_CHECKING:
    from club.auth.models import User
    from club.core.storage import StoredFile


class ProgrammeKind(enum.StrEnum):
    YOUTH_EMPLOYMENT = "youth_employment"
    TRAINING = "training"
    ENTREPRENEURSHIP = "entrepreneurship"
    EXHIBITION = "exhibition"
    OTHER = "other"


KIND_LABELS = {
    ProgrammeKind.YOUTH_EMPLOYMENT: _l("Youth employment"),
    ProgrammeKind.TRAINING: _l("Training"),
    ProgrammeKind.ENTREPRENEURSHIP: _l("Entrepreneurship"),
    ProgrammeKind.EXHIBITION: _l("Exhibition"),
    ProgrammeKind.OTHER: _l("Other"),
}


class ProgrammeState(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    CANCELLED = "cancelled"


STATE_LABELS = {
    ProgrammeState.DRAFT: _l("Draft"),
    ProgrammeState.ACTIVE: _l("Active"),
    ProgrammeState.CLOSED: _l("Closed"),
    ProgrammeState.CANCELLED: lazy_pgettext("programme", "Cancelled"),
}

# The one table of allowed moves (checked in services.transition, tested exhaustively).
TRANSITIONS: dict[ProgrammeState, frozenset[ProgrammeState]] = {
    ProgrammeState.DRAFT: frozenset({ProgrammeState.ACTIVE, ProgrammeState.CANCELLED}),
    ProgrammeState.ACTIVE: frozenset({ProgrammeState.CLOSED, ProgrammeState.CANCELLED}),
    ProgrammeState.CLOSED: frozenset(),
    ProgrammeState.CANCELLED: frozenset(),
}

TRANSITION_LABELS = {
    ProgrammeState.ACTIVE: _l("Launch the programme"),
    ProgrammeState.CLOSED: _l("Close the programme"),
    ProgrammeState.CANCELLED: _l("Cancel the programme"),
}

# What people outside the programme see (its public description): launched programmes, not drafts nor cancelled.
PUBLIC_STATES = (ProgrammeState.ACTIVE, ProgrammeState.CLOSED)


class PartnerRole(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    FUNDER = "funder"
    TRAINING_BODY = "training_body"
    EMPLOYER = "employer"
    OTHER = "other"


PARTNER_ROLE_LABELS = {
    PartnerRole.LOCAL_AUTHORITY: _l("Local authority"),
    PartnerRole.FUNDER: _l("Funder"),
    PartnerRole.TRAINING_BODY: _l("Training body"),
    PartnerRole.EMPLOYER: _l("Employer"),
    PartnerRole.OTHER: _l("Other partner"),
}


class Access(enum.IntEnum):
    """How much of a programme a person sees (``Programme.access_of``), in increasing order."""

    NONE = 0
    PUBLIC = 1    # its public description
    PARTNER = 2   # + indicators, milestones, accepted reports, aggregates of beneficiaries
    LEAD = 3      # + beneficiaries, every report, documents; writes beneficiaries, figures, reports
    SECRETARIAT = 4


class Programme(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "programmes"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("budget IS NULL OR budget >= 0", name="budget_positive"),
        sa.Index("ix_programmes_state_starts", "state", "starts_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[ProgrammeKind] = mapped_column(enum_column(ProgrammeKind), index=True)
    lead_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"),
                                                      index=True)
    province: Mapped[Province | None] = mapped_column(enum_column(Province), index=True)
    communes: Mapped[str | None] = mapped_column(sa.String(300))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    summary: Mapped[str | None] = mapped_column(sa.Text)       # the public description
    objectives: Mapped[str | None] = mapped_column(sa.Text)
    budget: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    state: Mapped[ProgrammeState] = mapped_column(enum_column(ProgrammeState, 16), default=ProgrammeState.DRAFT)
    # The mission follow-up action this programme came from (the club's first meeting -> the Jerada activity).
    mission_action_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mission_actions.id", ondelete="SET NULL"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    lead: Mapped[Organization] = relationship()
    partners: Mapped[list[ProgrammePartner]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammePartner.position")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Indicator.position")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Milestone.due_on")

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def next_states(self) -> list[ProgrammeState]:
        return [s for s in ProgrammeState if s in TRANSITIONS[self.state]]

    @property
    def province_label(self):
        from club.members.models import PROVINCE_LABELS
        return PROVINCE_LABELS[self.province] if self.province else None

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The programmes ``user`` may open at some level (see the module's docstring)."""
        if user.role == Role.SECRETARIAT:
            return sa.true()
        if user.role not in (Role.MEMBER, Role.PARTNER):
            return sa.false()
        public = cls.state.in_(PUBLIC_STATES)
        if not user.organization_id:
            return public
        lead = cls.lead_organization_id == user.organization_id
        partner = sa.and_(cls.state != ProgrammeState.DRAFT, cls.partner_condition(user.organization_id))
        return sa.or_(public, lead, partner)

    @classmethod
    def partner_condition(cls, organization_id: int) -> sa.ColumnElement[bool]:
        return sa.exists().where(ProgrammePartner.programme_id == cls.id,
                                 ProgrammePartner.organization_id == organization_id).correlate(cls)

    @classmethod
    def led_by(cls, user) -> sa.ColumnElement[bool]:
        """The programmes whose people ``user`` manages one by one: all for the secretariat, and its programmes for
        a *member* contact of the lead organisation (a partner-role account of that organisation sees what a
        partner sees: the issue gives the lead's member contacts the people, no one else)."""
        if user.role == Role.SECRETARIAT:
            return sa.true()
        if user.role == Role.MEMBER and user.organization_id:
            return cls.lead_organization_id == user.organization_id
        return sa.false()

    @classmethod
    def shared_with(cls, organization_id: int) -> sa.ColumnElement[bool]:
        """Launched programmes ``organization_id`` takes part in, as a partner or as the lead: what its partner-level
        people see (indicators, milestones, accepted reports)."""
        return sa.and_(cls.state != ProgrammeState.DRAFT,
                       sa.or_(cls.partner_condition(organization_id), cls.lead_organization_id == organization_id))

    def access_of(self, user) -> Access:
        if not user.is_authenticated:
            return Access.NONE
        if user.role == Role.SECRETARIAT:
            return Access.SECRETARIAT
        if user.role not in (Role.MEMBER, Role.PARTNER):
            return Access.NONE
        lead = bool(user.organization_id) and user.organization_id == self.lead_organization_id
        if lead and user.role == Role.MEMBER:
            return Access.LEAD
        if user.organization_id and (lead or any(p.organization_id == user.organization_id for p in self.partners)) \
                and (lead or self.state != ProgrammeState.DRAFT):
            return Access.PARTNER
        return Access.PUBLIC if self.state in PUBLIC_STATES else Access.NONE

    def __repr__(self) -> str:
        return f"<Programme {self.id} {self.title!r} {self.state}>"


class ProgrammePartner(VersionedMixin, db.Model):
    """An organisation taking part in a programme, with its role and, for a funder, its share of the budget."""

    __tablename__ = "programme_partners"
    __table_args__ = (sa.CheckConstraint("funding IS NULL OR funding >= 0", name="funding_positive"),)

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True, index=True)
    role: Mapped[PartnerRole] = mapped_column(enum_column(PartnerRole))
    funding: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="partners")
    organization: Mapped[Organization] = relationship()

    @property
    def role_label(self):
        return PARTNER_ROLE_LABELS[self.role]


class IndicatorSource(enum.StrEnum):
    """Where an indicator's result comes from: counted from the beneficiaries, or dated figures entered by the
    lead. Never both for one indicator."""

    BENEFICIARIES = "beneficiaries"
    FIGURES = "figures"


SOURCE_LABELS = {
    IndicatorSource.BENEFICIARIES: _l("Counted from the beneficiaries"),
    IndicatorSource.FIGURES: _l("Figures entered by the lead"),
}


class Measure(enum.StrEnum):
    """What an indicator counts among the beneficiaries (each counts everyone who reached that step, so a placed
    person also counts as enrolled and trained; a person who left counts where they had reached)."""

    ENROLLED = "enrolled"
    TRAINED = "trained"
    PLACED = "placed"
    WOMEN_ENROLLED = "women_enrolled"
    WOMEN_TRAINED = "women_trained"
    WOMEN_PLACED = "women_placed"


MEASURE_LABELS = {
    Measure.ENROLLED: _l("Enrolled"),
    Measure.TRAINED: _l("Trained"),
    Measure.PLACED: _l("Placed in a job"),
    Measure.WOMEN_ENROLLED: _l("Women enrolled"),
    Measure.WOMEN_TRAINED: _l("Women trained"),
    Measure.WOMEN_PLACED: _l("Women placed in a job"),
}


class Indicator(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "programme_indicators"
    __table_args__ = (
        sa.CheckConstraint("target >= 0", name="target_positive"),
        sa.CheckConstraint("(source = 'beneficiaries') = (measure IS NOT NULL)", name="measure_iff_counted"),
        sa.UniqueConstraint("programme_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[IndicatorSource] = mapped_column(enum_column(IndicatorSource, 16))
    measure: Mapped[Measure | None] = mapped_column(enum_column(Measure, 24))
    target: Mapped[int]
    target_on: Mapped[date | None]
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="indicators")
    figures: Mapped[list[IndicatorFigure]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan",
        order_by="[IndicatorFigure.measured_on.desc(), IndicatorFigure.id.desc()]")

    @property
    def source_label(self):
        return SOURCE_LABELS[self.source]


class IndicatorFigure(db.Model):
    """A dated figure for an indicator measured by the lead: the result to date (the latest figure counts)."""

    __tablename__ = "programme_indicator_figures"
    __table_args__ = (
        sa.CheckConstraint("value >= 0", name="value_positive"),
        sa.Index("ix_programme_indicator_figures_indicator_date", "indicator_id", "measured_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_indicators.id", ondelete="CASCADE"))
    measured_on: Mapped[date]
    value: Mapped[int]
    note: Mapped[str | None] = mapped_column(sa.String(300))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="figures")


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNSTATED = "unstated"


GENDER_LABELS = {Gender.FEMALE: _l("Woman"), Gender.MALE: _l("Man"), Gender.UNSTATED: _l("Not stated")}


class AgeBand(enum.StrEnum):
    UNDER_18 = "under_18"
    FROM_18_TO_24 = "18_24"
    FROM_25_TO_29 = "25_29"
    FROM_30_TO_34 = "30_34"
    OVER_34 = "35_plus"


AGE_BAND_LABELS = {
    AgeBand.UNDER_18: _l("Under 18"),
    AgeBand.FROM_18_TO_24: _l("18 to 24"),
    AgeBand.FROM_25_TO_29: _l("25 to 29"),
    AgeBand.FROM_30_TO_34: _l("30 to 34"),
    AgeBand.OVER_34: _l("35 and over"),
}


class BeneficiaryStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    IN_TRAINING = "in_training"
    TRAINED = "trained"
    PLACED = "placed"
    LEFT = "left"


BENEFICIARY_STATUS_LABELS = {
    BeneficiaryStatus.ENROLLED: _l("Enrolled"),
    BeneficiaryStatus.IN_TRAINING: _l("In training"),
    BeneficiaryStatus.TRAINED: _l("Trained"),
    BeneficiaryStatus.PLACED: _l("Placed in a job"),
    BeneficiaryStatus.LEFT: _l("Left the programme"),
}

BENEFICIARY_TRANSITIONS: dict[BeneficiaryStatus, frozenset[BeneficiaryStatus]] = {
    BeneficiaryStatus.ENROLLED: frozenset({BeneficiaryStatus.IN_TRAINING, BeneficiaryStatus.LEFT}),
    BeneficiaryStatus.IN_TRAINING: frozenset({BeneficiaryStatus.TRAINED, BeneficiaryStatus.LEFT}),
    BeneficiaryStatus.TRAINED: frozenset({BeneficiaryStatus.PLACED, BeneficiaryStatus.LEFT}),
    BeneficiaryStatus.PLACED: frozenset({BeneficiaryStatus.LEFT}),
    BeneficiaryStatus.LEFT: frozenset(),
}


class Beneficiary(TimestampMixin, VersionedMixin, db.Model):
    """A person taking part in a programme. Personal data (law 09-08): seen only by the secretariat and the lead,
    kept only with a recorded consent."""

    __tablename__ = "programme_beneficiaries"
    __table_args__ = (
        sa.CheckConstraint("placed_on IS NULL OR placed_on >= enrolled_on", name="placed_after_enrolment"),
        sa.CheckConstraint("left_on IS NULL OR left_on >= enrolled_on", name="left_after_enrolment"),
        sa.CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year_range"),
        sa.Index("ix_programme_beneficiaries_programme_name", "programme_id", "name_key", "id"),
        sa.Index("ix_programme_beneficiaries_programme_status", "programme_id", "status", "id"),
        # Covers the grouped count behind indicators and aggregates (queries.programmes.tally).
        sa.Index("ix_programme_beneficiaries_tally", "programme_id", "status", "gender", "trained_on", "placed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(120))           # folded, for search and duplicates
    birth_year: Mapped[int | None]
    age_band: Mapped[AgeBand | None] = mapped_column(enum_column(AgeBand, 16))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, 16))
    commune: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    consent_on: Mapped[date]                                         # consent to processing (law 09-08)
    status: Mapped[BeneficiaryStatus] = mapped_column(enum_column(BeneficiaryStatus, 16),
                                                      default=BeneficiaryStatus.ENROLLED)
    enrolled_on: Mapped[date]
    trained_on: Mapped[date | None]
    placed_on: Mapped[date | None]
    placed_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    placed_employer: Mapped[str | None] = mapped_column(sa.String(200))  # an employer outside the register
    left_on: Mapped[date | None]
    # The job report this placement was counted in (the secretariat decides); unique: never counted twice.
    counted_report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("job_reports.id", ondelete="SET NULL"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    programme: Mapped[Programme] = relationship()
    placed_organization: Mapped[Organization | None] = relationship()
    counted_report: Mapped[JobReport | None] = relationship()

    @hybrid_property
    def reached(self) -> int:
        """The furthest step reached, from the steps' dates: 0 enrolled, 1 trained, 2 placed. It never goes down,
        and a person who left keeps it."""
        return 2 if self.placed_on is not None else 1 if self.trained_on is not None else 0

    @reached.inplace.expression
    @classmethod
    def _reached_expression(cls) -> sa.ColumnElement[int]:
        return sa.case((cls.placed_on.is_not(None), 2), (cls.trained_on.is_not(None), 1), else_=0)

    @property
    def status_label(self):
        return BENEFICIARY_STATUS_LABELS[self.status]

    @property
    def next_statuses(self) -> list[BeneficiaryStatus]:
        return [s for s in BeneficiaryStatus if s in BENEFICIARY_TRANSITIONS[self.status]]

    @property
    def employer_name(self) -> str | None:
        return self.placed_organization.name if self.placed_organization else self.placed_employer

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """One by one, a beneficiary is seen by the secretariat and by the member contacts of the programme's lead."""
        return sa.exists().where(Programme.id == cls.programme_id, Programme.led_by(user)).correlate(cls)


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.PLANNED: lazy_pgettext("milestone", "Planned"),
    MilestoneStatus.IN_PROGRESS: lazy_pgettext("milestone", "In progress"),
    MilestoneStatus.DONE: lazy_pgettext("milestone", "Done"),
    MilestoneStatus.CANCELLED: lazy_pgettext("milestone", "Cancelled"),
}


class Milestone(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "programme_milestones"
    __table_args__ = (sa.Index("ix_programme_milestones_programme_due", "programme_id", "due_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date]
    status: Mapped[MilestoneStatus] = mapped_column(enum_column(MilestoneStatus, 16),
                                                    default=MilestoneStatus.PLANNED)
    done_on: Mapped[date | None]

    programme: Mapped[Programme] = relationship(back_populates="milestones")

    @property
    def status_label(self):
        return MILESTONE_STATUS_LABELS[self.status]

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        return sa.exists().where(Programme.id == cls.programme_id, Programme.visible_to(user),
                                 _beyond_public(user)).correlate(cls)


def _beyond_public(user) -> sa.ColumnElement[bool]:
    """Programmes where ``user`` sees more than the public description: secretariat, lead, partner."""
    if user.role == Role.SECRETARIAT:
        return sa.true()
    if user.role not in (Role.MEMBER, Role.PARTNER) or not user.organization_id:
        return sa.false()
    return sa.or_(Programme.lead_organization_id == user.organization_id,
                  sa.and_(Programme.state != ProgrammeState.DRAFT,
                          Programme.partner_condition(user.organization_id)))


class ReportState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"


REPORT_STATE_LABELS = {
    ReportState.DRAFT: _l("Draft"),
    ReportState.SUBMITTED: _l("Submitted"),
    ReportState.CHANGES_REQUESTED: _l("Changes requested"),
    ReportState.ACCEPTED: _l("Accepted"),
}


class ProgressReport(TimestampMixin, VersionedMixin, db.Model):
    """A periodic report written by the lead, submitted to the secretariat, accepted or sent back for changes."""

    __tablename__ = "programme_reports"
    __table_args__ = (
        sa.CheckConstraint("period_end >= period_start", name="period_end_after_start"),
        sa.Index("ix_programme_reports_programme_period", "programme_id", "period_end", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    summary: Mapped[str] = mapped_column(sa.Text)
    difficulties: Mapped[str | None] = mapped_column(sa.Text)
    next_steps: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[ReportState] = mapped_column(enum_column(ReportState, 24), default=ReportState.DRAFT)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    review_note: Mapped[str | None] = mapped_column(sa.Text)

    programme: Mapped[Programme] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    documents: Mapped[list[ProgrammeDocument]] = relationship(back_populates="report",
                                                              order_by="ProgrammeDocument.id")

    @property
    def state_label(self):
        return REPORT_STATE_LABELS[self.state]

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The secretariat and the lead see every report; a partner the accepted ones."""
        led = sa.exists().where(Programme.id == cls.programme_id, Programme.led_by(user)).correlate(cls)
        if user.role not in (Role.MEMBER, Role.PARTNER) or not user.organization_id:
            return led
        partner = sa.exists().where(Programme.id == cls.programme_id,
                                    Programme.shared_with(user.organization_id)).correlate(cls)
        return sa.or_(led, sa.and_(cls.state == ReportState.ACCEPTED, partner))


class ProgrammeDocument(db.Model):
    """A file attached to a programme (a convention signed with the local authorities), or to one report."""

    __tablename__ = "programme_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme_reports.id", ondelete="CASCADE"),
                                                  index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    programme: Mapped[Programme] = relationship()
    report: Mapped[ProgressReport | None] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship()

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """Documents are the lead's and the secretariat's; a partner sees those of accepted reports."""
        led = sa.exists().where(Programme.id == cls.programme_id, Programme.led_by(user)).correlate(cls)
        shared = sa.exists().where(ProgressReport.id == cls.report_id,
                                   ProgressReport.visible_to(user)).correlate(cls)
        return sa.or_(led, shared)


class AwardCategory(enum.StrEnum):
    CONTINUITY = "continuity"
    INVESTMENT = "investment"
    EVENT = "event"
    EMPLOYMENT = "employment"
    INNOVATION = "innovation"
    OTHER = "other"


AWARD_CATEGORY_LABELS = {
    AwardCategory.CONTINUITY: _l("Business continuity"),
    AwardCategory.INVESTMENT: _l("Investment in the region"),
    AwardCategory.EVENT: _l("Event and webinar"),
    AwardCategory.EMPLOYMENT: _l("Employment"),
    AwardCategory.INNOVATION: _l("Innovation"),
    AwardCategory.OTHER: _l("Other distinction"),
}


class Award(TimestampMixin, VersionedMixin, db.Model):
    """A distinction given to an organisation, to one of its contacts, or to a person outside the register."""

    __tablename__ = "awards"
    __table_args__ = (
        sa.CheckConstraint("(organization_id IS NULL) <> (person_name IS NULL)", name="one_recipient"),
        sa.CheckConstraint("contact_id IS NULL OR organization_id IS NOT NULL", name="contact_of_organization"),
        sa.Index("ix_awards_awarded_on_id", "awarded_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    occasion: Mapped[str] = mapped_column(sa.String(200), index=True)
    mission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("missions.id", ondelete="SET NULL"), index=True)
    category: Mapped[AwardCategory] = mapped_column(enum_column(AwardCategory, 16), index=True)
    awarded_on: Mapped[date]
    citation: Mapped[str | None] = mapped_column(sa.Text)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                        index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    person_name: Mapped[str | None] = mapped_column(sa.String(200))
    person_country: Mapped[str | None] = mapped_column(sa.String(100))
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    organization: Mapped[Organization | None] = relationship()
    contact: Mapped[Contact | None] = relationship()

    @property
    def category_label(self):
        return AWARD_CATEGORY_LABELS[self.category]

    @property
    def recipient(self) -> str:
        if self.organization is not None:
            return f"{self.contact.name} ({self.organization.name})" if self.contact else self.organization.name
        return f"{self.person_name}, {self.person_country}" if self.person_country else self.person_name or ""

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        return sa.true() if user.role in (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER) else sa.false()
