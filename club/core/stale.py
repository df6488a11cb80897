"""One answer to a stale edit, everywhere: ``409 Conflict``, the form still holding what the person typed,
and beside it, field by field, the version someone else saved meanwhile. Sending the form again then
replaces the saved version, knowingly (the form carries the new version number).

A domain's edit view, when the version sent is not the version saved (or on ``StaleDataError``)::

    db.session.rollback()
    record = reload_it()
    return stale_response("members/form.html", form=form, version=record.version,
                          saved={"name": record.name, "city": record.city, "trades": [t.value for t in ...]},
                          org=record)

and its template includes ``core/_stale.html`` (``{% include "core/_stale.html" %}``) above the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import render_template
from flask_babel import gettext as _

STALE_STATUS = 409


@dataclass(frozen=True)
class Difference:
    label: str
    yours: str
    theirs: str


def _choice_labels(field, values) -> str:
    labels = {}
    for choice in getattr(field, "choices", None) or []:
        value, label = (choice.value, choice.label) if hasattr(choice, "value") else (choice[0], choice[1])
        labels[str(value)] = str(label)
    return ", ".join(labels.get(str(v), str(v)) for v in values) or "—"


def _display(field, value: Any) -> str:
    from club.core.timezones import to_utc
    from club.formats import date_filter, datetime_filter, number

    if hasattr(field, "display"):  # a picker (club.members.pickers): the names of the ids it holds
        return field.display(value)
    if field.type in ("SelectMultipleField",):
        return _choice_labels(field, list(value or []))
    if field.type in ("SelectField", "RadioField"):
        return _choice_labels(field, [value]) if value not in (None, "") else "—"
    if field.type == "BooleanField":
        return _("Yes") if value else _("No")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, datetime):  # naive: typed in Casablanca (a datetime-local field), as the filter expects UTC
        return datetime_filter(value if value.tzinfo else to_utc(value))
    if isinstance(value, date):
        return date_filter(value)
    if isinstance(value, Decimal) and value.as_tuple().exponent < 0:
        return number(value, -value.as_tuple().exponent)  # an amount keeps its cents: "14 000,00"
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)


def differences(form, saved: dict[str, Any]) -> list[Difference]:
    """The fields where what the person typed differs from what is saved now (``saved``: field name ->
    the value saved now, in the form's terms)."""
    rows = []
    for name, theirs in saved.items():
        field = form[name]
        yours_text, theirs_text = _display(field, field.data), _display(field, theirs)
        if yours_text != theirs_text:
            rows.append(Difference(str(field.label.text), yours_text, theirs_text))
    return rows


def stale_response(template: str, *, form, saved: dict[str, Any], version, **context):
    """Render ``template`` as the answer to a stale edit: 409, the typed input kept, both versions shown."""
    if hasattr(form, "version"):
        form.version.data = str(version)  # sending again now replaces the saved version, knowingly
    form.form_errors.append(_("Someone else saved this record while you were editing it. Your version is in "
                              "the form; the version saved now is shown beside it. Save again to keep yours."))
    return render_template(template, form=form, stale=differences(form, saved), **context), STALE_STATUS
