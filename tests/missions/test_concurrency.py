"""Concurrent requests on the last seats: real threads, each request with its own app context, session and
database connection. Run on PostgreSQL (``DATABASE_URL=postgresql://...``) this exercises ``SELECT ... FOR
UPDATE``; on SQLite, the write lock taken first thing by ``lock_mission``."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from club.core.audit import AuditEvent
from club.core.models import OutboxMessage
from club.missions import services
from club.missions.models import Invitation, InvitationAnswer, Registration, RegistrationStatus
from club.permissions import Role
from tests.members.factories import ContactFactory, MembershipFactory
from tests.missions.factories import MissionFactory

RACERS = 20


def _count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _race(app, user, url, payloads):
    """POST every payload at the same moment from its own thread; returns the status codes.

    ``url`` is one URL for all, or None when each payload is a ``(url, data)`` pair."""
    barrier = threading.Barrier(len(payloads))
    codes: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(data):
        try:
            client = app.test_client()
            if user_id is not None:
                with client.session_transaction() as session:
                    session["_user_id"] = user_id
            barrier.wait(timeout=10)
            target, form = (url, data) if url is not None else data
            response = client.post(target, data=form)
            with lock:
                codes.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    user_id = user.get_id() if user is not None else None  # None: a visitor without an account
    threads = [threading.Thread(target=worker, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return codes


def test_last_seat_goes_to_exactly_one(app, db, factories, request_context):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory(capacity=3)
    for _ in range(2):
        services.register(mission, ContactFactory(), by=staff)
    db.session.commit()
    racers = [ContactFactory() for _ in range(8)]
    codes = _race(app, staff, f"/missions/{mission.id}/register", [{"contact_id-pick": c.id} for c in racers])
    assert codes == [303] * 8
    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(Registration.contact_id, Registration.status)
                                       .where(Registration.contact_id.in_([c.id for c in racers]))).all())
    assert sorted(statuses.values()) == sorted([RegistrationStatus.REGISTERED] + [RegistrationStatus.WAITLISTED] * 7)
    seated = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.mission_id == mission.id, Registration.status == RegistrationStatus.REGISTERED))
    assert seated == 3


def test_same_person_twice_at_once_makes_one_registration(app, db, factories):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory(capacity=10)
    contact = ContactFactory()
    codes = _race(app, staff, f"/missions/{mission.id}/register", [{"contact_id-pick": contact.id}] * 6)
    assert sorted(codes) == [303] + [422] * 5
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_concurrent_cancellations_promote_each_waiting_person_once(app, db, factories, request_context):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory(capacity=4)
    seated = [services.register(mission, ContactFactory(), by=staff) for _ in range(4)]
    waiting = [services.register(mission, ContactFactory(), by=staff) for _ in range(2)]
    db.session.commit()
    urls = [(f"/missions/{mission.id}/registrations/{r.id}/cancel", {}) for r in seated]
    seated_ids, waiting_ids = [r.id for r in seated], [r.id for r in waiting]
    results = _race(app, staff, None, urls)
    assert results == [303] * 4
    db.session.expire_all()
    rows = dict(db.session.execute(sa.select(Registration.id, Registration.status)).all())
    assert [rows[i] for i in waiting_ids] == [RegistrationStatus.REGISTERED] * 2
    assert [rows[i] for i in seated_ids] == [RegistrationStatus.CANCELLED] * 4


# --- 20 identical requests at once: no 500, one outcome ------------------------------------------

def test_twenty_identical_registrations_make_one(app, db, factories):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory(capacity=10)
    contact = ContactFactory()
    codes = _race(app, staff, f"/missions/{mission.id}/register", [{"contact_id-pick": contact.id}] * RACERS)
    assert sorted(codes) == [303] + [422] * (RACERS - 1)
    assert _count(db, Registration) == 1
    assert _count(db, AuditEvent, AuditEvent.action == "mission.register") == 1
    assert _count(db, OutboxMessage, OutboxMessage.template == "missions_registered") == 1


def test_twenty_identical_cancellations_cancel_once_and_promote_once(app, db, factories, request_context):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory(capacity=1)
    seated = services.register(mission, ContactFactory(), by=staff)
    first, second = (services.register(mission, ContactFactory(), by=staff) for _ in range(2))
    db.session.commit()
    ids = seated.id, first.id, second.id
    codes = _race(app, staff, f"/missions/{mission.id}/registrations/{ids[0]}/cancel", [{}] * RACERS)
    assert codes == [303] * RACERS
    db.session.expire_all()
    rows = dict(db.session.execute(sa.select(Registration.id, Registration.status)).all())
    assert [rows[i] for i in ids] == [RegistrationStatus.CANCELLED, RegistrationStatus.REGISTERED,
                                      RegistrationStatus.WAITLISTED]
    assert _count(db, AuditEvent, AuditEvent.action == "mission.cancel_registration") == 1
    assert _count(db, AuditEvent, AuditEvent.action == "mission.promote") == 1
    assert _count(db, OutboxMessage, OutboxMessage.template == "missions_promoted") == 1


def _invited(db, staff, mission):
    org = MembershipFactory().organization
    contact = ContactFactory(organization=org)
    services.invite(mission, [org.id], all_contacts=True, by=staff)
    db.session.commit()
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.contact_id == contact.id))
    return contact, f"/missions/invitation/{services.invitation_token(invitation)}"


def test_twenty_identical_acceptances_by_link_register_once(app, db, factories, request_context):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory(capacity=5)
    contact, url = _invited(db, staff, mission)
    codes = _race(app, None, url, [{"answer": "accept"}] * RACERS)
    assert codes == [303] * RACERS  # one registers, the others find the same answer given: nothing changes
    assert _count(db, Registration, Registration.contact_id == contact.id,
                  Registration.status == RegistrationStatus.REGISTERED) == 1
    assert _count(db, AuditEvent, AuditEvent.action == "mission.register") == 1
    assert _count(db, OutboxMessage, OutboxMessage.template == "missions_registered") == 1
    assert db.session.scalar(sa.select(Invitation.answer)) == InvitationAnswer.REGISTERED


def test_twenty_identical_declines_by_link_decline_once(app, db, factories, request_context):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory()
    contact, url = _invited(db, staff, mission)
    codes = _race(app, None, url, [{"answer": "decline"}] * RACERS)
    assert codes == [303] * RACERS
    assert _count(db, AuditEvent, AuditEvent.action == "mission.decline") == 1
    assert _count(db, Registration) == 0
    assert db.session.scalar(sa.select(Invitation.answer)) == InvitationAnswer.DECLINED


def test_mixed_answers_at_once_keep_one_and_refuse_the_others(app, db, factories, request_context):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    mission = MissionFactory()
    contact, url = _invited(db, staff, mission)
    codes = _race(app, None, url, [{"answer": "accept"}, {"answer": "decline"}] * (RACERS // 2))
    assert 500 not in codes and set(codes) <= {303, 422}
    db.session.expire_all()
    answer = db.session.scalar(sa.select(Invitation.answer))
    registered = _count(db, Registration, Registration.status == RegistrationStatus.REGISTERED)
    assert (answer, registered) in {(InvitationAnswer.REGISTERED, 1), (InvitationAnswer.DECLINED, 0)}
    assert codes.count(303) == RACERS // 2 and codes.count(422) == RACERS // 2
