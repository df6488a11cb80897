"""Deals: the capital-investment pipeline, the partners' room and the investment committee."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow
from club.permissions import Role

if TYPE_CHECKING:
    from club.auth.models import User
    from club.core.storage import StoredFile
    from club.members.models import Organization


class DealKind(enum.StrEnum):
    EQUITY = "equity"
    SHAREHOLDERS_PACT = "shareholders_pact"
    MOU = "mou"
    CONVENTION = "convention"
    LOAN = "loan"
    GRANT = "grant"


KIND_LABELS = {
    DealKind.EQUITY: _l("Equity investment"),
    DealKind.SHAREHOLDERS_PACT: _l("Shareholders' pact"),
    DealKind.MOU: _l("Memorandum of understanding"),
    DealKind.CONVENTION: _l("Convention"),
    DealKind.LOAN: _l("Loan"),
    DealKind.GRANT: _l("Grant"),
}


class Stage(enum.StrEnum):
    LEAD = "lead"
    SCREENING = "screening"
    DUE_DILIGENCE = "due_diligence"
    COMMITTEE = "committee"
    TERM_SHEET = "term_sheet"
    SIGNED = "signed"
    CLOSED = "closed"
    DROPPED = "dropped"


STAGE_LABELS = {
    Stage.LEAD: _l("Lead"),
    Stage.SCREENING: _l("Screening"),
    Stage.DUE_DILIGENCE: _l("Due diligence"),
    Stage.COMMITTEE: _l("Committee"),
    Stage.TERM_SHEET: _l("Term sheet"),
    Stage.SIGNED: _l("Signed"),
    Stage.CLOSED: _l("Closed"),
    Stage.DROPPED: _l("Dropped"),
}

# Board order: one column per stage.
STAGES = list(Stage)
OPEN_STAGES = frozenset(s for s in Stage if s not in (Stage.CLOSED, Stage.DROPPED))

# The one table of allowed moves. Forward one stage at a time; the committee may send a deal back to
# due diligence; any open stage may be dropped (with a reason). Closed and dropped are final.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.LEAD: frozenset({Stage.SCREENING, Stage.DROPPED}),
    Stage.SCREENING: frozenset({Stage.DUE_DILIGENCE, Stage.DROPPED}),
    Stage.DUE_DILIGENCE: frozenset({Stage.COMMITTEE, Stage.DROPPED}),
    Stage.COMMITTEE: frozenset({Stage.TERM_SHEET, Stage.DUE_DILIGENCE, Stage.DROPPED}),
    Stage.TERM_SHEET: frozenset({Stage.SIGNED, Stage.DROPPED}),
    Stage.SIGNED: frozenset({Stage.CLOSED, Stage.DROPPED}),
    Stage.CLOSED: frozenset(),
    Stage.DROPPED: frozenset(),
}


def format_stake(stake: Decimal | None) -> str:
    if stake is None:
        return "—"
    from flask_babel import get_locale

    return _stake_text(str(get_locale()), str(stake))


@lru_cache(maxsize=1024)
def _stake_text(locale: str, stake: str) -> str:
    """Written once per locale and value as stored (a board shows the same few stakes on many cards); keyed by the
    text, as 20 and 20.0 are equal decimals that Babel writes differently."""
    from babel.numbers import format_percent

    return format_percent(Decimal(stake) / 100, locale=locale, decimal_quantization=False)


def allowed_moves(stage: Stage) -> list[Stage]:
    return [s for s in STAGES if s in TRANSITIONS[stage]]


deal_investors = sa.Table(
    "deal_investors",
    db.Model.metadata,
    sa.Column("deal_id", sa.ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)

deal_signatories = sa.Table(
    "deal_signatories",
    db.Model.metadata,
    sa.Column("deal_id", sa.ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class Deal(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "deals"
    __table_args__ = (
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("amount IS NOT NULL OR kind = 'mou'", name="amount_required"),
        sa.CheckConstraint("stake IS NULL OR (stake >= 0 AND stake <= 100)", name="stake_percent"),
        sa.CheckConstraint("stage NOT IN ('signed', 'closed') OR signed_on IS NOT NULL", name="signed_date"),
        sa.CheckConstraint("stage <> 'dropped' OR drop_reason IS NOT NULL", name="drop_reason"),
        sa.Index("ix_deals_stage_entered", "stage", "stage_entered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[DealKind] = mapped_column(enum_column(DealKind), index=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    stake: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    expected_close: Mapped[date | None]
    next_step: Mapped[str] = mapped_column(sa.String(300), default="")
    next_step_due: Mapped[date | None] = mapped_column(index=True)
    signed_on: Mapped[date | None]
    announced_on: Mapped[date | None]
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.LEAD, index=True)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    drop_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The secretariat may let partners read each other's opinions on this deal.
    opinions_open: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    target: Mapped[Organization] = relationship(foreign_keys=[target_id], lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    investors: Mapped[list[Organization]] = relationship(secondary=deal_investors, lazy="selectin",
                                                         order_by="Organization.name")
    signatories: Mapped[list[Organization]] = relationship(secondary=deal_signatories, lazy="selectin",
                                                           order_by="Organization.name")
    stage_changes: Mapped[list[StageChange]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                            passive_deletes=True, order_by="StageChange.id")
    documents: Mapped[list[DealDocument]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                         passive_deletes=True, order_by="DealDocument.id")
    shares: Mapped[list[DealShare]] = relationship(back_populates="deal", cascade="all, delete-orphan",
                                                   passive_deletes=True)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def stage_label(self):
        return STAGE_LABELS[self.stage]

    @property
    def stake_label(self) -> str:
        """The stake as the reader's locale writes a percentage: "20,5 %" in French, "20.5%" in English."""
        return format_stake(self.stake)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def next_step_overdue(self, today: date) -> bool:
        return self.is_open and self.next_step_due is not None and self.next_step_due < today

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The one rule (``permissions.visible``, ``get_visible_or_404``, ``is_visible`` and every list): the
        secretariat sees every deal; a partner, the deals shared with their organisation; nobody else any."""
        if user.role == Role.SECRETARIAT:
            return sa.true()
        if user.role == Role.PARTNER and user.organization_id:
            return sa.exists().where(DealShare.deal_id == cls.id, DealShare.organization_id == user.organization_id)
        return sa.false()

    def __repr__(self) -> str:
        return f"<Deal {self.id} {self.title!r} {self.stage}>"


class StageChange(db.Model):
    __tablename__ = "deal_stage_changes"
    __table_args__ = (sa.Index("ix_deal_stage_changes_deal_at", "deal_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"))
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(sa.Text)

    deal: Mapped[Deal] = relationship(back_populates="stage_changes")
    by: Mapped[User | None] = relationship(lazy="joined")


class DocumentKind(enum.StrEnum):
    MEMO = "memo"
    TERM_SHEET = "term_sheet"
    AGREEMENT = "agreement"
    FINANCIALS = "financials"
    OTHER = "other"


DOCUMENT_KIND_LABELS = {
    DocumentKind.MEMO: _l("Investment memo"),
    DocumentKind.TERM_SHEET: _l("Term sheet"),
    DocumentKind.AGREEMENT: _l("Agreement"),
    DocumentKind.FINANCIALS: _l("Financial statements"),
    DocumentKind.OTHER: _l("Other"),
}


class DealDocument(db.Model):
    __tablename__ = "deal_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                          index=True)

    deal: Mapped[Deal] = relationship(back_populates="documents")
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True,
        order_by="DocumentVersion.number.desc()")

    @property
    def kind_label(self):
        return DOCUMENT_KIND_LABELS[self.kind]

    @property
    def current(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None


class DocumentVersion(db.Model):
    __tablename__ = "deal_document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("deal_documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    stored_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                           index=True)

    document: Mapped[DealDocument] = relationship(back_populates="versions")
    stored: Mapped[StoredFile] = relationship(lazy="joined")
    uploaded_by: Mapped[User | None] = relationship(lazy="joined")


class DealNote(db.Model):
    """Internal note of the secretariat: never shown to partners."""

    __tablename__ = "deal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined")


class DealShare(db.Model):
    """A partner organisation that sees the deal. Deleting the row revokes the share at once."""

    __tablename__ = "deal_shares"
    __table_args__ = (sa.UniqueConstraint("deal_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)
    shared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                         index=True)

    deal: Mapped[Deal] = relationship(back_populates="shares")
    organization: Mapped[Organization] = relationship(lazy="joined")


class DealComment(db.Model):
    """A comment in the thread between the secretariat and one partner organisation."""

    __tablename__ = "deal_comments"
    __table_args__ = (sa.Index("ix_deal_comments_deal_org", "deal_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
    organization: Mapped[Organization] = relationship(lazy="joined")


class Verdict(enum.StrEnum):
    FAVOURABLE = "favourable"
    RESERVED = "reserved"
    UNFAVOURABLE = "unfavourable"


VERDICT_LABELS = {
    Verdict.FAVOURABLE: _l("Favourable"),
    Verdict.RESERVED: _l("Reserved"),
    Verdict.UNFAVOURABLE: _l("Unfavourable"),
}


class Opinion(TimestampMixin, db.Model):
    """One partner user's opinion on a deal, editable while the deal is in committee."""

    __tablename__ = "deal_opinions"
    __table_args__ = (sa.UniqueConstraint("deal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"),
                                                           index=True)
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    user: Mapped[User] = relationship(lazy="joined")
    organization: Mapped[Organization | None] = relationship(lazy="joined")

    @property
    def verdict_label(self):
        return VERDICT_LABELS[self.verdict]


