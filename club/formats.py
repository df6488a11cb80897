"""How numbers, money, dates and times are written, per locale (Babel): one way each, used by the templates'
filters (``club.filters``), the audit trail, the stale-edit table and the emails."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from babel import dates
from flask_babel import format_currency, format_decimal, format_percent, get_locale

from club.core.timezones import casablanca


def _local(value: datetime) -> datetime:
    """A datetime as Casablanca wall-clock time (a naive one is UTC, as the database stores it), converted with
    zoneinfo, the same rules the forms use to read what people type."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(casablanca())


def _locale():
    return get_locale() or "fr"


def money(value, currency: str = "MAD") -> str:
    if value is None or value == "":
        return "—"
    # The amount then the code in every locale: "1 250 000,00 MAD", "1,250,000.00 MAD".
    return format_currency(Decimal(value), currency, format="#,##0.00\u00a0¤¤")


def percent(part, whole) -> str:
    """``part`` of ``whole`` as a whole percentage in the reader's locale ("40 %" in French, "40%" in English)."""
    if not whole:
        return "—"
    return format_percent(round(part / whole, 2))


def number(value, digits: int | None = None) -> str:
    """A number in the reader's locale: "1 250", "3,70" in French; "1,250", "3.70" in English.
    ``digits`` fixes the decimals shown (a score: ``|number(2)``)."""
    if value is None or value == "":
        return "—"
    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(Decimal(str(value)), format=pattern)
    if type(value) is int:  # a count, the commonest number on a page: grouped by the locale's own signs
        return _grouped(value, str(_locale()))
    return format_decimal(value)


_SIGNS: dict[str, tuple[str, str]] = {}


def _grouped(value: int, locale: str) -> str:
    """What ``format_decimal`` writes for a whole number (tests/core/test_i18n.py holds them equal), without
    parsing its pattern each time: the digits in groups of three, the locale's group and minus signs."""
    signs = _SIGNS.get(locale)
    if signs is None:
        from babel.numbers import get_group_symbol, get_minus_sign_symbol

        signs = _SIGNS[locale] = (get_group_symbol(locale), get_minus_sign_symbol(locale))
    text = f"{abs(value):,}".replace(",", signs[0])
    return signs[1] + text if value < 0 else text


# One way to write a date and a time per locale, never with seconds or a UTC offset, and in English never
# the ambiguous "12/1/26" (is it 1 December or 12 January?). Times are shown in Africa/Casablanca.
DATE_PATTERNS = {
    "fr": {"short": "dd/MM/y", "medium": "d MMM y", "long": "d MMMM y", "full": "EEEE d MMMM y"},
    "en": {"short": "d MMM y", "medium": "d MMM y", "long": "d MMMM y", "full": "EEEE d MMMM y"},
}
DATETIME_PATTERNS = {
    "fr": {"short": "dd/MM/y HH:mm", "medium": "d MMM y, HH:mm", "long": "d MMMM y 'à' HH:mm",
           "full": "EEEE d MMMM y 'à' HH:mm"},
    "en": {"short": "d MMM y, HH:mm", "medium": "d MMM y, HH:mm", "long": "d MMMM y, HH:mm",
           "full": "EEEE d MMMM y, HH:mm"},
}


def _pattern(table: dict, fmt: str) -> str:
    locale = str(get_locale() or "fr").split("_")[0]
    styles = table.get(locale, table["fr"])
    if fmt in styles:
        return styles[fmt]
    # An explicit CLDR pattern: kept, minus seconds and zones (one format per locale, never "+0000").
    return fmt.replace(":ss", "").replace(" Z", "").replace(" z", "").replace(" ZZZZ", "") or styles["medium"]


def datetime_filter(value, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    return dates.format_datetime(_local(value), _pattern(DATETIME_PATTERNS, fmt), tzinfo=casablanca(),
                                 locale=_locale())


def date_filter(value, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = _local(value).date()
    return dates.format_date(value, _pattern(DATE_PATTERNS, fmt), locale=_locale())


def time_filter(value) -> str:
    """A time of day, 24-hour in both languages: "09:30"."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = _local(value)
    return dates.format_time(value, "HH:mm", locale=_locale())


def ngettext(singular: str, plural: str, n: int, /, **variables) -> str:
    """Flask-Babel's ``ngettext`` (the plural form for ``n``), with ``%(num)s`` written as the reader's locale
    writes numbers ("12 500" in French, "12,500" in English) rather than as Python does ("12500")."""
    from flask_babel import get_domain

    text = get_domain().get_translations().ngettext(singular, plural, n)
    return text % {"num": number(n), **variables}
