"""Display labels of the members enums, handed to templates."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from club.members.models import (
    LANGUAGE_LABELS,
    MEMBERSHIP_STATUS_LABELS,
    ORG_KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    PROVINCE_LABELS,
    SITE_LABELS,
    TRADE_LABELS,
)

# Audit actions of the organisation's timeline.
ACTION_LABELS = {
    "organization.created": _l("Organisation created"),
    "organization.updated": _l("Profile updated"),
    "organization.archived": _l("Archived"),
    "organization.restored": _l("Restored"),
    "organization.imported": _l("Imported from a CSV file"),
    "contact.added": _l("Contact added"),
    "contact.updated": _l("Contact updated"),
    "contact.removed": _l("Contact removed"),
    "membership.changed": _l("Membership changed"),
    "dues.recorded": _l("Dues recorded"),
    "dues.reminded": _l("Dues reminder sent"),
    "jobs.commitment_added": _l("Job commitment recorded"),
    "jobs.report_added": _l("Job report recorded"),
}

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
    "action_labels": ACTION_LABELS,
    "sort_labels": SORT_LABELS,
}
_CACHE: dict[str, dict] = {}


def as_context() -> dict:
    """The label dicts translated once per locale (a list page shows hundreds of labels)."""
    locale = str(get_locale() or "fr")
    if locale not in _CACHE:
        _CACHE[locale] = {name: {key: str(label) for key, label in mapping.items()} for name, mapping in _LAZY.items()}
    return {**_CACHE[locale], "status_badges": STATUS_BADGES}