class CommitteeMeeting(db.Model):
    __tablename__ = "deal_committee_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    quorum_reached: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                           index=True)

    members: Mapped[list[CommitteeMember]] = relationship(back_populates="meeting", cascade="all, delete-orphan",
                                                          passive_deletes=True, order_by="CommitteeMember.id")
    decisions: Mapped[list[CommitteeDecision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True,
        order_by="CommitteeDecision.id")
    recorded_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def tally(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Vote}
        for member in self.members:
            if member.vote is not None:
                counts[member.vote.value] += 1
        return counts


class Vote(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


VOTE_LABELS = {Vote.FOR: _l("For"), Vote.AGAINST: _l("Against"), Vote.ABSTAIN: _l("Abstention")}


class CommitteeMember(db.Model):
    """A member present at a meeting, their declared conflict of interest and their vote."""

    __tablename__ = "deal_committee_members"
    __table_args__ = (
        sa.CheckConstraint("NOT conflict_declared OR vote IS NULL", name="conflicted_no_vote"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("deal_committee_meetings.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    conflict_declared: Mapped[bool] = mapped_column(default=False)
    conflict_note: Mapped[str] = mapped_column(sa.String(300), default="")
    vote: Mapped[Vote | None] = mapped_column(enum_column(Vote))

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="members")

    @property
    def vote_label(self):
        return VOTE_LABELS[self.vote] if self.vote else None


class Decision(enum.StrEnum):
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    DEFERRED = "deferred"


DECISION_LABELS = {
    Decision.APPROVED: _l("Approved"),
    Decision.APPROVED_WITH_CONDITIONS: _l("Approved with conditions"),
    Decision.REJECTED: _l("Rejected"),
    Decision.DEFERRED: _l("Deferred"),
}


class CommitteeDecision(db.Model):
    """A decision with its minutes, kept as written; a correction is a new dated entry."""

    __tablename__ = "deal_committee_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("deal_committee_meetings.id", ondelete="CASCADE"),
                                            index=True)
    decision: Mapped[Decision] = mapped_column(enum_column(Decision))
    minutes: Mapped[str] = mapped_column(sa.Text)
    corrects_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("deal_committee_decisions.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                           index=True)

    meeting: Mapped[CommitteeMeeting] = relationship(back_populates="decisions")
    recorded_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def decision_label(self):
        return DECISION_LABELS[self.decision]


class AccessAction(enum.StrEnum):
    VIEW = "view"
    DOWNLOAD = "download"


class DealAccess(db.Model):
    """A partner user opened a shared deal or downloaded one of its documents."""

    __tablename__ = "deal_access_log"
    __table_args__ = (sa.Index("ix_deal_access_log_deal_at", "deal_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"),
                                                           index=True)
    action: Mapped[AccessAction] = mapped_column(enum_column(AccessAction, 16))
    version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("deal_document_versions.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")
    version: Mapped[DocumentVersion | None] = relationship(lazy="joined")
