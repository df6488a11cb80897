"""Display labels of the members enums, handed to templates."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from club.core import audit
from club.extensions import db
from club.members.models import (
    LANGUAGE_LABELS,
    MEMBERSHIP_STATUS_LABELS,
    ORG_KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    PROVINCE_LABELS,
    SITE_LABELS,
    TRADE_LABELS,
    Organization,
)
from club.permissions import visible

# Audit actions of the organisation's timeline.
ACTION_LABELS = {
    "organization.created": _l("Organisation created"),
    "organization.updated": _l("Profile updated"),
    "organization.archived": _l("Organisation archived"),
    "organization.restored": _l("Organisation restored"),
    "organization.imported": lambda changes: import_label(changes),  # with its counts
    "organization.import_file": lambda changes: import_label(changes),
    "members.organization.create": _l("Organisation created for an application"),
    "contact.added": _l("Contact added"),
    "contact.updated": _l("Contact updated"),
    "contact.removed": _l("Contact removed"),
    "membership.changed": _l("Membership changed"),
    "dues.recorded": _l("Dues recorded"),
    "dues.reminded": _l("Dues reminder sent"),
    "jobs.commitment_added": _l("Job commitment recorded"),
    "jobs.report_added": _l("Job report recorded"),
    "dues.corrected": _l("Dues corrected"),
    "dues.deleted": _l("Dues deleted"),
    "jobs.commitment_corrected": _l("Job commitment corrected"),
    "jobs.commitment_deleted": _l("Job commitment deleted"),
    "jobs.report_corrected": _l("Job report corrected"),
    "jobs.report_deleted": _l("Job report deleted"),
}



def _count(changes, key) -> int:
    value = changes.get(key)
    if isinstance(value, list | tuple):
        value = value[-1]
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def import_label(changes) -> str:
    """One import is one event with its counts: "Import: 3 created, 2 updated" (an older per-row event has none)."""
    if not any(key in changes for key in ("created", "updated", "unchanged")):
        return gettext("Imported from a CSV file")
    parts = [ngettext("%(num)s created", "%(num)s created", _count(changes, "created")),
             ngettext("%(num)s updated", "%(num)s updated", _count(changes, "updated"))]
    if _count(changes, "unchanged"):
        parts.append(ngettext("%(num)s unchanged", "%(num)s unchanged", _count(changes, "unchanged")))
    if _count(changes, "contacts_added"):
        parts.append(ngettext("%(num)s contact added", "%(num)s contacts added", _count(changes, "contacts_added")))
    return gettext("Import: %(counts)s", counts=", ".join(parts))


# The fields of the members' events (profile, contacts, membership, dues, jobs, imports).
_COUNT = audit.Field(_l("Count"), audit.number, hidden=True)
AUDIT_FIELDS = {
    "organization.": {
        "name": _l("Name"),
        "kind": audit.Field(_l("Kind"), ORG_KIND_LABELS),
        "ice": _l("ICE"),
        "city": _l("City"),
        "province": audit.Field(_l("Province"), PROVINCE_LABELS),
        "site": audit.Field(_l("Site"), SITE_LABELS),
        "headcount": audit.Field(_l("Headcount"), audit.number),
        "website": _l("Website"),
        "email": _l("Email"),
        "phone": _l("Phone"),
        "description": _l("Description"),
        "trades": audit.Field(_l("Trades"), TRADE_LABELS),
        "languages": audit.Field(_l("Languages served"), LANGUAGE_LABELS),
        "archived_at": audit.Field(_l("Archived on"), audit.moment),
        "primary_contact": _l("Primary contact"),
        # The counts of an import are in its label.
        "created": _COUNT, "updated": _COUNT, "unchanged": _COUNT, "errors": _COUNT, "skipped": _COUNT,
        "contacts_added": _COUNT,
        "file": _l("File"),
    },
    "members.organization.": {
        "name": _l("Name"),
        "kind": audit.Field(_l("Kind"), ORG_KIND_LABELS),
    },
    "contact.": {
        "contact": _l("Contact"),
        "name": _l("Name"),
        "title": _l("Position"),
        "email": _l("Email"),
        "phone": _l("Phone"),
        "is_primary": audit.Field(_l("Primary contact"), audit.yes_no),
    },
    "contact.added": {  # its "name" already says who
        "contact": audit.Field(_l("Contact"), hidden=True),
    },
    "membership.": {
        "status": audit.Field(_l("Status"), MEMBERSHIP_STATUS_LABELS),
        "tier": _l("Tier"),
        "joined_on": audit.Field(_l("Member since"), audit.date),
        "note": _l("Note"),
    },
    "dues.": {
        "year": audit.Field(_l("Year"), str),
        "amount": audit.Field(_l("Amount"), audit.money),
        "invoiced_on": audit.Field(_l("Invoiced on"), audit.date),
        "paid_on": audit.Field(_l("Paid on"), audit.date),
        "method": audit.Field(_l("Payment method"), PAYMENT_METHOD_LABELS),
        "to": _l("Sent to"),
    },
    "jobs.": {
        "jobs_announced": audit.Field(_l("Jobs announced"), audit.number),
        "jobs_created": audit.Field(_l("Jobs created"), audit.number),
        "source": _l("Source"),
        "horizon": audit.Field(_l("Horizon"), audit.date),
        "announced_on": audit.Field(_l("Announced on"), audit.date),
        "reported_on": audit.Field(_l("Reported on"), audit.date),
        "commitment": _l("Commitment"),
        "note": _l("Note"),
        "reports": audit.Field(_l("Job reports"), audit.number),
    },
}


def organisation_subjects(ids, user) -> dict:
    """The organisations of the audit events ``user`` reads that they may open (the one rule, in SQL)."""
    rows = db.session.execute(sa.select(Organization.id, Organization.name)
                              .where(Organization.id.in_(ids), visible(Organization, user)))
    return {row.id: (row.name, url_for("members.detail", org_id=row.id)) for row in rows}


SORT_LABELS = {"name": _l("Name A→Z"), "-name": _l("Name Z→A"), "newest": _l("Newest first"),
               "oldest": _l("Oldest first")}

STATUS_BADGES = {"pending": "text-bg-warning", "active": "text-bg-success", "suspended": "text-bg-danger",
                 "lapsed": "text-bg-secondary", "resigned": "text-bg-dark"}


_LAZY = {
    "kind_labels": ORG_KIND_LABELS,
    "status_labels": MEMBERSHIP_STATUS_LABELS,
    "province_labels": PROVINCE_LABELS,
    "site_labels": SITE_LABELS,
    "trade_labels": TRADE_LABELS,
    "language_labels": LANGUAGE_LABELS,
    "method_labels": PAYMENT_METHOD_LABELS,
    "sort_labels": SORT_LABELS,
}
_CACHE: dict[str, dict] = {}


def as_context() -> dict:
    """The label dicts translated once per locale (a list page shows hundreds of labels)."""
    locale = str(get_locale() or "fr")
    if locale not in _CACHE:
        _CACHE[locale] = {name: {key: str(label) for key, label in mapping.items()} for name, mapping in _LAZY.items()}
    return {**_CACHE[locale], "status_badges": STATUS_BADGES, "select_options": select_options}


_OPTIONS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}


def select_options(key: str, options, selected: str = "", empty=None) -> Markup:
    """The ``<option>``s of a filter's ``<select>``, built once per locale under ``key`` (the caller's name for this
    list: one key, one list of options), then only the selected one marked: the register's eight filters are
    rendered on every page."""
    cache_key = (str(get_locale() or "fr"), key)
    built = _OPTIONS.get(cache_key)
    if built is None:
        first = (("", f'<option value="">{escape(empty)}</option>'),) if empty is not None else ()
        built = first + tuple((str(value), f'<option value="{escape(value)}">{escape(text)}</option>')
                              for value, text in options)
        _OPTIONS[cache_key] = built
    selected = str(selected or "")
    return Markup("".join(html.replace('">', '" selected>', 1) if selected and value == selected else html
                          for value, html in built))
