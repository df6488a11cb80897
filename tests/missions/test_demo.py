"""The demo world's missions: Casa-shore with MedZ (open, waiting list) and the club's first meeting (done)."""

import sqlalchemy as sa

from club.demo import load_demo
from club.members.models import Contact
from club.missions.demo import CASA_SHORE, FIRST_MEETING
from club.missions.models import FollowUpAction, Mission, MissionState, Registration, RegistrationStatus


def test_demo_missions(demo_world):
    db = demo_world
    casa = db.session.scalar(sa.select(Mission).where(Mission.title == CASA_SHORE))
    assert casa.state == MissionState.OPEN
    assert "MedZ" in [p.name for p in casa.partners]
    statuses = [r.status for r in db.session.scalars(sa.select(Registration).where(Registration.mission_id == casa.id))]
    assert statuses.count(RegistrationStatus.REGISTERED) == casa.capacity
    assert statuses.count(RegistrationStatus.WAITLISTED) == 2
    nadia = db.session.scalar(sa.select(Contact).where(Contact.email == "contact@saccom.example"))
    assert nadia.name == "Nadia Amrani" and nadia.organization.name == "Saccom"
    meeting = db.session.scalar(sa.select(Mission).where(Mission.title == FIRST_MEETING))
    assert meeting.state == MissionState.DONE and meeting.report.outcomes
    action = db.session.scalar(sa.select(FollowUpAction).where(FollowUpAction.mission_id == meeting.id))
    assert "Jerada" in action.task and action.owner_organization.name == "Saccom"


def test_demo_is_idempotent(demo_world):
    db = demo_world
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Mission, Registration, Contact)]
    load_demo()
    db.session.commit()
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Mission, Registration, Contact)] == counts


def test_demo_reuses_contacts_the_members_demo_made(db, factories):
    from club.demo import _foundation, organisation

    _foundation()
    existing = Contact(organization_id=organisation("Saccom").id, name="Nadia Amrani", name_key="nadia amrani",
                       email="contact@saccom.example", is_primary=True)
    db.session.add(existing)
    db.session.commit()
    load_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact).where(
        Contact.email == "contact@saccom.example")) == 1
