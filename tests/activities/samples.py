"""URL arguments of the activities routes, from the demo world (tests/test_access.py): the first activity the demo
logged on Saccom (once deleted by the walk, a missing id stands in: the views answer 404)."""

import sqlalchemy as sa

from club.activities.models import Activity
from club.extensions import db
from club.members.models import Organization


def _activity_id():
    saccom = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    found = db.session.scalar(sa.select(Activity.id).where(Activity.organization_id == saccom,
                                                           Activity.deleted_at.is_(None)).order_by(Activity.id))
    return found if found is not None else 0


SAMPLES = {"activity_id": _activity_id}
