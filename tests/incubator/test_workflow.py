"""The transition table, tested exhaustively, through the service and through the secretariat's screen."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.incubator import services
from club.incubator.models import OPEN_STATES, TRANSITIONS, Application, Status, StatusChange, may_move
from tests.incubator.factories import ApplicationFactory

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
        with pytest.raises(services.Refused) as refused:
            services.move(application, new, by=staff)
        assert str(refused.value)
        db.session.rollback()
        assert db.session.get(Application, application.id).status == old
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange)) == 0
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
