"""Members services: take data, change the session, audit, queue mail, flush. They never commit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from club.core import audit
from club.core.outbox import already_queued, queue_mail
from club.core.refusals import Refused, check_version
from club.core.text import fold
from club.core.urls import absolute_url
from club.extensions import db
from club.members.models import (
    Contact,
    Dues,
    JobCommitment,
    JobReport,
    Language,
    Membership,
    MembershipChange,
    MembershipStatus,
    MembershipTier,
    Organization,
    OrganizationLanguage,
    OrganizationTrade,
    OrgKind,
    Trade,
    add_months,
    search_text_for,
    search_text_of,
)
from club.members.phones import clean_phone
from club.models import utcnow

PROFILE_FIELDS = ("name", "kind", "ice", "city", "province", "site", "headcount", "website", "email", "phone",
                  "description")
CONTACT_FIELDS = ("name", "title", "email", "phone", "is_primary")
DUES_FIELDS = ("amount", "invoiced_on", "paid_on", "method")

# Allowed membership moves (None: the organisation has no membership yet).
TRANSITIONS: dict[MembershipStatus | None, set[MembershipStatus]] = {
    None: {MembershipStatus.PENDING, MembershipStatus.ACTIVE},
    MembershipStatus.PENDING: {MembershipStatus.ACTIVE, MembershipStatus.RESIGNED},
    MembershipStatus.ACTIVE: {MembershipStatus.SUSPENDED, MembershipStatus.LAPSED, MembershipStatus.RESIGNED},
    MembershipStatus.SUSPENDED: {MembershipStatus.ACTIVE, MembershipStatus.LAPSED, MembershipStatus.RESIGNED},
    MembershipStatus.LAPSED: {MembershipStatus.ACTIVE, MembershipStatus.RESIGNED},
    MembershipStatus.RESIGNED: {MembershipStatus.PENDING, MembershipStatus.ACTIVE},
}


# ---------------------------------------------------------------------------------------------------------------
# Value checks shared by the forms and the CSV import


def clean_ice(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    digits = re.sub(r"[\s.\-]", "", raw.strip())
    if not re.fullmatch(r"\d{15}", digits):
        raise Refused(_l("The ICE is made of 15 digits."))
    return digits


def clean_website(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or "." not in host or len(text) > 255 \
            or not re.fullmatch(r"[a-z0-9.-]+", host) or host.startswith(".") or host.endswith(".") \
            or re.search(r"\s", text):
        raise Refused(_l("Enter a website address such as https://www.example.ma."))
    return text


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_email(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip().lower()
    if len(text) > 254 or not EMAIL_RE.match(text):
        raise Refused(_l("This is not an email address."))
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Refused(_l("This is not an email address.")) from exc


# ---------------------------------------------------------------------------------------------------------------
# Organisations


def refresh_search_text(org: Organization) -> None:
    org.search_text = search_text_of(org)


def find_duplicate(name: str | None, ice: str | None, *, exclude_id: int | None = None) -> Organization | None:
    """Another organisation with the same folded name, or the same ICE."""
    conditions = []
    if name:
        conditions.append(Organization.name_key == Organization.key_for(name))
    if ice:
        conditions.append(Organization.ice == ice)
    if not conditions:
        return None
    stmt = sa.select(Organization).where(sa.or_(*conditions)).order_by(Organization.id).limit(1)
    if exclude_id is not None:
        stmt = stmt.where(Organization.id != exclude_id)
    return db.session.scalar(stmt)


class Duplicate(Refused):
    """Another organisation has the same folded name or the same ICE: ``existing``."""

    def __init__(self, existing: Organization):
        super().__init__(TAKEN, field="name")
        self.existing = existing


TAKEN = _l("An organisation with this name or ICE already exists.")


@contextmanager
def refusing_breaches(message, field: str) -> Iterator[None]:
    """A unique constraint breached by a simultaneous request (behind the checks above it) is ``Refused(message,
    field)``, never a 500: the caller rolls back, as for any refusal. (The message is read first: once a flush
    failed, the session cannot load what translating it reads, the person's language.)"""
    text = str(message) if has_request_context() else message
    try:
        yield
    except sa.exc.IntegrityError as exc:
        raise Refused(text, field=field) from exc


def lock_organization(org: Organization) -> None:
    """Serialise the writers of one organisation's sections (contacts, dues, jobs) until the commit.

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the organisation row. SQLite: a no-op UPDATE of the row starts the
    write transaction at once (SQLite serialises writers, like ``BEGIN IMMEDIATE``). Then everything loaded
    before is expired, so every check that follows reads the latest committed rows (twenty identical requests:
    the first one wins, the others see it and are refused at the field).
    """
    table = Organization.__table__
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(table.c.id == org.id).values(updated_at=table.c.updated_at))
    else:
        db.session.execute(sa.select(table.c.id).where(table.c.id == org.id).with_for_update())
    db.session.expire_all()


