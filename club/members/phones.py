"""Phone numbers, through ``phonenumbers`` (Google's libphonenumber): read as people type them, Moroccan by
default ("0536 68 30 00", "+212 536-683000", "00212536683000"), checked against the numbering plan, stored in
E.164 ("+212536683000") and shown in the national format for a Moroccan number ("05 36 68 30 00"), in the
international format for any other ("+33 1 23 45 67 89").
"""

from __future__ import annotations

import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import NumberParseException, PhoneNumberFormat

from club.core.refusals import Refused

REGION = "MA"
E164_PREFIX = "+212"  # REGION's country code
INVALID = _l("Enter a valid phone number, such as 05 36 68 30 00 or 06 12 34 56 78 (another country's with its "
             "code: +33 1 23 45 67 89).")
# At most what a person types for one number (spaces, dots, brackets included): longer is not one number.
MAX_TYPED = 30


def _parse(text: str | None):
    """The parsed number, or None when ``text`` cannot be read as one."""
    if not text or len(text) > MAX_TYPED or not re.search(r"\d", text):
        return None
    try:
        return phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None


def clean_phone(raw: str | None) -> str | None:
    """The number typed, in E.164; ``Refused`` when it is not a valid number (or carries an extension)."""
    if raw is None or not raw.strip():
        return None
    number = _parse(raw.strip())
    if number is None or number.extension or not phonenumbers.is_valid_number(number):
        raise Refused(INVALID)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def to_e164(stored: str | None) -> str | None:
    """A stored number in E.164 when it reads as a possible number, else as it is (the data migration)."""
    number = _parse(stored.strip()) if stored else None
    if number is None or number.extension or not phonenumbers.is_possible_number(number):
        return stored
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display(stored: str | None, international: bool = False) -> str:
    """How a stored number reads: national format for a Moroccan number (unless ``international``),
    international for another country's; a value that is not a number is shown as it is."""
    if not stored:
        return ""
    number = _parse(stored) if stored.startswith("+") else None
    if number is None:
        return stored
    national = not international and phonenumbers.region_code_for_number(number) == REGION
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL if national else
                                      PhoneNumberFormat.INTERNATIONAL)


def search_forms(stored: str | None) -> list[str]:
    """What the register's search text holds for a number: its E.164 form and its national digits
    ("+212536683000", "0536683000"), so "0536…", "+212536…" and "05 36 …" all find it."""
    if not stored:
        return []
    number = _parse(stored)
    if number is None:
        return [re.sub(r"\s+", "", stored)]
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = re.sub(r"\D", "", phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
    return [e164, national] if national and national != e164.lstrip("+") else [e164]


def search_term(term: str) -> str | None:
    """The E.164 form of a search term that reads as a whole phone number ("05 36 68 30 00",
    "+212 5 36 68 30 00"), else None (the term is searched as text, a part of a number included)."""
    text = term.strip()
    if not re.fullmatch(r"[\d\s().+\-/]{6,30}", text) or len(re.sub(r"\D", "", text)) < 8:
        return None
    number = _parse(text)
    if number is None or not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def digits_term(term: str) -> str | None:
    """A partial number typed with spaces, dots or dashes ("05 36 68", "0536-68"), as its digits, so it matches
    the national digits of the search text; None when the term is not made of digits and separators."""
    text = term.strip()
    if not re.fullmatch(r"\+?[\d\s.\-/()]+", text):
        return None
    digits = re.sub(r"\D", "", text)
    return ("+" + digits if text.startswith("+") else digits) if len(digits) >= 3 else None


def is_number_term(term: str) -> bool:
    """Whether a search term (as ``queries.search_terms`` made it) is a phone number or an ICE, or a good part of
    one: six digits or more, maybe after a "+" (a year, "2020", stays a word)."""
    return bool(re.fullmatch(r"\+?\d{6,}", term))
