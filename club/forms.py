"""Form conventions shared by every domain.

Every form of the project derives from ``FlaskForm`` below (tests/core/test_forms.py checks it), so that
what a hostile or confused client sends is a field error, never an exception: a file where text is
expected, a number too large for the database, a version token that is not a number; and no text field
keeps a control character (NUL) that the database would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import flask_wtf
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField as FlaskFileField
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import (
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    ValidationError,
    widgets,
)
from wtforms.fields import FileField, MultipleFileField
from wtforms.fields.choices import SelectChoice

from club.i18n import LANGUAGE_NAMES

# The first year of the club's records: an earlier date is a typing error ("0202" for "2022"), refused at the field.
FIRST_YEAR = 2000


def not_before_first_year(field) -> None:
    """Refuse a date before ``FIRST_YEAR`` at its field."""
    from wtforms.validators import ValidationError

    if field.data is not None and field.data.year < FIRST_YEAR:
        raise ValidationError(_l("The club's register starts in %(year)s.", year=FIRST_YEAR))


# What a database integer holds (PostgreSQL ``integer``); a larger number is a field error, not a 500.
MAX_INTEGER = 2**31 - 1
# Money and other decimals are ``Numeric(14, 2)``: twelve digits before the decimal point.
MAX_DECIMAL = Decimal(10) ** 12

FILE_FIELDS = (FileField, MultipleFileField, FlaskFileField)


def form_view(view: Callable) -> Callable:
    """Mark a view that renders a form: on a CSRF failure it re-renders with the user's input."""
    view.rerender_on_csrf_error = True
    return view


def without_control_characters(value):
    """NUL and the other control characters go (PostgreSQL refuses NUL in text); line breaks and tabs stay."""
    if isinstance(value, str) and not value.isprintable():
        return "".join(ch for ch in value if ch.isprintable() or ch in "\r\n\t")
    return value


def _file_field_names(form) -> set[str]:
    return {field.name for field in form if isinstance(field, FILE_FIELDS)}


def _fields(form):
    """Every field of a form, those of its sub-forms and lists included."""
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


def _too_large(data) -> bool:
    values = data if isinstance(data, list) else [data]
    return any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_INTEGER for v in values)


class FlaskForm(flask_wtf.FlaskForm):
    """The project's base form (Flask-WTF's, CSRF included) with the guards every form needs."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            """A file sent in a field that expects text is set aside (the field reports it, see
            ``process``): it never reaches a filter, a coercion or a length validator."""
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None or not hasattr(formdata, "items"):
                return formdata
            files = _file_field_names(form)
            misplaced, cleaned = set(), MultiDict()
            for key, value in formdata.items(multi=True):
                if isinstance(value, FileStorage) and key not in files:
                    misplaced.add(key)
                    continue
                cleaned.add(key, value)
            form._misplaced_files = misplaced
            return cleaned if misplaced else formdata

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        misplaced = getattr(self, "_misplaced_files", set())
        for field in _fields(self):
            if isinstance(field, StringField) and isinstance(field.data, str):  # text, textarea, hidden...
                field.data = without_control_characters(field.data)
            if field.name in misplaced:
                field.process_errors.append(MISPLACED_FILE)
            elif _too_large(field.data):  # an integer field, or a choice coerced to int (an id)
                field.data = [] if isinstance(field.data, list) else None
                field.process_errors.append(_l("This number is too large."))
            elif (isinstance(field, DecimalField) and isinstance(field.data, Decimal)
                  and (not field.data.is_finite() or abs(field.data) >= MAX_DECIMAL)):
                field.data = None
                field.process_errors.append(_l("This number is too large."))

    def validate(self, extra_validators=None) -> bool:
        """A misplaced file refuses the form even where the field is optional (``Optional`` would clear
        the error and save the field as empty). A field that ``holds_form`` (a picker's "Add" button: add the
        organisation typed and show the form again) keeps it from being saved, without an error."""
        valid = super().validate(extra_validators)
        if any(getattr(field, "holds_form", False) for field in _fields(self)):
            valid = False
        misplaced = getattr(self, "_misplaced_files", set())
        if not misplaced:
            return valid
        for field in _fields(self):
            if field.name in misplaced and MISPLACED_FILE not in field.errors:
                field.errors = [*field.errors, MISPLACED_FILE]
        return False


MISPLACED_FILE = _l("A file was sent where text is expected.")


def as_id(value) -> int | None:
    """A posted id (``"12"``) as an int, or None for anything else: text, a file, a number no table holds."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10 \
            and int(value) <= MAX_INTEGER:
        return int(value)
    return None


class VersionField(HiddenField):
    """The version a form was rendered from (optimistic locking), sent back as a hidden field.

    Anything but a whole number is a field error, so a view can ``int()`` it once the form validates."""

    def pre_validate(self, form):
        value = str(self.data) if self.data is not None else ""
        if value and as_id(value) is None:
            raise ValidationError(_l("This form is damaged: reload the page and try again."))


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button (logout, delete, toggle...)."""


def no_line_breaks(form, field):
    if field.data and ("\r" in field.data or "\n" in field.data):
        raise ValidationError(_l("Line breaks are not allowed here."))


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class QuickSelect(widgets.Select):
    """WTForms' ``Select``, writing each plain option with one f-string (the same HTML as ``html_params``: the
    attributes sorted, ``selected`` before ``value``). A filter form's selects hold hundreds of options: WTForms
    builds a dict and sorts it for each of them. Options with their own attributes go the usual way."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        return Markup(f'<option {"selected " if choice.selected else ""}value="{escape(value)}">{label}</option>')


def quicken_selects() -> None:
    """Every select of the application writes its options the quick way (once, at start)."""
    from wtforms import SelectField, SelectMultipleField

    if not isinstance(SelectField.widget, QuickSelect):
        SelectField.widget = QuickSelect()
        SelectMultipleField.widget = QuickSelect(multiple=True)


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class LanguageForm(FlaskForm):
    """The language switch in every page's header (signed in or not)."""

    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))
    next = HiddenField()


# --- amounts typed as text ("1 250 000,50"), exact to the cent ----------------------------------------------------

MAX_MONEY = Decimal("999999999999.99")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def parse_decimal(text: str | None) -> Decimal | None:
    """``"1 250 000,50"`` -> ``Decimal("1250000.50")``; ``None`` for blank; ``ValueError`` when malformed."""
    text = _SPACES.sub("", text or "").replace(",", ".")
    if not text:
        return None
    if not _DECIMAL.match(text):
        raise ValueError(text)
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refuses these
        raise ValueError(text) from exc


def format_decimal_input(value: Decimal | None) -> str:
    """A decimal as the reader's locale writes it in a form ("1250000,50" in French), read back by ``parse_decimal``."""
    if value is None:
        return ""
    from babel.numbers import format_decimal
    from flask_babel import get_locale

    return format_decimal(Decimal(value), format="0.00", locale=get_locale())


class DecimalText:
    """Validator for a decimal typed as text: exact, bounded, at most two decimals. Sets ``field.decimal``."""

    def __init__(self, minimum: Decimal, maximum: Decimal, message_range, message_format):
        self.minimum, self.maximum = minimum, maximum
        self.message_range, self.message_format = message_range, message_format

    def __call__(self, form, field):
        field.decimal = None
        try:
            value = parse_decimal(field.data)
        except ValueError:
            raise ValidationError(self.message_format) from None
        if value is None:
            return
        if value.as_tuple().exponent < -2:
            raise ValidationError(self.message_format)
        if not (self.minimum <= value <= self.maximum):
            raise ValidationError(self.message_range)
        field.decimal = value