def _set_lists(org: Organization, trades, languages) -> dict:
    changes = {}
    if trades is not None:
        old = sorted(t.value for t in org.trade_values)
        new = sorted({Trade(t).value for t in trades})
        if old != new:
            org.trades = [OrganizationTrade(trade=Trade(t)) for t in new]
            changes["trades"] = [old, new]
    if languages is not None:
        old = sorted(lang.value for lang in org.language_values)
        new = sorted({Language(v).value for v in languages})
        if old != new:
            org.languages = [OrganizationLanguage(language=Language(v)) for v in new]
            changes["languages"] = [old, new]
    return changes


CLEANERS = {"ice": clean_ice, "website": clean_website, "email": clean_email, "phone": clean_phone}


def cleaned(data: dict) -> dict:
    """``data`` with its ICE, website, email and phone as they are stored (the phone in E.164), whoever the caller;
    cleaning twice changes nothing, so the forms' cleaning stays. ``Refused`` at the field otherwise."""
    data = dict(data)
    for key, clean in CLEANERS.items():
        if data.get(key) is not None:
            try:
                data[key] = clean(data[key])
            except Refused as refused:
                raise Refused(refused.message, field=key) from refused
    return data


def create_organization(data: dict, *, by) -> Organization:
    """``data``: the profile fields, plus optional ``trades`` and ``languages`` lists."""
    data = cleaned(data)
    existing = find_duplicate(data.get("name"), data.get("ice"))
    if existing is not None:
        raise Duplicate(existing)
    org = Organization(**{k: data.get(k) for k in PROFILE_FIELDS})
    org.name_key = Organization.key_for(org.name)
    org.contacts = []
    with refusing_breaches(TAKEN, "name"):
        db.session.add(org)
        _set_lists(org, data.get("trades") or [], data.get("languages") or [])
        refresh_search_text(org)
        db.session.flush()
    audit.record("organization.created", org, by=by,
                 changes={k: [None, getattr(org, k)] for k in PROFILE_FIELDS if getattr(org, k) is not None})
    return org


def create_organization_for(name: str, kind, *, by, **fields) -> Organization:
    """The one way another domain adds an organisation to the register (``incubator`` for an accepted startup).

    ``name`` and ``kind`` (an ``OrgKind`` or its value); ``fields``: any other profile field (``ice``, ``city``,
    ``province``, ``site``, ``headcount``, ``website``, ``email``, ``phone``, ``description``) and ``trades``,
    ``languages`` lists. The ICE, website, email and phone are cleaned as the forms clean them (the phone stored
    in E.164). Raises ``Duplicate`` (a ``Refused`` carrying ``existing``) or ``Refused`` at the field.
    """
    unknown = set(fields) - set(PROFILE_FIELDS) - {"trades", "languages"}
    if unknown:
        raise TypeError(f"not a field of an organisation: {', '.join(sorted(unknown))}")
    name = " ".join((name or "").split())
    if not name:
        raise Refused(_l("An organisation needs a name."), field="name")
    return create_organization({**fields, "name": name, "kind": OrgKind(kind)}, by=by)


def update_organization(org: Organization, data: dict, *, by, version=None) -> dict:
    """Apply the profile fields in ``data``; returns the changes (empty when nothing changed). ``version``: the
    version the form was read at (``Stale`` when the profile was saved since)."""
    if version is not None:
        check_version(org, version)
    data = cleaned(data)
    existing = find_duplicate(data.get("name", org.name), data.get("ice", org.ice), exclude_id=org.id)
    if existing is not None:
        raise Duplicate(existing)
    with refusing_breaches(TAKEN, "name"):
        for key in PROFILE_FIELDS:
            if key in data:
                setattr(org, key, data[key])
        org.name_key = Organization.key_for(org.name)
        changes = audit.diff(org, PROFILE_FIELDS)
        changes.update(_set_lists(org, data.get("trades"), data.get("languages")))
        if changes:
            refresh_search_text(org)
            if "trades" in changes or "languages" in changes:
                org.updated_at = utcnow()  # bumps the version too: the lists are part of the profile
            db.session.flush()
            audit.record("organization.updated", org, by=by, changes=changes)
    return changes


def archive_organization(org: Organization, *, by) -> None:
    if org.archived_at is None:
        org.archived_at = utcnow()
        db.session.flush()
        audit.record("organization.archived", org, by=by, changes={"archived_at": [None, org.archived_at]})


def restore_organization(org: Organization, *, by) -> None:
    if org.archived_at is not None:
        old = org.archived_at
        org.archived_at = None
        db.session.flush()
        audit.record("organization.restored", org, by=by, changes={"archived_at": [old, None]})


# ---------------------------------------------------------------------------------------------------------------
# Contacts


def _clear_primary(org: Organization, keep: Contact | None = None) -> None:
    for other in org.contacts:
        if other is not keep and other.is_primary:
            other.is_primary = False
    db.session.flush()  # the one-primary unique index must see the old primary gone first


CONTACTS_CHANGED = _l("Someone changed the contacts at the same moment: check the list and try again.")


