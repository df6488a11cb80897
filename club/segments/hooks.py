"""What segments adds to the app: on the register, the tag filter, the segments beside the filters and the bulk bar
(checkboxes on the rows); on an organisation's page, its tags and its contacts' tags; how its audit events read and
name their objects; the demo. Everything for the secretariat only: no one else ever sees a tag or a segment."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from club.core import audit
from club.core.registry import registry
from club.forms import ConfirmForm
from club.members.models import MEMBERSHIP_STATUS_LABELS, MembershipStatus
from club.members.queries import RegisterFilters
from club.permissions import Role
from club.segments import demo, jobs, queries  # noqa: F401  (jobs: defines the bulk action's task)
from club.segments.forms import AddTagForm
from club.segments.models import TAG_COLOURS, Segment

BULK_FORM = "bulk-form"


def _staff(user) -> bool:
    return getattr(user, "role", None) == Role.SECRETARIAT


def register_filters(filters: RegisterFilters, user):
    """Inside the register's filter form: the tag filter."""
    if not _staff(user):
        return None
    return {"tags": queries.tag_choices(), "selected": set(filters.tag_ids)}


def register_segments(filters: RegisterFilters, user):
    """Beside the register's filters: save this view, and the segments (own and shared) with their counts."""
    if not _staff(user):
        return None
    rows, more = queries.segments_beside_register(user)
    return {"rows": rows, "more": more, "filter_args": filters.args()}


def register_rows(subject, user):
    """Above the register's rows (or a segment's): the bulk bar; its ``select_form`` puts a checkbox on each row."""
    if not _staff(user):
        return None
    segment = subject if isinstance(subject, Segment) else None
    filters = queries.segment_view(segment).filters if segment is not None else subject
    return {"select_form": BULK_FORM, "segment": segment, "bulk_filter_args": filters.args(),
            "tags": queries.tag_choices(), "statuses": MEMBERSHIP_STATUS_LABELS,
            "status_values": list(MembershipStatus), "csrf_form": ConfirmForm(),
            "can_write": "mailings.new" in current_app.view_functions}


def organization_tags(org, user):
    if not _staff(user):
        return None
    return {"org": org, "tags": queries.organization_tags_of(org.id), "contacts": queries.contacts_tags_of(org.id),
            "add_form": AddTagForm(formdata=None), "remove_form": ConfirmForm(), "known": queries.tag_choices()}


# ---------------------------------------------------------------------------------------------------------------
# How the events read


def _count(changes, key) -> int:
    value = changes.get(key)
    if isinstance(value, list | tuple):
        value = value[-1]
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _bulk_label(counted):
    """``counted(n)``: the action's words for n organisations (an ``ngettext`` call, so the catalogue finds it)."""

    def label(changes) -> str:
        text = counted(_count(changes, "count"))
        skipped = _count(changes, "skipped")
        if skipped:
            text = gettext("%(done)s, %(skipped)s", done=text,
                           skipped=ngettext("%(num)s skipped", "%(num)s skipped", skipped))
        return text
    return label


ACTION_LABELS = {
    "tag.created": _l("Tag created"),
    "tag.updated": _l("Tag edited"),
    "tag.deleted": _l("Tag deleted"),
    "tag.organization_added": _l("Tag added to an organisation"),
    "tag.organization_removed": _l("Tag removed from an organisation"),
    "tag.contact_added": _l("Tag added to a contact"),
    "tag.contact_removed": _l("Tag removed from a contact"),
    "segment.created": _l("Segment saved"),
    "segment.updated": _l("Segment edited"),
    "segment.deleted": _l("Segment deleted"),
    "bulk.tag": _bulk_label(lambda n: ngettext("Bulk tagging: %(num)s organisation",
                                               "Bulk tagging: %(num)s organisations", n)),
    "bulk.untag": _bulk_label(lambda n: ngettext("Bulk untagging: %(num)s organisation",
                                                 "Bulk untagging: %(num)s organisations", n)),
    "bulk.status": _bulk_label(lambda n: ngettext("Bulk status change: %(num)s organisation",
                                                  "Bulk status change: %(num)s organisations", n)),
}

_COUNT = audit.Field(_l("Count"), audit.number, hidden=True)
AUDIT_FIELDS = {
    "tag.": {"name": _l("Name"), "colour": audit.Field(_l("Colour"), {k: v[0] for k, v in TAG_COLOURS.items()}),
             "organisations": audit.Field(_l("Organisations"), audit.number),
             "contacts": audit.Field(_l("Contacts"), audit.number),
             "organization": _l("Organisation"), "contact": _l("Contact")},
    "segment.": {"name": _l("Name"), "is_shared": audit.Field(_l("Shared with the secretariat"), audit.yes_no)},
    "bulk.": {"count": _COUNT, "skipped": audit.Field(_l("Skipped"), audit.number, hidden=True),
              "tag": _l("Tag"), "status": audit.Field(_l("Membership status"), MEMBERSHIP_STATUS_LABELS),
              "audience": _l("Selection")},
}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.section("register_filters", "segments/_register_filters.html", register_filters)
    hooks.section("register", "segments/_register_segments.html", register_segments)
    hooks.section("register_rows", "segments/_bulk_bar.html", register_rows)
    hooks.section("organization", "segments/_organization_tags.html", organization_tags, order=15)
    hooks.action_labels(ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    hooks.subject("bulk_actions", queries.bulk_subjects)
    hooks.subject("segments", queries.segment_subjects)
    hooks.subject("tags", queries.tag_subjects)
    hooks.demo("segments", demo.load)
