"""URL arguments of the mailings routes, from the demo world (tests/test_access.py)."""

import sqlalchemy as sa

from club.extensions import db
from club.mailings.demo import DRAFT
from club.mailings.models import Mailing


def _draft():
    """The demo's draft; once a walk has deleted (or sent) it, a missing id stands in (the views answer 404)."""
    return db.session.scalar(sa.select(Mailing.id).where(Mailing.subject_fr == DRAFT)) or 0


SAMPLES = {
    "mailing_id": _draft,
}