def add_contact(org: Organization, data: dict, *, by) -> Contact:
    """Add a contact; a second contact of the same name (a double submit, a duplicate) is refused.

    The organisation is locked first, so the checks read the latest contacts; the one-primary index and the
    version columns stay as backstops (a breach is refused like the rest)."""
    data = cleaned({k: v for k, v in data.items() if k in CONTACT_FIELDS})
    lock_organization(org)
    if any(c.name_key == fold(data["name"]) for c in org.contacts):
        raise Refused(_l("%(name)s is already a contact of this organisation.", name=data["name"]), field="name")
    contact = Contact(**{k: data.get(k) for k in CONTACT_FIELDS})
    contact.is_primary = bool(data.get("is_primary")) or not any(c.is_primary for c in org.contacts)
    contact.name_key = fold(contact.name)
    with refusing_breaches(CONTACTS_CHANGED, "name"):
        if contact.is_primary:
            _clear_primary(org)
        org.contacts.append(contact)
        refresh_search_text(org)
        db.session.flush()
    audit.record("contact.added", org, by=by,
                 changes={"contact": [None, contact.name], **{k: [None, getattr(contact, k)] for k in CONTACT_FIELDS
                                                              if getattr(contact, k) not in (None, False)}})
    return contact


def update_contact(contact: Contact, data: dict, *, by, version=None) -> dict:
    """Change a contact's details; ``version``: the contact's version the form was read at (``Stale``)."""
    if version is not None:
        check_version(contact, version)
    data = cleaned({k: v for k, v in data.items() if k in CONTACT_FIELDS})
    org = contact.organization
    if data.get("name") and any(c.name_key == fold(data["name"]) and c is not contact for c in org.contacts):
        raise Refused(_l("%(name)s is already a contact of this organisation.", name=data["name"]), field="name")
    with refusing_breaches(CONTACTS_CHANGED, "name"):
        if data.get("is_primary") and not contact.is_primary:
            _clear_primary(org, keep=contact)
        for key in CONTACT_FIELDS:
            if key in data:
                setattr(contact, key, data[key])
        contact.name_key = fold(contact.name)
        changes = audit.diff(contact, CONTACT_FIELDS)
        if changes:
            refresh_search_text(org)
            db.session.flush()
            audit.record("contact.updated", org, by=by, changes={"contact": [contact.name, contact.name], **changes})
    return changes


def remove_contact(contact: Contact, *, by) -> None:
    org = contact.organization
    name = contact.name
    org.contacts.remove(contact)
    db.session.delete(contact)
    refresh_search_text(org)
    db.session.flush()
    audit.record("contact.removed", org, by=by, changes={"contact": [name, None]})


# ---------------------------------------------------------------------------------------------------------------
# Membership, dues


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()  # ``change_membership(tier=...)``/``renews_on``: leave the value as it is


def change_membership(org: Organization, status: MembershipStatus, *, by, tier=UNCHANGED,
                      joined_on: date | None = None, renews_on=UNCHANGED, note: str | None = None) -> Membership:
    """Set the membership's status (a move of ``TRANSITIONS``), and its tier (a ``MembershipTier``, or None for no
    tier; left as it is by default), its joining date and its renewal date (``renews_on``; by default, once the
    membership is active with a tier and has none, the end of its current period: ``current_period_end``)."""
    lock_organization(org)  # twenty identical changes: the first one changes, the others find nothing to change
    membership = org.membership
    current = membership.status if membership else None
    if status != current and status not in TRANSITIONS[current]:
        raise Refused(_l("This status cannot follow the current one."), field="status")
    old_tier = membership.tier.name if membership is not None and membership.tier is not None else None
    if membership is None:
        membership = Membership(organization=org, status=status, tier=None if tier is UNCHANGED else tier,
                                joined_on=joined_on or (date.today() if status == MembershipStatus.ACTIVE else None))
        db.session.add(membership)
    else:
        membership.status = status
        if tier is not UNCHANGED:
            membership.tier = tier
        if joined_on is not None:
            membership.joined_on = joined_on
        elif status == MembershipStatus.ACTIVE and membership.joined_on is None:
            membership.joined_on = date.today()
    if renews_on is not UNCHANGED and renews_on is not None:
        membership.renews_on = renews_on
    elif membership.renews_on is None and membership.status == MembershipStatus.ACTIVE \
            and membership.tier is not None and membership.joined_on is not None:
        membership.renews_on = current_period_end(membership.joined_on, membership.tier.period_months)
    changes = audit.diff(membership, ("status", "joined_on", "renews_on"))  # before the flush resets the history
    new_tier = membership.tier.name if membership.tier is not None else None
    if new_tier != old_tier:
        changes["tier"] = [old_tier, new_tier]
    db.session.flush()
    if current is None:
        changes = {"status": [None, status], "tier": [None, new_tier], "joined_on": [None, membership.joined_on],
                   "renews_on": [None, membership.renews_on]}
    if status != current:
        db.session.add(MembershipChange(membership=membership, from_status=current, to_status=status,
                                        by_id=getattr(by, "id", None), note=note or None))
    if changes:
        if note:
            changes["note"] = [None, note]
        audit.record("membership.changed", org, by=by, changes=changes)
    db.session.flush()
    return membership


