"""The navigation: entries added by each domain's ``hooks.register``; a user sees those their role may open."""

from __future__ import annotations

from flask import current_app, url_for

from club.core.registry import registry
from club.permissions import access_of, may_access


def visible_items(user) -> list[dict]:
    if not user or not user.is_authenticated:
        return []
    items = []
    for item in registry().nav_items:
        if item.endpoint in current_app.view_functions and may_access(user, access_of(item.endpoint)):
            items.append({"endpoint": item.endpoint, "label": item.label, "url": url_for(item.endpoint),
                          "blueprint": item.endpoint.split(".")[0]})
    return items
