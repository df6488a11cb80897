"""Helpers of the dashboard's tests. What the pages say, in the language asked: tests compare with the catalogue's
translation, so they hold before and after the translations are merged (the French msgstr, or the English msgid
until then). Job commitments with dated reports, made as rows (the figures read rows)."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, gettext

from club.extensions import db
from club.members.models import JobCommitment, JobReport


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



def commit_jobs(org, announced: int, reports=(), *, announced_on=date(2020, 7, 11), horizon=None) -> JobCommitment:
    commitment = JobCommitment(organization_id=org.id, jobs_announced=announced, announced_on=announced_on,
                               horizon=horizon, jobs_created=max((n for _, n in reports), default=0))
    commitment.reports = [JobReport(reported_on=d, jobs_created=n) for d, n in reports]
    db.session.add(commitment)
    db.session.commit()
    return commitment