def record_dues(org: Organization, year: int, *, amount: Decimal, by, invoiced_on: date | None = None,
                paid_on: date | None = None, method=None) -> Dues:
    """Record the dues of a new year. A year already recorded is refused (it is corrected, knowingly, through
    ``update_dues``): twenty identical submissions record it once and never overwrite silently."""
    lock_organization(org)
    recorded = _l("The dues for %(year)s are already recorded: correct them in the table above.", year=year)
    if db.session.scalar(sa.select(Dues.id).where(Dues.organization_id == org.id, Dues.year == year)) is not None:
        raise Refused(recorded, field="year")
    dues = Dues(organization_id=org.id, year=year, amount=Decimal(amount).quantize(Decimal("0.01")),
                invoiced_on=invoiced_on, paid_on=paid_on, method=method)
    with refusing_breaches(recorded, "year"):  # the unique (organisation, year) constraint, behind the lock
        db.session.add(dues)
        db.session.flush()
    give_receipt_number(dues)
    changes = {k: [None, getattr(dues, k)] for k in (*DUES_FIELDS, "receipt_number") if getattr(dues, k) is not None}
    audit.record("dues.recorded", org, by=by, changes={"year": [year, year], **changes})
    return dues


def update_dues(dues: Dues, data: dict, *, by, version=None) -> dict:
    """Correct a year's dues (amount, dates, method); audited old -> new. Returns the changes. ``version``: the
    version the form was read at (``Stale`` when someone saved the dues since)."""
    if data.get("paid_on") is not None and dues.receipt_number is None:
        # A receipt number is to be given: write from here on (SQLite), on the dues as saved now.
        db.session.flush()
        lock_organization(dues.organization)
        db.session.refresh(dues)
    if version is not None:
        check_version(dues, version)
    if data.get("amount") is not None:
        data = {**data, "amount": Decimal(data["amount"]).quantize(Decimal("0.01"))}
    for key in DUES_FIELDS:
        if key in data:
            setattr(dues, key, data[key])
    changes = audit.diff(dues, DUES_FIELDS)
    if changes:
        number = dues.receipt_number
        give_receipt_number(dues)
        if dues.receipt_number != number:
            changes["receipt_number"] = [None, dues.receipt_number]
        db.session.flush()
        audit.record("dues.corrected", dues.organization, by=by, changes={"year": [dues.year, dues.year], **changes})
    return changes


def give_receipt_number(dues: Dues) -> str | None:
    """Number the receipt of dues recorded as paid, once: "2026-0007", the 7th receipt of the payment's year.

    The year's counter row is incremented by one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), which
    holds that row's lock until the commit: simultaneous payments, of one organisation or several, wait for each
    other and get distinct, consecutive numbers; a transaction rolled back gives its number back (no gap). A
    number once given stays with the dues: a corrected payment keeps it, a cleared payment keeps it reserved
    (paid again, the same receipt is issued).
    """
    if dues.paid_on is None or dues.receipt_number is not None:
        return dues.receipt_number
    from sqlalchemy.dialects import postgresql, sqlite

    from club.members.models import ReceiptCounter

    year = dues.paid_on.year
    table = ReceiptCounter.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    number = db.session.execute(
        dialect.insert(table).values(year=year, last_number=1)
        .on_conflict_do_update(index_elements=[table.c.year], set_={"last_number": table.c.last_number + 1})
        .returning(table.c.last_number)).scalar_one()
    dues.receipt_number = f"{year}-{number:04d}"
    return dues.receipt_number


def delete_dues(dues: Dues, *, by) -> None:
    org = dues.organization
    old = {k: [getattr(dues, k), None] for k in (*DUES_FIELDS, "receipt_number") if getattr(dues, k) is not None}
    year = dues.year
    db.session.delete(dues)
    db.session.flush()
    db.session.expire(org, ["dues"])
    audit.record("dues.deleted", org, by=by, changes={"year": [year, None], **old})


# ---------------------------------------------------------------------------------------------------------------
# Jobs


def add_commitment(org: Organization, *, jobs_announced: int, by, horizon: date | None = None,
                   announced_on: date | None = None, source: str | None = None) -> JobCommitment:
    lock_organization(org)
    if any((c.jobs_announced, c.announced_on, c.horizon, c.source) == (jobs_announced, announced_on, horizon, source)
           for c in org.job_commitments):  # a double submit
        raise Refused(_l("This commitment is already recorded."), field="jobs_announced")
    commitment = JobCommitment(organization_id=org.id, jobs_announced=jobs_announced, horizon=horizon,
                               announced_on=announced_on, source=source)
    db.session.add(commitment)
    db.session.flush()
    audit.record("jobs.commitment_added", org, by=by,
                 changes={"jobs_announced": [None, jobs_announced], "source": [None, source]})
    return commitment


COMMITMENT_FIELDS = ("jobs_announced", "announced_on", "horizon", "source")
REPORT_FIELDS = ("reported_on", "jobs_created", "note")


