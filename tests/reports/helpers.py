"""What the reports' pages say, in the language asked: tests compare with the catalogue's translation, so they hold
before and after the translations are merged (the French msgstr, or the English msgid until then)."""

from __future__ import annotations

from flask_babel import force_locale, gettext, ngettext


def tr(app, lang: str, msgid: str, **values) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext(msgid, **values)


def ntr(app, lang: str, singular: str, plural: str, num: int, **values) -> str:
    with app.test_request_context(), force_locale(lang):
        return ngettext(singular, plural, num, **values)


def number(app, lang: str, value) -> str:
    from club import formats

    with app.test_request_context(), force_locale(lang):
        return formats.number(value)
