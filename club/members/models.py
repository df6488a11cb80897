"""Organisations: one record for every role an organisation plays in the club."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.core.text import fold
from club.extensions import db
from club.models import TimestampMixin, VersionedMixin, enum_column

if TYPE_CHECKING:
    from club.auth.models import User


class OrgKind(enum.StrEnum):
    CALL_CENTER = "call_center"
    BPO = "bpo"
    STARTUP = "startup"
    INVESTOR = "investor"
    INSTITUTION = "institution"
    ASSOCIATION = "association"
    OTHER = "other"


ORG_KIND_LABELS = {
    OrgKind.CALL_CENTER: _l("Call centre"),
    OrgKind.BPO: _l("BPO"),
    OrgKind.STARTUP: _l("Startup"),
    OrgKind.INVESTOR: _l("Investor"),
    OrgKind.INSTITUTION: _l("Institution"),
    OrgKind.ASSOCIATION: _l("Association"),
    OrgKind.OTHER: _l("Other"),
}


class Organization(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Folded name (case, accents, punctuation, legal suffixes): duplicate detection and search.
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), index=True)
    city: Mapped[Optional[str]] = mapped_column(sa.String(100))
    website: Mapped[Optional[str]] = mapped_column(sa.String(255))
    description: Mapped[Optional[str]] = mapped_column(sa.Text)
    archived_at: Mapped[Optional[datetime]]

    users: Mapped[list[User]] = relationship(back_populates="organization")

    @staticmethod
    def key_for(name: str) -> str:
        return fold(name)

    def is_visible_to(self, user) -> bool:
        return user.is_authenticated and user.role != "applicant"

    @property
    def kind_label(self):
        return ORG_KIND_LABELS[self.kind]

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"