def update_commitment(commitment: JobCommitment, data: dict, *, by, version=None) -> dict:
    """Correct a job commitment; audited old -> new. Returns the changes (``version``: see ``update_dues``)."""
    if version is not None:
        check_version(commitment, version)
    for key in COMMITMENT_FIELDS:
        if key in data:
            setattr(commitment, key, data[key])
    changes = audit.diff(commitment, COMMITMENT_FIELDS)
    if changes:
        db.session.flush()
        audit.record("jobs.commitment_corrected", commitment.organization, by=by,
                     changes={"commitment": [commitment.source or commitment.id, commitment.source or commitment.id],
                              **changes})
    return changes


def delete_commitment(commitment: JobCommitment, *, by) -> None:
    """Delete a commitment and its reports (they count for nothing without it)."""
    org = commitment.organization
    old = {k: [getattr(commitment, k), None] for k in COMMITMENT_FIELDS if getattr(commitment, k) is not None}
    reports = len(commitment.reports)
    db.session.delete(commitment)
    db.session.flush()
    db.session.expire(org, ["job_commitments"])
    audit.record("jobs.commitment_deleted", org, by=by,
                 changes={**old, "jobs_created": [commitment.jobs_created, None], "reports": [reports, None]})


def check_report_date(commitment: JobCommitment, reported_on: date | None) -> None:
    if reported_on and commitment.announced_on and reported_on < commitment.announced_on:
        raise Refused(_l("A report cannot come before its commitment (announced on %(date)s).",
                         date=format_date(commitment.announced_on)), field="reported_on")


def _refresh_jobs_created(commitment: JobCommitment) -> int:
    """The commitment's figure is the latest report's (0 without reports); returns the old figure."""
    db.session.flush()
    old = commitment.jobs_created
    commitment.jobs_created = db.session.scalar(
        sa.select(JobReport.jobs_created).where(JobReport.commitment_id == commitment.id)
        .order_by(JobReport.reported_on.desc(), JobReport.id.desc()).limit(1)) or 0
    db.session.expire(commitment, ["reports"])
    db.session.flush()
    return old


def add_job_report(commitment: JobCommitment, *, reported_on: date, jobs_created: int, by,
                   note: str | None = None) -> JobReport:
    """A dated count of the jobs created to date against ``commitment`` (the latest report is the figure)."""
    check_report_date(commitment, reported_on)
    lock_organization(commitment.organization)
    if any((r.reported_on, r.jobs_created) == (reported_on, jobs_created) for r in commitment.reports):
        raise Refused(_l("This report is already recorded."), field="reported_on")  # a double submit
    report = JobReport(commitment_id=commitment.id, reported_on=reported_on, jobs_created=jobs_created,
                       note=note or None, reported_by_id=getattr(by, "id", None))
    db.session.add(report)
    old = _refresh_jobs_created(commitment)
    audit.record("jobs.report_added", commitment.organization, by=by,
                 changes={"reported_on": [None, reported_on], "jobs_created": [old, commitment.jobs_created],
                          "commitment": [None, commitment.source or commitment.id]})
    return report


def update_job_report(report: JobReport, data: dict, *, by, version=None) -> dict:
    """Correct a job report; the commitment's figure follows. Audited old -> new. Returns the changes
    (``version``: see ``update_dues``)."""
    if version is not None:
        check_version(report, version)
    commitment = report.commitment
    check_report_date(commitment, data.get("reported_on", report.reported_on))
    for key in REPORT_FIELDS:
        if key in data:
            setattr(report, key, data[key] if key != "note" else (data[key] or None))
    changes = audit.diff(report, REPORT_FIELDS)
    if changes:
        _refresh_jobs_created(commitment)
        audit.record("jobs.report_corrected", commitment.organization, by=by,
                     changes={"commitment": [commitment.source or commitment.id, commitment.source or commitment.id],
                              **changes})
    return changes


def delete_job_report(report: JobReport, *, by) -> None:
    commitment = report.commitment
    old = {k: [getattr(report, k), None] for k in REPORT_FIELDS if getattr(report, k) is not None}
    db.session.delete(report)
    _refresh_jobs_created(commitment)
    audit.record("jobs.report_deleted", commitment.organization, by=by,
                 changes={"commitment": [commitment.source or commitment.id, commitment.source or commitment.id],
                          **old})


# ---------------------------------------------------------------------------------------------------------------
# Dues reminders


def remind_dues(year: int, *, by=None) -> int:
    """Queue one reminder per active member with unpaid dues for ``year``, to its primary contact.

    Idempotent: each message carries a dedup key, so running it again queues nothing twice.
    """
    rows = db.session.execute(
        sa.select(Organization, Dues, Contact)
        .join(Membership, Membership.organization_id == Organization.id)
        .join(Dues, sa.and_(Dues.organization_id == Organization.id, Dues.year == year))
        .join(Contact, sa.and_(Contact.organization_id == Organization.id, Contact.is_primary.is_(True)))
        .where(Membership.status == MembershipStatus.ACTIVE, Dues.paid_on.is_(None), Organization.archived_at.is_(None),
               Contact.email.is_not(None))
        .order_by(Organization.name_key, Organization.id)
    ).all()
    queued = 0
    for org, dues, contact in rows:
        key = f"members:dues-reminder:{org.id}:{year}"
        if already_queued(key):
            continue
        queue_mail("members_dues_reminder", contact.email, subject=_l("Club dues %(year)s: reminder", year=year),
                   locale="fr", dedup_key=key,
                   context={"org": org, "dues": dues, "contact": contact, "year": year,
                            "url": absolute_url("members.detail", org_id=org.id)})
        audit.record("dues.reminded", org, by=by, changes={"year": [year, year], "to": [None, contact.email]})
        queued += 1
    db.session.flush()
    return queued


