"""Navigation entries registered by each domain; a user sees the ones their role may open."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import LazyString

from club.permissions import access_of, may_access


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString
    order: int = 50


_ITEMS: list[NavItem] = []


def register_nav(endpoint: str, label: LazyString, order: int = 50) -> None:
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, order))


def visible_items(user) -> list[dict]:
    if not user or not user.is_authenticated:
        return []
    items = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if item.endpoint in current_app.view_functions and may_access(user, access_of(item.endpoint)):
            items.append({"endpoint": item.endpoint, "label": item.label, "url": url_for(item.endpoint),
                          "blueprint": item.endpoint.split(".")[0]})
    return items
