"""URL arguments of the segments routes, from the demo world (tests/test_access.py)."""

import sqlalchemy as sa

from club.extensions import db
from club.segments.demo import SEGMENT
from club.segments.models import BulkAction, Segment, Tag


def _or_gone(value):
    """Once the walk deleted the sampled row, a missing id stands in (the view answers 404)."""
    return value if value is not None else 0


SAMPLES = {
    "tag_id": lambda: _or_gone(db.session.scalar(sa.select(Tag.id).where(Tag.name == "Jerada"))),
    "segment_id": lambda: _or_gone(db.session.scalar(sa.select(Segment.id).where(Segment.name == SEGMENT))),
    "bulk_id": lambda: _or_gone(db.session.scalar(sa.select(BulkAction.id).order_by(BulkAction.id))),
}