# ---------------------------------------------------------------------------------------------------------------
# CSV import (rows already parsed, checked, matched and compared by club.members.importer)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    contacts_added: int = 0


def apply_import(rows: list, *, by, source=None) -> ImportResult:
    """Apply a checked import in one transaction and record it as ONE audit event with its counts.

    ``rows``: ``importer.ImportRow``s. A ``new`` row creates an organisation (and its contact as primary); an
    ``update`` row applies exactly the changes the preview showed (``row.changes``) and its contact plan (add the
    person beside the others, the existing primary staying primary; or update the same person's details); an
    ``unchanged`` row is only counted. Any other row (an error, a match left unconfirmed) refuses the whole import.
    New organisations are bulk-inserted (10,000 rows in a few seconds); updates go through the ORM (version
    checked). ``source``: the uploaded file the event is attached to.
    """
    from sqlalchemy.orm import selectinload

    refused = [r.number for r in rows if r.status not in ("new", "update", "unchanged")]
    if refused:
        raise Refused(_l("Row %(n)s is not ready to import.", n=refused[0]))
    result = ImportResult(unchanged=sum(1 for r in rows if r.status == "unchanged"))
    updates = [r for r in rows if r.status == "update"]
    existing: dict[int, Organization] = {}
    ids = [r.match_id for r in updates]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for org in db.session.scalars(
            sa.select(Organization).where(Organization.id.in_(chunk))
            .options(selectinload(Organization.contacts), selectinload(Organization.trades),
                     selectinload(Organization.languages))
        ):
            existing[org.id] = org
    for row in updates:
        org = existing[row.match_id]
        for key, (_old, new) in row.changes.items():
            if key not in ("trades", "languages"):
                setattr(org, key, new)
        org.name_key = Organization.key_for(org.name)
        lists = _set_lists(org, row.trades if "trades" in row.changes else None,
                           row.languages if "languages" in row.changes else None)
        if lists:
            org.updated_at = utcnow()  # bumps the version too: the lists are part of the profile
        if row.contact_action in ("primary", "added"):
            contact = Contact(**{k: row.contact.get(k) for k in ("name", "title", "email", "phone")},
                              name_key=fold(row.contact["name"]),
                              is_primary=not any(c.is_primary for c in org.contacts))
            org.contacts.append(contact)
            result.contacts_added += 1
        elif row.contact_action == "updated":
            contact = next(c for c in org.contacts if c.id == row.contact_id)
            for key, (_old, new) in row.contact_changes.items():
                setattr(contact, key, new)
        refresh_search_text(org)
        result.updated += 1
    db.session.flush()

    new_rows = [r for r in rows if r.status == "new"]
    now = utcnow()
    for start in range(0, len(new_rows), 1000):
        batch = new_rows[start:start + 1000]
        values = []
        for row in batch:
            data = row.fields
            contact = row.contact
            values.append({**{k: data.get(k) for k in PROFILE_FIELDS}, "name_key": Organization.key_for(data["name"]),
                           "search_text": search_text_for(
                               data["name"], data.get("description"),
                               [(contact["name"], contact.get("title"), contact.get("email"), contact.get("phone"))]
                               if contact else [], ice=data.get("ice"), email=data.get("email"),
                               phone=data.get("phone")),
                           "created_at": now, "updated_at": now, "version": 1})
        new_ids = list(db.session.scalars(
            sa.insert(Organization).returning(Organization.id, sort_by_parameter_order=True), values))
        contacts, trades, languages = [], [], []
        for org_id, row in zip(new_ids, batch, strict=True):
            contact = row.contact
            if contact:
                contacts.append({"organization_id": org_id, "name": contact["name"], "name_key": fold(contact["name"]),
                                 "title": contact.get("title"), "email": contact.get("email"),
                                 "phone": contact.get("phone"), "is_primary": True, "created_at": now,
                                 "updated_at": now, "version": 1})
            trades += [{"organization_id": org_id, "trade": t} for t in row.trades or []]
            languages += [{"organization_id": org_id, "language": v} for v in row.languages or []]
        for model, items in ((Contact, contacts), (OrganizationTrade, trades), (OrganizationLanguage, languages)):
            if items:
                db.session.execute(sa.insert(model), items)
        result.created += len(batch)
        result.contacts_added += len(contacts)
    audit.record("organization.imported", source, by=by, entity_type=None if source is not None else "organizations",
                 changes={"created": [None, result.created], "updated": [None, result.updated],
                          "unchanged": [None, result.unchanged], "contacts_added": [None, result.contacts_added]})
    db.session.flush()
    return result


