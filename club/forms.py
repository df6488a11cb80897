"""Form conventions shared by every domain."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice


def form_view(view: Callable) -> Callable:
    """Mark a view that renders a form: on a CSRF failure it re-renders with the user's input."""
    view.rerender_on_csrf_error = True
    return view


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button (logout, delete, toggle...)."""


def no_line_breaks(form, field):
    if field.data and ("\r" in field.data or "\n" in field.data):
        raise ValidationError(_l("Line breaks are not allowed here."))


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
