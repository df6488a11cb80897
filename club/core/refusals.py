"""One vocabulary for a service's "no", and one way for a view to answer it.

A service that will not do what it is asked raises ``Refused(message, field=None)``: the message is for the
person (translated), ``field`` the form field it belongs to (None: the whole form). A service that finds the
record changed since the form was read raises ``Stale(theirs)``, with the record as saved now; the edit forms
carry the record's version column (``check_version``), the only way a stale edit is detected.

A view turns a service call into a commit, or into the form again, with ``commit_or_rerender``::

    if form.validate_on_submit():
        return commit_or_rerender(
            lambda: services.update_deal(deal, form.values(), version=form.version.data, by=current_user),
            form, "deals/form.html", context={"deal": deal},
            saved=lambda deal: {"title": deal.title, ...},
            done=lambda changes: redirect(url_for("deals.detail", deal_id=deal.id), 303))

Refused: nothing saved (rolled back), the message at its field, the input kept, 422. Stale (raised, or met
as SQLAlchemy's ``StaleDataError`` at the commit): 409 with the input kept and, field by field, the version
saved now beside it (``club.core.stale``); sending the form again then replaces the saved version, knowingly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import render_template
from sqlalchemy.orm.exc import StaleDataError

from club.extensions import db

REFUSED_STATUS = 422


class Refused(Exception):  # noqa: N818 - the vocabulary of the domain: a service refuses
    """A service's no: ``message`` for the person, at ``field`` (a form field's name) or the whole form, and
    optionally ``problems`` for several fields at once."""

    def __init__(self, message, field: str | None = None, problems: dict | None = None):
        super().__init__(message)  # str() only when read: raising needs no request (a CLI, a job, a test)
        self.message = message
        self.field = field
        self.problems = problems or {}  # several fields at once: field name -> message


class Stale(Exception):  # noqa: N818
    """The record changed since the form was read; ``theirs`` is the record as saved now."""

    def __init__(self, theirs):
        super().__init__(f"{type(theirs).__name__} {getattr(theirs, 'id', '')} changed meanwhile")
        self.theirs = theirs


def check_version(record, sent) -> None:
    """Raise ``Stale(record)`` when the version a form was read at (``sent``) is not the record's version."""
    if sent is None or str(sent).strip() != str(record.version):
        raise Stale(record)


def refuse_at(form, refused: Refused) -> None:
    """Put the refusal's message at its field (or above the form)."""
    field = form._fields.get(refused.field) if refused.field else None
    if field is not None:
        field.errors = [*field.errors, refused.message] if isinstance(field.errors, list) else [refused.message]
    else:
        form.form_errors.append(refused.message)


def commit_or_rerender(action: Callable[[], Any], form, template: str, *, done: Callable[[Any], Any],
                       context: Mapping[str, Any] | None = None,
                       saved: Callable[[Any], Mapping[str, Any]] | None = None,
                       record: Any = None):
    """Run ``action`` (a service call), commit, and answer ``done(result)``; or the form again (see above).

    ``saved(record) -> {field name: value as the form holds it}`` is the version saved now, shown beside the
    person's on a stale edit; ``record`` is the record a ``StaleDataError`` at the commit is about.
    """
    from club.core.stale import stale_response

    context = dict(context or {})
    try:
        result = action()
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        refuse_at(form, refused)
        return render_template(template, form=form, **context), REFUSED_STATUS
    except (Stale, StaleDataError) as stale:
        db.session.rollback()
        theirs = stale.theirs if isinstance(stale, Stale) else record
        if theirs is None or saved is None:
            raise
        db.session.refresh(theirs)
        return stale_response(template, form=form, saved=saved(theirs), version=theirs.version, **context)
    return done(result)
