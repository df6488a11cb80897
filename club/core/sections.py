"""Sections that one module adds to another module's page, without either reaching into the other.

The members module's organisation page asks ``sections_for("organization", org, user)``; the incubator,
deals and missions modules add what they show there (their applications, deals, missions) with
``registry(app).section(...)`` in their ``hooks.register``. The same works for any page: ``deal``, ``mission``...

A context function returns ``None`` to show nothing (for instance when the user may not see it), or a dict
passed to its template. It must run a constant number of queries.
"""

from __future__ import annotations

from club.core.registry import registry


def sections_for(page: str, obj, user) -> list[dict]:
    shown = []
    for section in registry().sections:
        if section.page != page:
            continue
        context = section.context(obj, user)
        if context is not None:
            shown.append({"template": section.template, **context})
    return shown
