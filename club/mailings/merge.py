"""Merge fields: ``{contact_name}``, ``{organisation}``, ``{dues_owed}`` replaced in a mailing's subject and body.

A plain substitution in one pass (a value put in is never read again), never a template: what the secretariat
types is text, and a ``{{ … }}`` or ``{% … %}`` in it stays text (refused as an unknown field).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# Anything between braces is read as a field (and refused unless it is one): "{{ config }}" or "{% if %}" too.
FIELD = re.compile(r"\{([^{}\r\n]{1,80})\}")

FIELDS = {
    "contact_name": _l("the contact's name"),
    "organisation": _l("the organisation's name"),
    "dues_owed": _l("the organisation's unpaid dues, in the recipient's language"),
}


def unknown_fields(text: str | None) -> list[str]:
    """The ``{names}`` in ``text`` that are not merge fields, in the order met."""
    seen: list[str] = []
    for match in FIELD.finditer(text or ""):
        name = match.group(1).strip()
        if name not in FIELDS and name not in seen:
            seen.append(name)
    return seen


def merge(text: str, values: dict[str, str]) -> str:
    """``text`` with each known field replaced by its value (an unknown one is left as typed)."""
    return FIELD.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)  # "{ contact_name }" too
