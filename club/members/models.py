"""Organisations and their people, membership, dues and job commitments.

One ``Organization`` record serves every role it plays in the club: member, applicant's startup,
deal target or investor, mission participant or partner.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from club.core.storage import (
    StoredFile,  # a document version's file: mapped before this module's aliases are built
)
from club.core.text import fold
from club.extensions import db
from club.models import TimestampMixin, VersionedMixin, enum_column, utcnow
from club.permissions import Role

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


class Province(enum.StrEnum):
    OUJDA_ANGAD = "oujda_angad"
    BERKANE = "berkane"
    NADOR = "nador"
    DRIOUCH = "driouch"
    JERADA = "jerada"
    TAOURIRT = "taourirt"
    GUERCIF = "guercif"
    FIGUIG = "figuig"
    OUTSIDE = "outside"


PROVINCE_LABELS = {
    Province.OUJDA_ANGAD: "Oujda-Angad",
    Province.BERKANE: "Berkane",
    Province.NADOR: "Nador",
    Province.DRIOUCH: "Driouch",
    Province.JERADA: "Jerada",
    Province.TAOURIRT: "Taourirt",
    Province.GUERCIF: "Guercif",
    Province.FIGUIG: "Figuig",
    Province.OUTSIDE: _l("Outside the region"),
}


class Site(enum.StrEnum):
    OUJDA_SHORE = "oujda_shore"
    CASA_SHORE = "casa_shore"
    RABAT_TECHNOPOLIS = "rabat_technopolis"
    FES_SHORE = "fes_shore"
    TETOUAN_SHORE = "tetouan_shore"
    NONE = "none"


SITE_LABELS = {
    Site.OUJDA_SHORE: "Oujda-shore",
    Site.CASA_SHORE: "Casa-shore",
    Site.RABAT_TECHNOPOLIS: "Rabat Technopolis",
    Site.FES_SHORE: "Fès-shore",
    Site.TETOUAN_SHORE: "Tétouan-shore",
    Site.NONE: _l("No park"),
}


class Trade(enum.StrEnum):
    CUSTOMER_RELATIONS = "customer_relations"
    TECHNICAL_SUPPORT = "technical_support"
    TELEMARKETING = "telemarketing"
    DOCUMENT_MANAGEMENT = "document_management"
    HR_SERVICES = "hr_services"
    IT_SERVICES = "it_services"
    BACK_OFFICE = "back_office"
    FINANCE = "finance"
    TRAINING = "training"
    OTHER = "other"


TRADE_LABELS = {
    Trade.CUSTOMER_RELATIONS: _l("Customer relations"),
    Trade.TECHNICAL_SUPPORT: _l("Technical support"),
    Trade.TELEMARKETING: _l("Telemarketing"),
    Trade.DOCUMENT_MANAGEMENT: _l("Document management"),
    Trade.HR_SERVICES: _l("HR services"),
    Trade.IT_SERVICES: _l("IT services"),
    Trade.BACK_OFFICE: _l("Back office"),
    Trade.FINANCE: _l("Finance and investment"),
    Trade.TRAINING: _l("Training"),
    Trade.OTHER: _l("Other"),
}


class Language(enum.StrEnum):
    FRENCH = "fr"
    ARABIC = "ar"
    AMAZIGH = "zgh"
    ENGLISH = "en"
    SPANISH = "es"
    GERMAN = "de"
    ITALIAN = "it"
    DUTCH = "nl"
    PORTUGUESE = "pt"


LANGUAGE_LABELS = {
    Language.FRENCH: _l("French"),
    Language.ARABIC: _l("Arabic"),
    Language.AMAZIGH: _l("Amazigh"),
    Language.ENGLISH: _l("English"),
    Language.SPANISH: _l("Spanish"),
    Language.GERMAN: _l("German"),
    Language.ITALIAN: _l("Italian"),
    Language.DUTCH: _l("Dutch"),
    Language.PORTUGUESE: _l("Portuguese"),
}

LEGAL_SUFFIXES = ("sarl au", "sarl", "s a r l", "sa", "s a", "sas", "groupe", "group", "ste", "societe", "holding")


def organization_key(name: str) -> str:
    """Folded name for duplicate detection: case, accents, punctuation and legal suffixes ignored."""
    text = re.sub(r"[^\w\s]", " ", fold(name))
    text = re.sub(r"\s+", " ", text).strip()
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            for candidate in (f" {suffix}", f"{suffix} "):
                if (text.endswith(candidate) if candidate.startswith(" ") else text.startswith(candidate)) \
                        and len(text) > len(candidate):
                    text = text[: -len(candidate)] if candidate.startswith(" ") else text[len(candidate):]
                    text = text.strip()
                    changed = True
    return text[:200]


class Organization(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        sa.CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount_positive"),
        sa.Index("ix_organizations_active_name", "archived_at", "name_key", "id"),
        # "Newest first" sort of the register (keyset on id among non-archived rows).
        sa.Index("ix_organizations_archived_id", "archived_at", "id"),
        # The register's filters: each leads one index that also covers the others, so any combination of
        # kind, province and site is counted from an index alone.
        sa.Index("ix_organizations_kind", "kind", "province", "site", "archived_at"),
        sa.Index("ix_organizations_province", "province", "kind", "site", "archived_at"),
        sa.Index("ix_organizations_site", "site", "kind", "province", "archived_at"),
        # A page of the register filtered by kind and province, read in name order (stops at the page's last row).
        sa.Index("ix_organizations_kind_province_name", "kind", "province", "archived_at", "name_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Folded name (case, accents, punctuation, legal suffixes): duplicate detection and sorting.
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    ice: Mapped[str | None] = mapped_column(sa.String(15), unique=True)
    city: Mapped[str | None] = mapped_column(sa.String(100))
    province: Mapped[Province | None] = mapped_column(enum_column(Province))
    site: Mapped[Site | None] = mapped_column(enum_column(Site))
    headcount: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    description: Mapped[str | None] = mapped_column(sa.Text)
    # Folded text of name, description and contact names, kept by the members services for search.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    archived_at: Mapped[datetime | None]

    users: Mapped[list[User]] = relationship(back_populates="organization")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", order_by="Contact.name_key"
    )
    trades: Mapped[list[OrganizationTrade]] = relationship(cascade="all, delete-orphan")
    languages: Mapped[list[OrganizationLanguage]] = relationship(cascade="all, delete-orphan")
    membership: Mapped[Membership | None] = relationship(back_populates="organization", uselist=False,
                                                            cascade="all, delete-orphan")
    dues: Mapped[list[Dues]] = relationship(back_populates="organization", cascade="all, delete-orphan",
                                            order_by="Dues.year.desc()")
    job_commitments: Mapped[list[JobCommitment]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", order_by="JobCommitment.id"
    )

    @staticmethod
    def key_for(name: str) -> str:
        return organization_key(name)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """Who opens an organisation's page (``permissions.visible``, ``get_visible_or_404``, the lists).

        The secretariat: every organisation. Partners and members: the register (organisations not archived), and
        their own organisation even once archived (read-only: ``can_edit`` says no). Applicants: none (the
        incubator shows them their startup).
        """
        if user.role == Role.SECRETARIAT:
            return sa.true()
        if user.role in (Role.PARTNER, Role.MEMBER):
            if user.organization_id is None:
                return cls.archived_at.is_(None)
            return sa.or_(cls.archived_at.is_(None), cls.id == user.organization_id)
        return sa.false()

    def sees_dues(self, user) -> bool:
        """Dues: the secretariat and the organisation's own member contacts."""
        return user.role == "secretariat" or (user.role == "member" and user.organization_id == self.id)

    def sees_all_contacts(self, user) -> bool:
        """Partners see the primary contact only; members and the secretariat see every contact."""
        return user.role in ("secretariat", "member")

    def sees_phones(self, user) -> bool:
        """Members do not see the phone numbers of other organisations' contacts."""
        return user.role in ("secretariat", "partner") or user.organization_id == self.id

    def can_edit(self, user) -> bool:
        """The secretariat edits every organisation; a member contact edits their own while it is in the register
        (archived, it is read-only for them)."""
        if not user.is_authenticated:
            return False
        return user.role == Role.SECRETARIAT or (user.role == Role.MEMBER and user.organization_id == self.id
                                                  and self.archived_at is None)

    @property
    def kind_label(self):
        return ORG_KIND_LABELS[self.kind]

    @property
    def trade_values(self) -> list[Trade]:
        return [t.trade for t in self.trades]

    @property
    def language_values(self) -> list[Language]:
        return [lang.language for lang in self.languages]

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class OrganizationTrade(db.Model):
    __tablename__ = "organization_trades"
    __table_args__ = (sa.Index("ix_organization_trades_trade", "trade", "organization_id"),)

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    trade: Mapped[Trade] = mapped_column(enum_column(Trade), primary_key=True)


