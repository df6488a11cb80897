"""A register view in words ("Call centre · Active · Oujda-Angad · tag Jerada"): a segment's page, the new-segment
form, a bulk action's and a mailing's audience."""

from __future__ import annotations

from flask_babel import gettext as _

from club.members import labels
from club.members.queries import RegisterFilters
from club.segments import queries


def describe_filters(filters: RegisterFilters, tags: dict | None = None) -> str:
    """``tags``: the tags by id, read once for a list of views (else read here)."""
    names = labels.as_context()
    parts = []
    if filters.q:
        parts.append(_("search “%(q)s”", q=filters.q))
    for key, mapping in (("kind", "kind_labels"), ("status", "status_labels"), ("province", "province_labels"),
                         ("site", "site_labels"), ("trade", "trade_labels"), ("language", "language_labels")):
        value = getattr(filters, key)
        if value == "none" and key == "status":
            parts.append(_("Not a member"))
        elif value:
            parts.append(names[mapping].get(value, value))
    if filters.tag_ids:
        found = tags if tags is not None else queries.tags_by_id(filters.tag_ids)
        parts.extend(_("tag %(name)s", name=found[t].name) for t in filters.tag_ids if t in found)
    if filters.archived:
        parts.append(_("archived records"))
    return " · ".join(parts) if parts else _("the whole register")
