"""Membership moves, every pair: from no membership or any status to any status, the moves of
``services.TRANSITIONS`` succeed and are audited and dated; the same status changes nothing; every other move is
refused at the status field, nothing saved (through the page and through the service alike)."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused
from club.members import services
from club.members.models import Membership, MembershipChange, MembershipStatus
from tests.members.factories import MembershipFactory

PAIRS = list(itertools.product([None, *MembershipStatus], MembershipStatus))


def _kind(current, target) -> str:
    if target == current:
        return "same"
    return "allowed" if target in services.TRANSITIONS[current] else "refused"


def test_the_table_has_a_row_for_every_state():
    assert set(services.TRANSITIONS) == {None, *MembershipStatus}
    assert all(current not in allowed for current, allowed in services.TRANSITIONS.items())


def _organisation(factories, current):
    org = factories.OrganizationFactory()
    if current is not None:
        MembershipFactory(organization=org, status=current)
    return org


def _state(db, org_id):
    db.session.expire_all()
    status = db.session.scalar(sa.select(Membership.status).where(Membership.organization_id == org_id))
    changes = db.session.execute(sa.select(MembershipChange.from_status, MembershipChange.to_status)
                                 .join(Membership).where(Membership.organization_id == org_id)).all()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "membership.changed",
                                                            AuditEvent.entity_id == org_id)).all()
    return status, [tuple(c) for c in changes], events


@pytest.mark.parametrize("current, target", PAIRS, ids=[f"{c}-{t}" for c, t in PAIRS])
def test_every_move_through_the_page(client, as_user, factories, db, current, target):
    org = _organisation(factories, current)
    as_user(factories.UserFactory(role="secretariat"))
    response = client.post(f"/members/{org.id}/membership", data={"membership-status": target.value})
    status, changes, events = _state(db, org.id)
    kind = _kind(current, target)
    if kind == "allowed":
        assert response.status_code == 303
        assert status == target and changes == [(current, target)]
        assert len(events) == 1 and events[0].changes["status"] == [current.value if current else None, target.value]
    elif kind == "same":
        assert response.status_code == 303
        assert status == current and changes == [] and events == []
    else:
        assert response.status_code == 422
        assert 'id="membership-status-error"' in response.get_data(as_text=True)
        assert status == current and changes == [] and events == []


@pytest.mark.parametrize("current, target", PAIRS, ids=[f"{c}-{t}" for c, t in PAIRS])
def test_every_move_through_the_service(app, factories, db, current, target):
    org = _organisation(factories, current)
    staff = factories.UserFactory(role="secretariat")
    if _kind(current, target) == "refused":
        with app.test_request_context(), pytest.raises(Refused) as refused:
            services.change_membership(org, target, by=staff)
        assert refused.value.field == "status"
        db.session.rollback()
        assert _state(db, org.id)[:2] == (current, [])
    else:
        services.change_membership(org, target, by=staff)
        db.session.commit()
        status, changes, events = _state(db, org.id)
        assert status == target
        assert changes == ([] if target == current else [(current, target)])
        assert len(events) == (0 if target == current else 1)