class OrganizationLanguage(db.Model):
    __tablename__ = "organization_languages"
    __table_args__ = (sa.Index("ix_organization_languages_language", "language", "organization_id"),)

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    language: Mapped[Language] = mapped_column(enum_column(Language, 8), primary_key=True)


class Contact(TimestampMixin, VersionedMixin, db.Model):
    """A person at an organisation (a user account is separate: not every contact signs in)."""

    __tablename__ = "contacts"
    __table_args__ = (
        sa.Index("ix_contacts_one_primary", "organization_id", unique=True,
                 sqlite_where=sa.text("is_primary = 1"), postgresql_where=sa.text("is_primary")),
        sa.Index("ix_contacts_organization_name", "organization_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    is_primary: Mapped[bool] = mapped_column(default=False)

    organization: Mapped[Organization] = relationship(back_populates="contacts")

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The contacts ``user`` sees: those of the organisations they see; partners only the primary contact
        (``Organization.sees_all_contacts``)."""
        if user.role == Role.SECRETARIAT:
            return sa.true()
        of_visible = cls.organization_id.in_(sa.select(Organization.id).where(Organization.visible_to(user)))
        if user.role == Role.PARTNER:
            return sa.and_(cls.is_primary.is_(True), of_visible)
        return of_visible


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LAPSED = "lapsed"
    RESIGNED = "resigned"


MEMBERSHIP_STATUS_LABELS = {
    MembershipStatus.PENDING: _l("Pending"),
    MembershipStatus.ACTIVE: _l("Active"),
    MembershipStatus.SUSPENDED: _l("Suspended"),
    MembershipStatus.LAPSED: _l("Lapsed"),
    MembershipStatus.RESIGNED: _l("Resigned"),
}


class Membership(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.Index("ix_memberships_status", "status", "organization_id"),
        # The renewals page: active memberships by renewal date.
        sa.Index("ix_memberships_status_renews", "status", "renews_on", "organization_id"),
        # The dues page's tier filter.
        sa.Index("ix_memberships_tier", "tier_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus, 16))
    tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("membership_tiers.id", ondelete="RESTRICT"))
    joined_on: Mapped[date | None]
    # The end of the current period (joined_on or the last renewal, plus the tier's period).
    renews_on: Mapped[date | None]

    organization: Mapped[Organization] = relationship(back_populates="membership")
    tier: Mapped[MembershipTier | None] = relationship()
    changes: Mapped[list[MembershipChange]] = relationship(
        back_populates="membership", cascade="all, delete-orphan", order_by="MembershipChange.id.desc()"
    )


class MembershipChange(db.Model):
    """One dated change of membership status (the history shown on the organisation page)."""

    __tablename__ = "membership_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[MembershipStatus | None] = mapped_column(enum_column(MembershipStatus, 16))
    to_status: Mapped[MembershipStatus] = mapped_column(enum_column(MembershipStatus, 16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(500))

    membership: Mapped[Membership] = relationship(back_populates="changes")
    by: Mapped[User | None] = relationship()


class PaymentMethod(enum.StrEnum):
    TRANSFER = "transfer"
    CHEQUE = "cheque"
    CASH = "cash"
    CARD = "card"


PAYMENT_METHOD_LABELS = {
    PaymentMethod.TRANSFER: _l("Bank transfer"),
    PaymentMethod.CHEQUE: _l("Cheque"),
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.CARD: _l("Card"),
}


class Dues(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "dues"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "year", name="uq_dues_organization_year"),
        sa.CheckConstraint("amount >= 0", name="amount_positive"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        # The dues page and the home's unpaid figure: a year's rows, paid or not, with their amounts and invoice
        # dates (covering: the totals and the overdue count are read from the index alone).
        sa.Index("ix_dues_year_paid_org", "year", "paid_on", "organization_id", "amount", "invoiced_on"),
        sa.Index("ix_dues_year_method", "year", "method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    invoiced_on: Mapped[date | None]
    paid_on: Mapped[date | None]
    method: Mapped[PaymentMethod | None] = mapped_column(enum_column(PaymentMethod, 16))
    # The receipt's number ("2026-0007"), given when the dues are first recorded as paid
    # (``services.give_receipt_number``): per year of payment, gapless, kept when the payment is corrected or cleared
    # (the number stays reserved).
    receipt_number: Mapped[str | None] = mapped_column(sa.String(16), unique=True)

    organization: Mapped[Organization] = relationship(back_populates="dues")

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class JobCommitment(TimestampMixin, VersionedMixin, db.Model):
    """Jobs an organisation announced for the region (e.g. "announced at Siccam 2020")."""

    __tablename__ = "job_commitments"
    __table_args__ = (
        sa.CheckConstraint("jobs_announced >= 0", name="jobs_announced_positive"),
        sa.CheckConstraint("jobs_created >= 0", name="jobs_created_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    jobs_announced: Mapped[int]
    # The jobs created to date: the figure of the latest report (kept by the services; totals sum it).
    jobs_created: Mapped[int] = mapped_column(default=0, server_default="0")
    horizon: Mapped[date | None]
    announced_on: Mapped[date | None]
    source: Mapped[str | None] = mapped_column(sa.String(200))

    organization: Mapped[Organization] = relationship(back_populates="job_commitments")
    reports: Mapped[list[JobReport]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="JobReport.reported_on.desc()"
    )


class JobReport(TimestampMixin, VersionedMixin, db.Model):
    """A dated count of the jobs actually created against a commitment."""

    __tablename__ = "job_reports"
    __table_args__ = (
        sa.CheckConstraint("jobs_created >= 0", name="jobs_created_positive"),
        sa.Index("ix_job_reports_commitment_date", "commitment_id", "reported_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("job_commitments.id", ondelete="CASCADE"))
    reported_on: Mapped[date]
    jobs_created: Mapped[int]
    note: Mapped[str | None] = mapped_column(sa.String(500))
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    commitment: Mapped[JobCommitment] = relationship(back_populates="reports")


def search_text_for(name: str, description: str | None = None, contacts=(), *, ice: str | None = None,
                    email: str | None = None, phone: str | None = None) -> str:
    """The one format of ``Organization.search_text``, what the register's search looks into: the folded name (and
    its key), description, ICE, email and phone of the organisation, and of each contact (``contacts``: tuples
    ``(name, title, email, phone)``) the folded name, title, email and phone. A phone is there as E.164 and as
    national digits ("+212536683000 0536683000"), so it is found however it is typed (see ``queries``)."""
    from club.members.phones import search_forms

    folded, key = fold(name), organization_key(name)
    parts = [folded, key if key != folded else "", fold(description or ""), ice or "", fold(email or ""),
             " ".join(search_forms(phone))]
    for contact_name, title, contact_email, contact_phone in contacts:
        parts += [fold(contact_name or ""), fold(title or ""), fold(contact_email or ""),
                  " ".join(search_forms(contact_phone))]
    return " | ".join(p for p in parts if p)


def search_text_of(org: Organization) -> str:
    """``search_text_for`` an organisation as it is in the session, its contacts included."""
    return search_text_for(org.name, org.description, [(c.name, c.title, c.email, c.phone) for c in org.contacts],
                           ice=org.ice, email=org.email, phone=org.phone)


# ---------------------------------------------------------------------------------------------------------------
# Tags on organisations (the segments domain manages the tags; the register filters by them). Declared here so the
# register's tag filter reads it without importing ``club.segments`` (domains depend one way).

organization_tags = sa.Table(
    "organization_tags", db.Model.metadata,
    sa.Column("organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_organization_tags_tag_id", "tag_id", "organization_id"),
)


# ---------------------------------------------------------------------------------------------------------------
# Membership tiers and renewals (the dues follow-up): tier table, renewal dates, receipt numbers.


class MembershipTier(TimestampMixin, VersionedMixin, db.Model):
    """A kind of membership with its annual fee and its period ("Membre fondateur", 12 months, 20,000 MAD)."""

    __tablename__ = "membership_tiers"
    __table_args__ = (
        sa.CheckConstraint("annual_fee >= 0", name="annual_fee_positive"),
        sa.CheckConstraint("period_months BETWEEN 1 AND 120", name="period_range"),
        sa.Index("ix_membership_tiers_position", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    annual_fee: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0.00"))
    period_months: Mapped[int] = mapped_column(default=12)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """Tiers are managed by the secretariat (members read their own tier on their organisation's page)."""
        return sa.true() if user.role == Role.SECRETARIAT else sa.false()

    def __repr__(self) -> str:
        return f"<MembershipTier {self.name}>"


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the last day of a shorter month)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------------------------
# Organisation documents (statutes, signed conventions), with versions.


class ReceiptCounter(db.Model):
    """The last receipt number given in a year: one row per year, incremented under its row lock (an upsert), so
    simultaneous payments get distinct numbers, and a payment rolled back gives its number back (gapless)."""

    __tablename__ = "dues_receipt_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class OrgDocumentKind(enum.StrEnum):
    STATUTES = "statutes"
    CONVENTION = "convention"
    CERTIFICATE = "certificate"
    OTHER = "other"


ORG_DOCUMENT_KIND_LABELS = {
    OrgDocumentKind.STATUTES: _l("Statutes"),
    OrgDocumentKind.CONVENTION: _l("Convention"),
    OrgDocumentKind.CERTIFICATE: _l("Certificate"),
    OrgDocumentKind.OTHER: _l("Other"),
}


class OrganizationDocument(TimestampMixin, VersionedMixin, db.Model):
    """A file attached to an organisation (statutes, a signed convention), with its versions. The secretariat
    keeps them; the organisation's member contacts see those marked ``shared``."""

    __tablename__ = "organization_documents"
    __table_args__ = (sa.Index("ix_organization_documents_organization", "organization_id", "shared", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrgDocumentKind] = mapped_column(enum_column(OrgDocumentKind, 16))
    shared: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    organization: Mapped[Organization] = relationship()
    versions: Mapped[list[OrganizationDocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True,
        order_by="OrganizationDocumentVersion.number.desc()")

    @classmethod
    def visible_to(cls, user) -> sa.ColumnElement[bool]:
        """The secretariat: every document; a member contact: the shared documents of their own organisation;
        anyone else: none."""
        if user.role == Role.SECRETARIAT:
            return sa.true()
        if user.role == Role.MEMBER and user.organization_id is not None:
            return sa.and_(cls.organization_id == user.organization_id, cls.shared.is_(True))
        return sa.false()

    @property
    def kind_label(self):
        return ORG_DOCUMENT_KIND_LABELS[self.kind]

    @property
    def current(self) -> OrganizationDocumentVersion | None:
        return self.versions[0] if self.versions else None


class OrganizationDocumentVersion(db.Model):
    __tablename__ = "organization_document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number", name="uq_organization_document_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("organization_documents.id", ondelete="CASCADE"),
                                             index=True)
    number: Mapped[int]
    stored_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id", ondelete="RESTRICT"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    document: Mapped[OrganizationDocument] = relationship(back_populates="versions")
    stored: Mapped[StoredFile] = relationship(lazy="joined")
    uploaded_by: Mapped[User | None] = relationship(lazy="joined")


# ---------------------------------------------------------------------------------------------------------------
# Merged records: an organisation or a contact that was merged into another (its old URL redirects).


class MergedRecord(db.Model):
    """One record merged into another: ``entity_type`` ("organizations" or "contacts"), the id that disappeared
    (``old_id``) and the one that stayed (``new_id``). The old URLs redirect by it; a later merge of the survivor
    rewrites the earlier rows' ``new_id`` (A→B then B→C: A→C), so a lookup is one hop."""

    __tablename__ = "merged_records"
    __table_args__ = (
        sa.UniqueConstraint("entity_type", "old_id", name="uq_merged_records_entity_type_old_id"),
        sa.Index("ix_merged_records_entity_type_new_id", "entity_type", "new_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    old_id: Mapped[int]
    new_id: Mapped[int]
    old_name: Mapped[str] = mapped_column(sa.String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
