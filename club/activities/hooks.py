"""What activities adds to the app: the organisation page's timeline (replacing its "History" card), the activities
linked to a deal, an application, a mission or a programme on their pages, the secretariat's open tasks on its
home, how its audit events read and name their objects, the demo."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from club.activities import demo, queries
from club.activities.models import FILTER_LABELS, KIND_LABELS
from club.core import audit
from club.core.registry import registry
from club.forms import ConfirmForm
from club.permissions import Role

ACTION_LABELS = {
    "activity.create": _l("Activity logged"),
    "activity.update": _l("Activity edited"),
    "activity.delete": _l("Activity deleted"),
    "activity.done": _l("Task done"),
    "activity.reopen": _l("Task reopened"),
}

AUDIT_FIELDS = {
    "kind": audit.Field(_l("Kind"), KIND_LABELS),
    "occurred_on": audit.Field(_l("Date"), audit.date),
    "occurred_time": _l("Time"),
    "subject": _l("Subject"),
    "body": _l("Text"),
    "organization_id": audit.Field(_l("Organisation"), audit.name_of("organizations")),
    "contact_id": audit.Field(_l("Contact"), audit.name_of("contacts")),
    "shared": audit.Field(_l("Shared with the organisation's members"), audit.yes_no),
    "owner_id": audit.Field(_l("Task owner"), audit.name_of("users")),
    "due_on": audit.Field(_l("Due on"), audit.date),
    "participants": _l("Participants"),
    "deal_id": audit.Field(_l("Deal"), audit.name_of("deals", "title")),
    "application_id": audit.Field(_l("Application"), hidden=True),
    "mission_id": audit.Field(_l("Mission"), audit.name_of("missions", "title")),
    "programme_id": audit.Field(_l("Programme"), audit.name_of("programmes", "title")),
}


def organization_timeline(org, user):
    """On the organisation page: the latest items of its timeline, with the kind filter (``activity_kind`` in the
    page's query string) and a link to the whole timeline; None for those who do not see it (partners...)."""
    if not queries.sees_timeline(org, user):
        return None
    kind = request.args.get("activity_kind", "") if request else ""
    filters = queries.TimelineFilters(kind=kind if kind in queries.FILTERS else "")
    page = queries.timeline(org.id, user, filters, per_page=queries.SECTION_ITEMS)
    return {"org": org, "page": page, "filters": filters, "filter_labels": FILTER_LABELS,
            "staff": user.role == Role.SECRETARIAT, "today": queries.today(), "done_form": ConfirmForm()}


def _linked(link: str):
    def context(obj, user):
        if user.role != Role.SECRETARIAT:
            return None
        return {"activities": queries.linked(link, obj.id, user), "link_name": link, "link_id": obj.id,
                "today": queries.today()}

    return context


def tasks_panel(user):
    rows, total = queries.open_tasks(user)
    return {"tasks": rows, "total": total, "today": queries.today(), "done_form": ConfirmForm()}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.section("organization", "activities/_organization_section.html", organization_timeline, order=90)
    hooks.section("deal", "activities/_linked_section.html", _linked("deal_id"), order=90)
    hooks.section("application", "activities/_linked_section.html", _linked("application_id"), order=90)
    hooks.section("mission_actions", "activities/_linked_section.html", _linked("mission_id"), order=90)
    hooks.section("programme", "activities/_linked_section.html", _linked("programme_id"), order=90)
    hooks.home_panel(Role.SECRETARIAT, "activities/_home_tasks.html", tasks_panel, order=5)
    hooks.action_labels(ACTION_LABELS)
    hooks.field_labels("activity.", AUDIT_FIELDS)
    hooks.subject("activities", queries.subjects)
    hooks.demo("activities", demo.load)
