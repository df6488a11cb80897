"""How numbers, money, dates and times are written, per locale (Babel): one way each, used by the templates'
filters (``club.filters``), the audit trail, the stale-edit table and the emails."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from babel import dates, numbers
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


@lru_cache(maxsize=32)
def _separators(locale: str) -> tuple[str, str]:
    return numbers.get_group_symbol(locale), numbers.get_decimal_symbol(locale)


def money(value, currency: str = "MAD") -> str:
    if value is None or value == "":
        return "—"
    # The amount then the code in every locale: "1 250 000,00 MAD", "1,250,000.00 MAD".
    return money_writer(currency)(value)


def money_writer(currency: str = "MAD"):
    """``money`` for many amounts in one request (a board, a table): the reader's locale looked up once.

    The same text as Babel's (tests/core/test_formats.py compares them), from the locale's two separators rather
    than Babel's pattern parsed and applied for every amount; Babel itself for anything but MAD in cents."""
    group, decimal = _separators(str(_locale()))

    def write(value) -> str:
        if value is None or value == "":
            return "—"
        amount = Decimal(value)
        if currency != "MAD" or not amount.is_finite() or amount.as_tuple().exponent < -2:
            return format_currency(amount, currency, format="#,##0.00\u00a0¤¤")
        digits = f"{abs(amount):,.2f}".replace(".", "\x00").replace(",", group).replace("\x00", decimal)
        return f"{'-' if amount.is_signed() else ''}{digits}\u00a0{currency}"

    return write


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
    if type(value) is int and -1000 < value < 1000 and digits is None:
        return str(value)  # as every locale the club offers writes it (Latin digits, no separator): no Babel call
    if digits is not None:
        exact = Decimal(str(value))
        if exact.is_finite() and 0 < digits <= 6:
            # Lists show a hundred scores: Babel's text (rounded half to even, as Babel's context rounds), from the
            # locale's two separators instead of its pattern parsed and applied for each (tests/core/test_formats.py)
            group, decimal = _separators(str(_locale()))
            text = f"{abs(exact):,.{digits}f}".replace(".", "\x00").replace(",", group).replace("\x00", decimal)
            return f"-{text}" if exact.is_signed() else text
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(exact, format=pattern)
    if type(value) is int:  # a count, the commonest number on a page: grouped by the locale's own signs
        return _grouped(value, str(_locale()))
    return format_decimal(value)


def _grouped(value: int, locale: str) -> str:
    """What ``format_decimal`` writes for a whole number (tests/core/test_i18n.py holds them equal), without
    parsing its pattern each time: the digits in groups of three, the locale's group sign."""
    text = f"{abs(value):,}".replace(",", _separators(locale)[0])
    return "-" + text if value < 0 else text


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
