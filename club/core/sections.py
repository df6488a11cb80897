"""Sections that one module adds to another module's page, without either reaching into the other.

The members module's organisation page asks ``sections_for("organization", org, user)``; the
incubator, deals and missions modules register what they show there (their applications, deals,
missions). The same works for any page: ``deal``, ``mission``...

A context function returns ``None`` to show nothing (for instance when the user may not see it),
or a dict passed to its template. It must run a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    page: str
    template: str
    context: Callable
    order: int


_SECTIONS: list[Section] = []


def register_section(page: str, template: str, context: Callable, order: int = 50) -> None:
    if all((s.page, s.template) != (page, template) for s in _SECTIONS):
        _SECTIONS.append(Section(page, template, context, order))


def sections_for(page: str, obj, user) -> list[dict]:
    shown = []
    for section in sorted((s for s in _SECTIONS if s.page == page), key=lambda s: s.order):
        context = section.context(obj, user)
        if context is not None:
            shown.append({"template": section.template, **context})
    return shown
