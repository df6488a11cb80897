"""URL arguments of the missions routes, from the demo world (tests/test_access.py)."""

import sqlalchemy as sa

from club.extensions import db
from club.missions.demo import CASA_SHORE, FIRST_MEETING
from club.missions.models import AgendaItem, FollowUpAction, Invitation, Mission, Registration


def _casa():
    return db.session.scalar(sa.select(Mission.id).where(Mission.title == CASA_SHORE))


def _first(model, mission_title=CASA_SHORE):
    mission_id = db.session.scalar(sa.select(Mission.id).where(Mission.title == mission_title))
    return db.session.scalar(sa.select(model.id).where(model.mission_id == mission_id).order_by(model.id))


SAMPLES = {
    "mission_id": _casa,
    "registration_id": lambda: _first(Registration),
    "invitation_id": lambda: _first(Invitation),
    "agenda_item_id": lambda: _first(AgendaItem),
    "action_id": lambda: _first(FollowUpAction, FIRST_MEETING),
}
