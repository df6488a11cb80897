"""What the reports' pages say, in the language asked: tests compare with the catalogue's translation, so they hold
before and after the translations are merged (the French msgstr, or the English msgid until then)."""

from __future__ import annotations

from flask_babel import force_locale, gettext


def tr(app, lang: str, msgid: str, **values) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext(msgid, **values)


def ntr(app, lang: str, singular: str, plural: str, count: int, **values) -> str:
    """``ngettext`` with the values already formatted (``num`` among them, as the templates pass it)."""
    from flask_babel import get_translations

    with app.test_request_context(), force_locale(lang):
        return get_translations().ngettext(singular, plural, count) % values


def number(app, lang: str, value) -> str:
    from club import formats

    with app.test_request_context(), force_locale(lang):
        return formats.number(value)
