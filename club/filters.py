"""Jinja filters and globals: dates in Africa/Casablanca, MAD for the locale, navigation per role."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from club.core.audit import action_label, present
from club.core.sections import sections_for
from club.formats import date_filter, datetime_filter, money, number, percent, time_filter  # noqa: F401  (also for tests)
from club.i18n import LANGUAGE_NAMES
from club.navigation import visible_items


def _plain_key(key: str) -> bool:
    """A query key that ``url_for`` treats as data (not ``_external``, ``_scheme``, ``endpoint``...)."""
    return bool(key) and not key.startswith("_") and key not in ("endpoint", "values")


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (``None`` removes one); page resets to 1."""
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if _plain_key(k)}
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


def upload_limit() -> dict:
    """The per-file upload limit and its message, for the browser to check a file before sending it."""
    from flask_babel import gettext

    from club.core.storage import format_megabytes, upload_max_size

    size = upload_max_size()
    return {"bytes": size, "message": gettext("This file is too large: %(mb)s MB at most.", mb=format_megabytes(size))}


def _translators() -> dict:
    """The templates' ``gettext``, ``ngettext``, ``pgettext`` and ``npgettext`` (which ``_`` and ``{% trans %}``
    call), bound to the render's catalogue: Jinja's newstyle callables exactly as Flask-Babel installs them, but
    without looking the catalogue up again through the request context for each of a page's hundreds of strings.
    (Macros imported without context use Flask-Babel's own, the same text.)"""
    from flask_babel import get_translations
    from jinja2.ext import _make_new_gettext, _make_new_ngettext, _make_new_npgettext, _make_new_pgettext

    catalogue = get_translations()
    return {"gettext": _make_new_gettext(catalogue.ugettext), "ngettext": _make_new_ngettext(catalogue.ungettext),
            "pgettext": _make_new_pgettext(catalogue.upgettext),
            "npgettext": _make_new_npgettext(catalogue.unpgettext)}


def init_filters(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, number=number, percent=percent, datetime=datetime_filter, date=date_filter,
                                 time=time_filter, action_label=action_label)
    app.jinja_env.globals.update(url_with=url_with, sections_for=sections_for, audit_present=present,
                                 upload_limit=upload_limit)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject():
        return {
            **_translators(),
            "current_locale": str(get_locale() or "fr"),
            "language_names": LANGUAGE_NAMES,
            "nav_items": visible_items(current_user) if current_user else [],
        }
