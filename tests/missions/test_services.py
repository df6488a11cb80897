"""Mission services: the state table, seats and waiting list, refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused, Stale
from club.missions import services
from club.missions.models import (
    TRANSITIONS,
    Invitation,
    InvitationAnswer,
    Mission,
    MissionState,
    Registration,
    RegistrationStatus,
)
from club.models import utcnow
from club.permissions import Role
from tests.members.factories import ContactFactory, MembershipFactory
from tests.missions.factories import MissionFactory


@pytest.fixture(autouse=True)
def _in_request(request_context):
    yield


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role=Role.SECRETARIAT)


@pytest.fixture()
def member(factories):
    return factories.UserFactory(member=True)


def statuses(mission):
    from club.extensions import db

    db.session.expire_all()
    return {r.contact.name: r.status for r in db.session.scalars(
        sa.select(Registration).where(Registration.mission_id == mission.id))}


# --- the state table ---------------------------------------------------------------------------

@pytest.mark.parametrize("source", list(MissionState))
@pytest.mark.parametrize("target", list(MissionState))
def test_every_transition(db, staff, source, target):
    """Every pair of states: the moves of the table succeed and are audited, every other is refused, says why and
    changes nothing (not even the history)."""
    mission = MissionFactory(state=source)
    if target in TRANSITIONS[source]:
        services.transition(mission, target, by=staff)
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Mission, mission.id).state == target
        events = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mission.state").order_by(AuditEvent.id)))
        assert [(e.entity_id, e.actor_id, e.changes) for e in events] == [
            (mission.id, staff.id, {"state": [source.value, target.value]})]
    else:
        with pytest.raises(Refused, match="A mission cannot go from") as refused:
            services.transition(mission, target, by=staff)
        assert refused.value.field is None  # said above the page, not at a field
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(Mission, mission.id).state == source
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_the_table_itself():
    assert TRANSITIONS == {
        MissionState.DRAFT: {MissionState.OPEN, MissionState.CANCELLED},
        MissionState.OPEN: {MissionState.CLOSED, MissionState.CANCELLED},
        MissionState.CLOSED: {MissionState.OPEN, MissionState.DONE, MissionState.CANCELLED},
        MissionState.DONE: set(),
        MissionState.CANCELLED: set(),
    }


def test_cancelling_notifies_every_registrant(db, staff, outbox):
    mission = MissionFactory(capacity=1)
    seated, waiting, gone = ContactFactory(), ContactFactory(), ContactFactory()
    nomail = ContactFactory(email=None)
    for contact in (seated, waiting, gone, nomail):
        services.register(mission, contact, by=staff)
    services.cancel_registration(db.session.scalar(sa.select(Registration).where(
        Registration.contact_id == gone.id)), by=staff)
    db.session.commit()
    before = len(outbox())
    services.transition(mission, MissionState.CANCELLED, by=staff)
    db.session.commit()
    mails = outbox(template="missions_cancelled")
    assert len(outbox()) - before == 2
    # a cancelled registration is not told again; a contact without email cannot be
    assert sorted(m.recipient for m in mails) == sorted([seated.email, waiting.email])
    assert mission.title in mails[0].subject


# --- seats and the waiting list ----------------------------------------------------------------

def test_full_mission_waitlists_in_order_and_promotes_first(db, staff, outbox):
    mission = MissionFactory(capacity=2)
    a, b, c, d = (ContactFactory(name=n) for n in ("Anas", "Badr", "Chama", "Dounia"))
    for contact in (a, b, c, d):
        services.register(mission, contact, by=staff)
    db.session.commit()
    assert statuses(mission) == {"Anas": RegistrationStatus.REGISTERED, "Badr": RegistrationStatus.REGISTERED,
                                 "Chama": RegistrationStatus.WAITLISTED, "Dounia": RegistrationStatus.WAITLISTED}
    first = db.session.scalar(sa.select(Registration).where(Registration.contact_id == a.id))
    promoted = services.cancel_registration(first, by=staff)
    db.session.commit()
    assert [r.contact.name for r in promoted] == ["Chama"]
    assert statuses(mission)["Chama"] == RegistrationStatus.REGISTERED
    assert statuses(mission)["Dounia"] == RegistrationStatus.WAITLISTED
    mail = outbox(template="missions_promoted")
    assert [m.recipient for m in mail] == [c.email]
    assert mail[0].attachments[0]["content_type"] == "text/calendar"


def test_cancelling_a_waitlisted_person_promotes_nobody(db, staff, outbox):
    mission = MissionFactory(capacity=1)
    a, b, c = ContactFactory(), ContactFactory(), ContactFactory()
    for contact in (a, b, c):
        services.register(mission, contact, by=staff)
    waiting = db.session.scalar(sa.select(Registration).where(Registration.contact_id == b.id))
    assert services.cancel_registration(waiting, by=staff) == []
    db.session.commit()
    assert outbox(template="missions_promoted") == []


def test_registration_mail_carries_the_calendar(db, staff, outbox):
    mission = MissionFactory(capacity=1)
    a, b = ContactFactory(), ContactFactory()
    services.register(mission, a, by=staff)
    services.register(mission, b, by=staff)
    db.session.commit()
    registered = outbox(template="missions_registered")
    assert [m.recipient for m in registered] == [a.email]
    assert registered[0].attachments[0]["filename"] == f"mission-{mission.id}.ics"
    assert [m.recipient for m in outbox(template="missions_waitlisted")] == [b.email]


def test_registering_twice_is_refused(db, staff):
    mission = MissionFactory()
    contact = ContactFactory(name="Nadia Amrani")
    services.register(mission, contact, by=staff)
    db.session.commit()
    with pytest.raises(Refused, match="already registered"):
        services.register(mission, contact, by=staff)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_unique_constraint_is_the_backstop(db, staff):
    mission = MissionFactory()
    contact = ContactFactory()
    services.register(mission, contact, by=staff)
    db.session.commit()
    db.session.add(Registration(mission_id=mission.id, contact_id=contact.id, organization_id=contact.organization_id,
                                status=RegistrationStatus.REGISTERED))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_cancelled_person_may_register_again_at_the_end_of_the_list(db, staff):
    mission = MissionFactory(capacity=1)
    a, b = ContactFactory(name="Anas"), ContactFactory(name="Badr")
    services.register(mission, a, by=staff)
    db.session.commit()
    services.cancel_registration(db.session.scalar(sa.select(Registration).where(Registration.contact_id == a.id)),
                                 by=staff)
    services.register(mission, b, by=staff)
    again = services.register(mission, a, by=staff)
    db.session.commit()
    assert again.status == RegistrationStatus.WAITLISTED
    assert statuses(mission) == {"Anas": RegistrationStatus.WAITLISTED, "Badr": RegistrationStatus.REGISTERED}


def test_member_registers_own_people_within_seats(db, member):
    mission = MissionFactory(seats_per_organization=2)
    mine = [ContactFactory(organization=member.organization) for _ in range(3)]
    services.register(mission, mine[0], by=member)
    services.register(mission, mine[1], by=member)
    db.session.commit()
    with pytest.raises(Refused, match="2 seats"):
        services.register(mission, mine[2], by=member)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_secretariat_is_not_bound_by_seats_per_organisation(db, staff, member):
    mission = MissionFactory(seats_per_organization=1)
    mine = [ContactFactory(organization=member.organization) for _ in range(2)]
    for contact in mine:
        services.register(mission, contact, by=staff)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2


def test_member_cannot_register_another_organisations_contact(db, member):
    mission = MissionFactory()
    other = ContactFactory()
    with pytest.raises(Refused, match="own organisation"):
        services.register(mission, other, by=member)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_after_the_deadline_only_the_secretariat_registers(db, staff, member):
    mission = MissionFactory(registration_deadline=utcnow() - timedelta(hours=1))
    mine = ContactFactory(organization=member.organization)
    with pytest.raises(Refused, match="deadline"):
        services.register(mission, mine, by=member)
    db.session.rollback()
    assert services.register(mission, mine, by=staff).status == RegistrationStatus.REGISTERED


@pytest.mark.parametrize("state", [MissionState.DRAFT, MissionState.CLOSED, MissionState.DONE, MissionState.CANCELLED])
def test_member_registers_only_while_open(db, member, state):
    mission = MissionFactory(state=state)
    with pytest.raises(Refused):
        services.register(mission, ContactFactory(organization=member.organization), by=member)


def test_secretariat_registers_while_closed(db, staff):
    mission = MissionFactory(state=MissionState.CLOSED)
    assert services.register(mission, ContactFactory(), by=staff).status == RegistrationStatus.REGISTERED


def test_registering_answers_the_invitation(db, staff):
    mission = MissionFactory()
    contact = ContactFactory()
    db.session.add(Invitation(mission_id=mission.id, organization_id=contact.organization_id, contact_id=contact.id))
    db.session.commit()
    services.register(mission, contact, by=staff)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Invitation.answer)) == InvitationAnswer.REGISTERED


# --- editing -----------------------------------------------------------------------------------

def _data(mission, **changes):
    values = {f: getattr(mission, f) for f in services.MISSION_FIELDS}
    values.update(changes)
    return services.MissionData(**values)


def test_capacity_below_registrations_is_refused(db, staff):
    mission = MissionFactory(capacity=3)
    for _ in range(3):
        services.register(mission, ContactFactory(), by=staff)
    db.session.commit()
    with pytest.raises(Refused, match="3 people"):
        services.update_mission(mission, _data(mission, capacity=2), version=mission.version, by=staff)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).capacity == 3


def test_more_capacity_promotes_the_waiting_list(db, staff, outbox):
    mission = MissionFactory(capacity=1)
    contacts = [ContactFactory() for _ in range(3)]
    for contact in contacts:
        services.register(mission, contact, by=staff)
    db.session.commit()
    services.update_mission(mission, _data(mission, capacity=2), version=mission.version, by=staff)
    db.session.commit()
    assert [m.recipient for m in outbox(template="missions_promoted")] == [contacts[1].email]


def test_end_before_start_is_refused(db, staff):
    mission = MissionFactory()
    with pytest.raises(Refused, match="end"):
        services.update_mission(mission, _data(mission, ends_at=mission.starts_at - timedelta(hours=1)),
                                version=mission.version, by=staff)
    with pytest.raises(Refused):
        services.create_mission(_data(mission, ends_at=mission.starts_at - timedelta(minutes=1)), by=staff)


def test_stale_edit_is_refused(db, staff):
    mission = MissionFactory(title="Saved")
    with pytest.raises(Stale) as stale:
        services.update_mission(mission, _data(mission, title="Changed"), version=str(mission.version - 1), by=staff)
    assert stale.value.theirs.id == mission.id
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).title == "Saved"


def test_stale_report_is_refused(db, staff):
    mission = MissionFactory(state=MissionState.DONE)
    report = services.save_report(mission, outcomes="Theirs", contacts_made=None, version="", by=staff)
    db.session.commit()
    with pytest.raises(Stale) as stale:
        services.save_report(mission, outcomes="Mine", contacts_made=None, version="", by=staff)
    assert stale.value.theirs.id == report.id


def test_refusals_name_their_field(db, staff, member):
    """A refusal is said at the form field it is about (``commit_or_rerender`` puts it there)."""
    mission = MissionFactory(capacity=1)
    services.register(mission, ContactFactory(), by=staff)
    db.session.commit()
    with pytest.raises(Refused) as capacity:
        services.update_mission(mission, _data(mission, capacity=0), version=mission.version, by=staff)
    db.session.rollback()
    with pytest.raises(Refused) as deadline:
        services.update_mission(mission, _data(mission, registration_deadline=mission.ends_at + timedelta(days=1)),
                                version=mission.version, by=staff)
    db.session.rollback()
    with pytest.raises(Refused) as stranger:
        services.register(mission, ContactFactory(), by=member)
    db.session.rollback()
    with pytest.raises(Refused) as day:
        services.add_agenda_item(mission, day=mission.ends_at.date() + timedelta(days=5), starts_at=None,
                                 place=None, title="Later", by=staff)
    assert [capacity.value.field, deadline.value.field, stranger.value.field, day.value.field] == [
        "capacity", "registration_deadline", "contact_id", "day"]


# --- invitations -------------------------------------------------------------------------------

def test_invite_active_members_primary_or_all(db, staff, outbox):
    mission = MissionFactory()
    active = MembershipFactory().organization
    lapsed = MembershipFactory(status="lapsed").organization
    primary = ContactFactory(organization=active, is_primary=True)
    second = ContactFactory(organization=active)
    ContactFactory(organization=active, email=None)
    ContactFactory(organization=lapsed, is_primary=True)
    ids = services.active_member_ids()
    assert ids == [active.id]
    assert services.invite(mission, ids, all_contacts=False, by=staff).count == 1
    db.session.commit()
    assert [m.recipient for m in outbox(template="missions_invitation")] == [primary.email]
    # all contacts: only the one not yet invited is added
    assert services.invite(mission, ids, all_contacts=True, by=staff).count == 1
    db.session.commit()
    assert sorted(m.recipient for m in outbox(template="missions_invitation")) == sorted([primary.email, second.email])


def test_decline(db, staff, member):
    mission = MissionFactory()
    contact = ContactFactory(organization=member.organization)
    services.invite(mission, [member.organization_id], all_contacts=True, by=staff)
    db.session.commit()
    invitation = db.session.scalar(sa.select(Invitation))
    services.decline(invitation, by=member)
    db.session.commit()
    assert invitation.answer == InvitationAnswer.DECLINED
    with pytest.raises(Refused):
        services.decline(invitation, by=member)
    assert contact.id == invitation.contact_id


def test_invitations_wait_for_the_mission_to_open(db, staff):
    mission = MissionFactory(state=MissionState.DRAFT)
    with pytest.raises(Refused):
        services.invite(mission, [MembershipFactory().organization_id], all_contacts=True, by=staff)
