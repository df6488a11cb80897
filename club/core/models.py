"""Shared records: the audit trail and the mail outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.models import enum_column, utcnow


class AuditEvent(db.Model):
    """Append-only business audit trail, written in the transaction of the change it describes."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64))
    entity_type: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[int | None]
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", lazy="joined")


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    # Development without a mail server: printed to the server log, never sent to anyone.
    LOGGED = "logged"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """An email waiting to be (or already) sent; written in the transaction of its cause."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    template: Mapped[str] = mapped_column(sa.String(80))
    # Unique key that makes queueing idempotent (e.g. a yearly dues reminder per organisation).
    dedup_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, 16),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    claimed_at: Mapped[datetime | None]
    # After a failure, not retried before this time (backoff), so an outage does not use up the attempts.
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class WorkerHeartbeat(db.Model):
    """When each worker (host and process) was last seen running a task: the queue is read."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
