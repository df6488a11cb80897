"""The tables of mailings: each contact's consent to receive the club's mailings (law 09-08), the mailings and
their recipients.

A recipient's delivery follows its outbox message (``club.core.outbox``): queued while the message waits or is
being sent, sent once the server took it, failed when it failed (``queries.RECIPIENT_STATE``). Skipped recipients
(unsubscribed, no consent) have no message.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow
from club.permissions import Role


class ConsentSource(enum.StrEnum):
    SECRETARIAT = "secretariat"
    MEMBER = "member"
    UNSUBSCRIBE_LINK = "unsubscribe_link"


CONSENT_SOURCE_LABELS = {
    ConsentSource.SECRETARIAT: _l("recorded by the secretariat"),
    ConsentSource.MEMBER: _l("recorded by the member"),
    ConsentSource.UNSUBSCRIBE_LINK: _l("unsubscribe link"),
}


class ContactConsent(TimestampMixin, db.Model):
    """Whether a contact agreed to receive the club's mailings, and since when; its withdrawal and an unsubscribe
    through a mailing's link, each with its date. One row per contact (created at the first change)."""

    __tablename__ = "contact_consents"

    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    consented_on: Mapped[date | None]
    withdrawn_on: Mapped[date | None]
    unsubscribed_at: Mapped[datetime | None]
    source: Mapped[ConsentSource] = mapped_column(enum_column(ConsentSource, 20))

    @property
    def is_given(self) -> bool:
        return self.consented_on is not None and self.withdrawn_on is None and self.unsubscribed_at is None


class MailingState(enum.StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    SENT = "sent"


MAILING_STATE_LABELS = {
    MailingState.DRAFT: _l("Draft"),
    MailingState.SENDING: _l("Being sent"),
    MailingState.SENT: _l("Sent"),
}


class RecipientScope(enum.StrEnum):
    PRIMARY = "primary"
    ALL = "all"


RECIPIENT_SCOPE_LABELS = {
    RecipientScope.PRIMARY: _l("The primary contact of each organisation"),
    RecipientScope.ALL: _l("Every contact with an email address"),
}


class Mailing(TimestampMixin, VersionedMixin, db.Model):
    """A letter to a group of organisations' contacts, in French and (optionally) in English."""

    __tablename__ = "mailings"
    __table_args__ = (sa.Index("ix_mailings_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_fr: Mapped[str] = mapped_column(sa.String(200))
    body_fr: Mapped[str] = mapped_column(sa.Text)
    subject_en: Mapped[str | None] = mapped_column(sa.String(200))
    body_en: Mapped[str | None] = mapped_column(sa.Text)
    # The register's filter arguments (``RegisterFilters.args()``) and, for a selection, ``{"ids": [...]}``.
    audience: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    audience_label: Mapped[str | None] = mapped_column(sa.String(200))
    scope: Mapped[RecipientScope] = mapped_column(enum_column(RecipientScope, 16), default=RecipientScope.PRIMARY)
    state: Mapped[MailingState] = mapped_column(enum_column(MailingState, 16), default=MailingState.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[datetime | None]
    # Counted when the recipients are built (the job): queued, skipped for no consent, skipped as unsubscribed.
    queued_count: Mapped[int] = mapped_column(default=0, server_default="0")
    no_consent_count: Mapped[int] = mapped_column(default=0, server_default="0")
    unsubscribed_count: Mapped[int] = mapped_column(default=0, server_default="0")

    created_by = relationship("User", foreign_keys=[created_by_id])

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """Mailings are the secretariat's alone."""
        return sa.true() if user.role == Role.SECRETARIAT else sa.false()

    @property
    def is_draft(self) -> bool:
        return self.state == MailingState.DRAFT

    @property
    def title(self) -> str:
        return self.subject_fr


class RecipientStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED_UNSUBSCRIBED = "skipped_unsubscribed"
    SKIPPED_NO_CONSENT = "skipped_no_consent"


RECIPIENT_STATUS_LABELS = {
    RecipientStatus.QUEUED: _l("Waiting to be sent"),
    RecipientStatus.SENT: _l("Sent"),
    RecipientStatus.FAILED: _l("Failed"),
    RecipientStatus.SKIPPED_UNSUBSCRIBED: _l("Skipped: unsubscribed"),
    RecipientStatus.SKIPPED_NO_CONSENT: _l("Skipped: no consent"),
}


class MailingRecipient(db.Model):
    """One contact of a mailing's audience: the message queued for them, or why they were skipped."""

    __tablename__ = "mailing_recipients"
    __table_args__ = (
        sa.UniqueConstraint("mailing_id", "contact_id", name="uq_mailing_recipients_mailing_contact"),
        sa.Index("ix_mailing_recipients_mailing_status", "mailing_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(sa.ForeignKey("mailings.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"),
                                                        index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    # What the job decided: queued (a message exists) or skipped; sent/failed are read from the message.
    status: Mapped[RecipientStatus] = mapped_column(enum_column(RecipientStatus, 24))
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mailing: Mapped[Mailing] = relationship()