# --- Dues follow-up, tiers and renewals ------------------------------------------------------------------------
# Tiers (fee and period), the renewal of a membership (its next period, the dues of that period's year), its end
# (the organisation a non-member again), and the renewal reminders.

TIER_FIELDS = ("name", "annual_fee", "period_months", "position", "is_active")
RENEWAL_NOTICE_DAYS = 30  # memberships renewing within this many days are due (listed, reminded)


def _today() -> date:
    from club.core.timezones import local_today

    return local_today()


def current_period_end(start: date, months: int, today: date | None = None) -> date:
    """The end of the period running today, for a membership that started on ``start`` with periods of ``months``:
    ``start`` plus the first multiple of the period that falls after today."""
    today = today or _today()
    steps = 1
    end = add_months(start, months)
    while end <= today:
        steps += 1
        end = add_months(start, months * steps)
    return end


def dues_year_of_period(start: date, end: date) -> int:
    """The calendar year a membership period belongs to, for its dues: the year of its middle day (a period from
    20 December 2026 to 20 December 2027 is 2027's; from 5 January 2026 to 5 January 2027, 2026's)."""
    return (start + (end - start) / 2).year


TIER_TAKEN = _l("A tier of this name already exists.")


def _check_tier_name(name: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(MembershipTier.id).where(sa.func.lower(MembershipTier.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(MembershipTier.id != exclude_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise Refused(TIER_TAKEN, field="name")


def _tier_values(data: dict) -> dict:
    values = {k: data[k] for k in TIER_FIELDS if k in data}
    if "name" in values:
        values["name"] = " ".join((values["name"] or "").split())
        if not values["name"]:
            raise Refused(_l("A tier needs a name."), field="name")
    if values.get("annual_fee") is not None:
        values["annual_fee"] = Decimal(values["annual_fee"]).quantize(Decimal("0.01"))
        if values["annual_fee"] < 0:
            raise Refused(_l("An amount cannot be negative."), field="annual_fee")
    # The fee is annual and each renewal invoices the year its period falls in: a period longer than a year would
    # leave years unbilled, so a period lasts a year at most.
    if "period_months" in values and not 1 <= int(values["period_months"]) <= 12:
        raise Refused(_l("A period lasts from 1 to 12 months."), field="period_months")
    return values


def create_tier(data: dict, *, by) -> MembershipTier:
    """A new tier (``data``: name, annual_fee, period_months, position, is_active); a name taken is refused."""
    values = _tier_values(data)
    _check_tier_name(values["name"])
    if values.get("position") is None:
        values["position"] = (db.session.scalar(sa.select(sa.func.max(MembershipTier.position))) or 0) + 1
    tier = MembershipTier(**{"annual_fee": Decimal("0.00"), "period_months": 12, "is_active": True, **values})
    with refusing_breaches(TIER_TAKEN, "name"):
        db.session.add(tier)
        db.session.flush()
    audit.record("tier.created", tier, by=by, changes={k: [None, getattr(tier, k)] for k in TIER_FIELDS})
    return tier


def update_tier(tier: MembershipTier, data: dict, *, by, version=None) -> dict:
    """Change a tier (its fee and period apply to the next renewals, not to dues already invoiced); ``Stale`` when
    it was saved since ``version``. Returns the changes."""
    if version is not None:
        check_version(tier, version)
    values = _tier_values(data)
    if "name" in values:
        _check_tier_name(values["name"], exclude_id=tier.id)
    with refusing_breaches(TIER_TAKEN, "name"):
        for key, value in values.items():
            if value is not None or key != "position":
                setattr(tier, key, value)
        changes = audit.diff(tier, TIER_FIELDS)
        if changes:
            db.session.flush()
            audit.record("tier.updated", tier, by=by, changes=changes)
    return changes


@dataclass
class Renewal:
    renews_on: date  # the new end of the period
    dues: Dues | None  # the dues invoiced for the new period, if any


def renewal_plan(membership: Membership, today: date | None = None) -> tuple[date, date, int | None]:
    """(start, end, dues year or None) of the period a renewal would add: from the current ``renews_on`` (or
    today, for a membership without one) plus the tier's period; the year when the tier has a fee."""
    tier = membership.tier
    start = membership.renews_on or today or _today()
    end = add_months(start, tier.period_months)
    year = dues_year_of_period(start, end) if tier.annual_fee and tier.annual_fee > 0 else None
    return start, end, year


def renew_membership(membership: Membership, *, by, expected=UNCHANGED, today: date | None = None) -> Renewal:
    """Extend an active membership by its tier's period; when the tier has a fee and the dues of the new period's
    year (``dues_year_of_period``) are not recorded yet, invoice them today (``record_dues``). Audited.

    ``expected``: the renewal date the person saw (None: none); when it has moved since (renewed meanwhile: a double click,
    a colleague), ``Refused`` and nothing changes, so a period is never added twice by accident."""
    org = membership.organization
    lock_organization(org)
    membership = org.membership
    today = today or _today()
    if membership is None or membership.status != MembershipStatus.ACTIVE:
        raise Refused(_l("Only an active membership can be renewed."))
    if membership.tier is None:
        raise Refused(_l("Choose the membership's tier first: its period says how long a renewal lasts."))
    if expected is not UNCHANGED and membership.renews_on != expected:
        from flask_babel import LazyString, gettext

        renews_on = membership.renews_on
        raise Refused(LazyString(lambda: gettext("This membership was renewed meanwhile: it now renews on %(date)s.",
                                                 date=format_date(renews_on) if renews_on else "—")))
    start, end, year = renewal_plan(membership, today)
    old = membership.renews_on
    membership.renews_on = end
    db.session.flush()
    dues = None
    if year is not None and db.session.scalar(
            sa.select(Dues.id).where(Dues.organization_id == org.id, Dues.year == year)) is None:
        dues = record_dues(org, year, amount=membership.tier.annual_fee, invoiced_on=today, by=by)
    changes = {"renews_on": [old, end], "tier": [membership.tier.name, membership.tier.name]}
    if dues is not None:
        changes["dues_year"] = [None, year]
    audit.record("membership.renewed", org, by=by, changes=changes)
    return Renewal(renews_on=end, dues=dues)


def end_membership(org: Organization, *, reason: str, by) -> None:
    """The organisation becomes a non-member again: its membership row goes (with its status history; the audit
    trail keeps the old status, tier and dates, and the reason). Its dues stay. Refused when it is no member."""
    lock_organization(org)
    membership = org.membership
    if membership is None:
        raise Refused(_l("This organisation is not a member (any more)."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused(_l("Say why the membership ends."), field="reason")
    changes = {"status": [membership.status, None], "tier": [membership.tier.name if membership.tier else None, None],
               "joined_on": [membership.joined_on, None], "renews_on": [membership.renews_on, None],
               "reason": [None, reason]}
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(org, ["membership"])
    audit.record("membership.ended", org, by=by, changes=changes)


def _renewal_subject(context: dict) -> str:
    from flask_babel import gettext

    return gettext("Your club membership renews on %(date)s", date=format_date(context["membership"].renews_on))


def renewal_reminder_key(membership: Membership) -> str:
    return f"members:renewal-reminder:{membership.id}:{membership.renews_on.isoformat()}"


def remind_renewals(today: date | None = None, *, by=None) -> int:
    """Queue one reminder per active membership renewing within ``RENEWAL_NOTICE_DAYS`` (or overdue), once per
    period (the dedup key names the membership and its renewal date: a renewal starts a new period, so a new
    reminder). To the organisation's primary contact, else its first member account; in English when every
    member account of the organisation reads English, in French otherwise. Returns how many were queued."""
    from club.auth.models import User
    from club.core.models import OutboxMessage
    from club.permissions import Role

    today = today or _today()
    horizon = date.fromordinal(today.toordinal() + RENEWAL_NOTICE_DAYS)
    rows = db.session.execute(
        sa.select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.status == MembershipStatus.ACTIVE, Membership.renews_on.is_not(None),
               Membership.renews_on <= horizon, Organization.archived_at.is_(None))
        .options(sa.orm.selectinload(Membership.tier))
        .order_by(Membership.renews_on, Membership.id)).all()
    queued = 0
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        keys = {renewal_reminder_key(m): (m, org) for m, org in chunk}
        sent = set(db.session.scalars(sa.select(OutboxMessage.dedup_key)
                                      .where(OutboxMessage.dedup_key.in_(list(keys)))))
        ids = [org.id for _m, org in chunk]
        primary = dict(db.session.execute(
            sa.select(Contact.organization_id, Contact.email)
            .where(Contact.organization_id.in_(ids), Contact.is_primary.is_(True), Contact.email.is_not(None))).all())
        accounts: dict[int, list[tuple[str, str]]] = {}
        for org_id, email, locale in db.session.execute(
                sa.select(User.organization_id, User.email, User.locale)
                .where(User.organization_id.in_(ids), User.role == Role.MEMBER, User.active.is_(True))
                .order_by(User.id)):
            accounts.setdefault(org_id, []).append((email, locale))
        for key, (membership, org) in keys.items():
            if key in sent:
                continue
            people = accounts.get(org.id, [])
            to = primary.get(org.id) or (people[0][0] if people else None)
            if not to:
                continue
            locale = "en" if people and all(loc == "en" for _e, loc in people) else "fr"
            fee = membership.tier.annual_fee if membership.tier is not None else None
            queue_mail("membership_renewal", to, locale=locale, dedup_key=key,
                       subject=_renewal_subject,
                       context={"org": org, "membership": membership, "tier": membership.tier, "fee": fee,
                                "overdue": membership.renews_on < today,
                                "url": absolute_url("members.detail", org_id=org.id)})
            audit.record("membership.renewal_reminded", org, by=by,
                         changes={"renews_on": [membership.renews_on, membership.renews_on], "to": [None, to]})
            queued += 1
    db.session.flush()
    return queued
