"""URL arguments of the mailings routes, from the demo world (tests/test_access.py)."""

import sqlalchemy as sa

from club.extensions import db
from club.mailings.demo import DRAFT
from club.mailings.models import Mailing


def _draft():
    return db.session.scalar(sa.select(Mailing.id).where(Mailing.subject_fr == DRAFT))


SAMPLES = {
    "mailing_id": _draft,
}
