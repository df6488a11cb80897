"""User accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.extensions import db
from club.models import TimestampMixin, enum_column
from club.permissions import Role

if TYPE_CHECKING:
    from club.members.models import Organization


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower"),
        sa.CheckConstraint("role = 'secretariat' OR NOT is_admin", name="admin_is_secretariat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        enum_column(Role, 16),
        index=True,
    )
    is_admin: Mapped[bool] = mapped_column(default=False)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    confirmed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    # Bumped on logout, password change and deactivation: every other session and remember cookie dies.
    session_version: Mapped[int] = mapped_column(default=1)

    organization: Mapped[Organization | None] = relationship(back_populates="users", lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def is_secretariat(self) -> bool:
        return self.role == Role.SECRETARIAT

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @classmethod
    def visible_to(cls, user):
        """Accounts are opened by the secretariat's administrators only (``permissions.visible``)."""
        return sa.true() if user.role == Role.SECRETARIAT and user.is_admin else sa.false()

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
