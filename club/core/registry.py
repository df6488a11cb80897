"""What each domain adds to the app, collected per app by the domain's ``hooks.register(app)``.

``create_app`` calls ``register(app)`` of each package in ``club.BLUEPRINTS``, in that order, once. A domain
adds there, and nowhere else, what it shows outside its own pages::

    def register(app):
        hooks = registry(app)
        hooks.nav("deals.index", _l("Deals"), order=30)
        hooks.home_panel(Role.PARTNER, "deals/_home_partner.html", partner_panel)
        hooks.section("organization", "deals/_organization_section.html", organisation_section, order=30)
        hooks.search(SearchProvider("deals", _l("Deals"), search_deals, order=30))
        hooks.demo("deals", demo.load)
        hooks.action_labels({...}); hooks.field_labels("deal.", {...}); hooks.subject("deals", resolve)
        app.cli.add_command(cli.deals_cli)

The registry lives in ``app.extensions``: two apps (tests build many) never share or repeat an entry, so
nothing here de-duplicates, and importing a module registers nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

KEY = "club.registry"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A panel on the home of ``role``: ``context(user) -> dict`` for ``template``. A ``shared`` panel shows every
    user of the role the same thing (its context reads the role alone, its template has no form and no
    ``current_user``): it is rendered once per change of the data, language and day (``club.core.home``)."""

    role: Any
    template: str
    context: Callable
    order: int = 50
    shared: bool = False


@dataclass(frozen=True)
class Section:
    """A section one domain adds to another's page (``page``: "organization", "deal"…):
    ``context(obj, user) -> dict | None`` (None: nothing to show to this user)."""

    page: str
    template: str
    context: Callable
    order: int = 50


@dataclass(frozen=True)
class SearchProvider:
    """One group of the global search (``club.core.search``): ``search(term, user, limit) -> (total, [Hit])``,
    only what ``user`` may see, in a constant number of queries; ``more(term)``: the URL of all the results."""

    name: str
    label: Any
    search: Callable
    order: int = 50
    more: Callable[[str], str] | None = None


@dataclass
class Registry:
    nav_items: list[NavItem] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    search_providers: list[SearchProvider] = field(default_factory=list)
    demo_parts: list[tuple[str, Callable[[], list[str]]]] = field(default_factory=list)
    action_label_map: dict[str, object] = field(default_factory=dict)
    field_label_map: dict[str, dict[str, Any]] = field(default_factory=dict)
    subjects: dict[str, Callable] = field(default_factory=dict)
    missing: set[tuple[str, str]] = field(default_factory=set)

    @staticmethod
    def _unique(existing, key, what: str) -> None:
        if key in existing:
            raise ValueError(f"{what} {key!r} is registered twice")

    def nav(self, endpoint: str, label, order: int = 50) -> None:
        self._unique({i.endpoint for i in self.nav_items}, endpoint, "navigation entry")
        self.nav_items.append(NavItem(endpoint, label, order))
        self.nav_items.sort(key=lambda i: i.order)

    def home_panel(self, role, template: str, context: Callable, order: int = 50, *, shared: bool = False) -> None:
        self._unique({(p.role, p.template) for p in self.panels}, (role, template), "home panel")
        self.panels.append(Panel(role, template, context, order, shared))
        self.panels.sort(key=lambda p: p.order)

    def section(self, page: str, template: str, context: Callable, order: int = 50) -> None:
        self._unique({(s.page, s.template) for s in self.sections}, (page, template), "page section")
        self.sections.append(Section(page, template, context, order))
        self.sections.sort(key=lambda s: s.order)

    def search(self, provider: SearchProvider) -> None:
        self._unique({p.name for p in self.search_providers}, provider.name, "search provider")
        self.search_providers.append(provider)
        self.search_providers.sort(key=lambda p: p.order)

    def demo(self, name: str, loader: Callable[[], list[str]]) -> None:
        """A part of the demo world; parts load in registration order (the order of ``club.BLUEPRINTS``)."""
        self._unique({n for n, _ in self.demo_parts}, name, "demo part")
        self.demo_parts.append((name, loader))

    def action_labels(self, labels: Mapping[str, object]) -> None:
        """``{action: label}``; a label may be a callable ``label(changes) -> str`` (counts with ngettext)."""
        for action in labels:
            self._unique(self.action_label_map, action, "audit action")
        self.action_label_map.update(labels)

    def field_labels(self, prefix: str, fields: Mapping[str, Any]) -> None:
        """Labels of the fields recorded by the actions starting with ``prefix`` (``"deal."``): a label, or an
        ``audit.Field`` (label, how values read)."""
        scope = self.field_label_map.setdefault(prefix, {})
        for name, spec in fields.items():
            self._unique(scope, name, f"audit field of {prefix}")
            scope[name] = spec

    def audit_fields(self, by_prefix: Mapping[str, Mapping[str, Any]]) -> None:
        """``field_labels`` for each prefix of ``{prefix: {field: label or audit.Field}}`` (a domain's table)."""
        for prefix, fields in by_prefix.items():
            self.field_labels(prefix, fields)

    def subject(self, entity_type: str, resolve: Callable) -> None:
        """``resolve(ids, user) -> {id: (name, url or None)}`` for the objects of ``entity_type`` ``user`` sees."""
        self._unique(self.subjects, entity_type, "audit subject")
        self.subjects[entity_type] = resolve


def init_registry(app: Flask) -> Registry:
    app.extensions[KEY] = Registry()
    return app.extensions[KEY]


def registry(app: Flask | None = None) -> Registry:
    """The registry of ``app`` (default: the current app)."""
    return (app or current_app).extensions[KEY]
