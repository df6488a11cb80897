"""The tables of reports: the club's jobs target (one row), the report runs (a period's report, built by the job
queue into a PDF and an XLSX file) and the schedules that send partners their reports each month or quarter."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.auth.models import User
from club.core.storage import StoredFile
from club.extensions import db
from club.members.models import Organization
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow
from club.permissions import Role

# The article's figure: "au total, ils assureront plus de 3.000 emplois à terme" (Siccam 2020).
DEFAULT_JOBS_TARGET = 3000


class ClubTarget(VersionedMixin, db.Model):
    """The club's jobs target and its horizon: one row (id 1), set by the secretariat, every change audited."""

    __tablename__ = "club_targets"
    __table_args__ = (sa.CheckConstraint("jobs_target > 0", name="jobs_target_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jobs_target: Mapped[int] = mapped_column(default=DEFAULT_JOBS_TARGET)
    horizon: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    updated_by: Mapped[User | None] = relationship()


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


PERIOD_KIND_LABELS = {
    PeriodKind.MONTH: _l("Month"),
    PeriodKind.QUARTER: _l("Quarter"),
    PeriodKind.YEAR: _l("Year"),
    PeriodKind.RANGE: _l("From … to …"),
}


class RunState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


RUN_STATE_LABELS = {
    RunState.QUEUED: _l("Waiting for the worker"),
    RunState.RUNNING: _l("Being built"),
    RunState.DONE: _l("Ready"),
    RunState.FAILED: _l("Failed"),
}


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


FREQUENCY_LABELS = {Frequency.MONTHLY: _l("Every month"), Frequency.QUARTERLY: _l("Every quarter")}

report_schedule_partners = sa.Table(
    "report_schedule_partners",
    db.Model.metadata,
    sa.Column("schedule_id", sa.ForeignKey("report_schedules.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class ReportSchedule(TimestampMixin, VersionedMixin, db.Model):
    """Send the previous month's or quarter's report to these partner organisations, on the first days after it."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, 16))
    language: Mapped[str] = mapped_column(sa.String(8), default="fr")
    # The first day on or after which the next report is due (the day after the period it covers ends).
    next_run_on: Mapped[date] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    partners: Mapped[list[Organization]] = relationship(secondary=report_schedule_partners, lazy="selectin",
                                                        order_by="Organization.name")
    created_by: Mapped[User | None] = relationship()

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        return sa.true() if user.role == Role.SECRETARIAT else sa.false()


class ReportRun(db.Model):
    """A period's activity report, as the club sees it (``audience_id`` empty) or as one partner organisation may
    (``audience_id``): queued by the secretariat or a schedule, built by the worker into a PDF and an XLSX."""

    __tablename__ = "report_runs"
    __table_args__ = (
        sa.CheckConstraint("starts_on <= ends_on", name="period_order"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        sa.Index("ix_report_runs_audience_created", "audience_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_kind: Mapped[PeriodKind] = mapped_column(enum_column(PeriodKind, 16))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    language: Mapped[str] = mapped_column(sa.String(8), default="fr")
    audience_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    schedule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_schedules.id", ondelete="SET NULL"),
                                                    index=True)
    state: Mapped[RunState] = mapped_column(enum_column(RunState, 16), default=RunState.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    step: Mapped[str | None] = mapped_column(sa.String(120))
    error: Mapped[str | None] = mapped_column(sa.Text)
    pdf_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="SET NULL"), index=True)
    xlsx_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="SET NULL"), index=True)
    # Send it to the audience's partner users once built (a report sent, not only prepared).
    send: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    audience: Mapped[Organization | None] = relationship()
    schedule: Mapped[ReportSchedule | None] = relationship()
    requested_by: Mapped[User | None] = relationship()
    pdf: Mapped[StoredFile | None] = relationship(foreign_keys=[pdf_id])
    xlsx: Mapped[StoredFile | None] = relationship(foreign_keys=[xlsx_id])

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The secretariat reads every run; a partner only the reports sent to their organisation, once sent."""
        if user.role == Role.SECRETARIAT:
            return sa.true()
        if user.role == Role.PARTNER and user.organization_id:
            return sa.and_(cls.audience_id == user.organization_id, cls.sent_at.is_not(None))
        return sa.false()

    @property
    def is_finished(self) -> bool:
        return self.state in (RunState.DONE, RunState.FAILED)
