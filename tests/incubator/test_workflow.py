"""The transition table, tested exhaustively: the secretariat's moves and the applicant's (submit, withdraw), every
pair of states; allowed moves succeed and are audited, the others are refused and change nothing."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused
from club.incubator import services
from club.incubator.models import (
    APPLICANT_MOVES,
    OPEN_STATES,
    TRANSITIONS,
    Application,
    DeckVersion,
    Status,
    StatusChange,
    may_move,
)
from tests.incubator.factories import ApplicationFactory
from tests.incubator.test_applicant import _stored

EXPECTED = {
    ("draft", "submitted"), ("draft", "withdrawn"),
    ("submitted", "screening"), ("submitted", "withdrawn"),
    ("screening", "interview"), ("screening", "rejected"), ("screening", "withdrawn"),
    ("interview", "accepted"), ("interview", "waitlisted"), ("interview", "rejected"), ("interview", "withdrawn"),
    ("waitlisted", "accepted"), ("waitlisted", "rejected"), ("waitlisted", "withdrawn"),
    ("accepted", "incubated"), ("accepted", "withdrawn"),
    ("incubated", "graduated"), ("incubated", "dropped"),
}


def test_table_is_exactly_the_workflow():
    allowed = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert allowed == EXPECTED
    assert set(TRANSITIONS) == set(Status)
    # withdrawn from every open state, and from nowhere else
    assert {a for a, b in EXPECTED if b == "withdrawn"} == {s.value for s in OPEN_STATES}


@pytest.mark.parametrize("old,new", list(itertools.product(Status, Status)))
def test_every_pair(db, ctx, factories, old, new):
    staff = factories.UserFactory()
    application = ApplicationFactory(status=old)
    before = application.version
    if new == Status.SUBMITTED or not may_move(old, new):
        with pytest.raises(Refused) as refused:
            services.move(application, new, by=staff)
        assert str(refused.value)
        db.session.rollback()
        assert db.session.get(Application, application.id).status == old
        _assert_nothing_recorded(db)
        return
    change = services.move(application, new, by=staff, version=before)
    db.session.commit()
    assert db.session.get(Application, application.id).status == new
    assert (change.from_status, change.to_status, change.by_id) == (old, new, staff.id)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "incubator.application.move"))
    assert event.changes == {"status": [old.value, new.value]} and event.actor_id == staff.id


def test_forbidden_move_through_the_screen_is_refused_with_a_message(db, factories, login_as):
    staff = factories.UserFactory()
    application = ApplicationFactory(status=Status.SUBMITTED)
    client = login_as(staff)
    response = client.post(f"/incubator/applications/{application.id}/move",
                           data={"to_status": "accepted", "version": application.version, "send_mail": ""},
                           follow_redirects=True)
    assert "pas autorisé" in response.text
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.SUBMITTED


def _assert_nothing_recorded(db):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "incubator.application.move")) == 0


def test_the_applicant_makes_exactly_the_applicant_moves():
    assert APPLICANT_MOVES == {(Status.DRAFT, Status.SUBMITTED)} | {(s, Status.WITHDRAWN) for s in OPEN_STATES}


@pytest.mark.parametrize("old", list(Status))
def test_the_applicant_withdraws_from_every_open_state_and_no_other(db, ctx, old):
    application = ApplicationFactory(status=old)
    founder = application.applicant
    if (old, Status.WITHDRAWN) not in APPLICANT_MOVES:
        with pytest.raises(Refused):
            services.withdraw(application, by=founder, note="Plus tard")
        db.session.rollback()
        assert db.session.get(Application, application.id).status == old
        _assert_nothing_recorded(db)
        return
    change = services.withdraw(application, by=founder, note="Plus tard")
    db.session.commit()
    assert db.session.get(Application, application.id).status == Status.WITHDRAWN
    assert (change.from_status, change.to_status, change.note) == (old, Status.WITHDRAWN, "Plus tard")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "incubator.application.move"))
    assert event.changes == {"status": [old.value, "withdrawn"]} and event.actor_id == founder.id


@pytest.mark.parametrize("old", list(Status))
def test_the_applicant_submits_a_complete_draft_and_nothing_else(db, ctx, old):
    application = ApplicationFactory(status=old)
    founder = application.applicant
    db.session.add(DeckVersion(application_id=application.id, number=1, stored_file_id=_stored(db, founder).id))
    db.session.commit()
    if (old, Status.SUBMITTED) not in APPLICANT_MOVES:
        with pytest.raises(Refused):
            services.submit(application, by=founder)
        db.session.rollback()
        assert db.session.get(Application, application.id).status == old
        _assert_nothing_recorded(db)
        return
    services.submit(application, by=founder)
    db.session.commit()
    assert db.session.get(Application, application.id).status == Status.SUBMITTED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "incubator.application.move"))
    assert event.changes == {"status": ["draft", "submitted"]} and event.actor_id == founder.id


def test_only_the_owner_submits(db, ctx, factories):
    application = ApplicationFactory(status=Status.DRAFT)
    for someone in (factories.UserFactory(), factories.UserFactory(applicant=True)):
        with pytest.raises(Refused):
            services.submit(application, by=someone)
    db.session.rollback()
    assert db.session.get(Application, application.id).status == Status.DRAFT
