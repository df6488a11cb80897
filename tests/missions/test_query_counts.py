"""Every missions page runs a constant number of queries, whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.extensions import db as database
from club.members.models import Contact
from club.missions.models import (
    Invitation,
    Mission,
    MissionState,
    Registration,
    RegistrationStatus,
    mission_partners,
)
from club.models import utcnow
from club.permissions import Role
from tests.factories import OrganizationFactory
from tests.missions.factories import MissionFactory


def _fill(mission, n, organization_id=None):
    """n people registered on ``mission`` (bulk, as the bench does), a fifth of them waitlisted."""
    orgs = [OrganizationFactory() for _ in range(3)]
    now = utcnow()
    contacts = [{"organization_id": organization_id or orgs[i % 3].id, "name": f"P{mission.id}-{i}",
                 "name_key": f"p{mission.id}-{i}", "email": f"p{mission.id}-{i}@example.org", "is_primary": False,
                 "created_at": now, "updated_at": now, "version": 1} for i in range(n)]
    database.session.execute(sa.insert(Contact), contacts)
    rows = database.session.execute(sa.select(Contact.id, Contact.organization_id)
                                    .where(Contact.name.like(f"P{mission.id}-%"))).all()
    database.session.execute(sa.insert(Registration), [
        {"mission_id": mission.id, "contact_id": cid, "organization_id": oid,
         "status": RegistrationStatus.WAITLISTED if i % 5 == 0 else RegistrationStatus.REGISTERED,
         "queued_at": now + timedelta(seconds=i), "created_at": now, "updated_at": now}
        for i, (cid, oid) in enumerate(rows)])
    database.session.execute(sa.insert(Invitation), [
        {"mission_id": mission.id, "contact_id": cid, "organization_id": oid, "invited_at": now}
        for cid, oid in rows])
    database.session.execute(sa.insert(mission_partners), [{"mission_id": mission.id, "organization_id": o.id}
                                                           for o in orgs])
    database.session.commit()


def _queries(client, count_queries, url):
    database.session.expire_all()
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


PAGES = ["/missions/{id}", "/missions/{id}/attendance", "/missions/{id}/participants",
         "/missions/{id}/participants.csv", "/missions/{id}/participants.xlsx",
         "/missions/{id}/invitations", "/missions/{id}.ics",
         "/missions/{id}/register", "/missions/{id}/report"]


@pytest.mark.parametrize("url", PAGES)
def test_mission_pages_are_constant(db, factories, as_user, count_queries, url):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    small, big = MissionFactory(capacity=4), MissionFactory(capacity=40)
    _fill(small, 5)
    _fill(big, 50)
    client = as_user(staff)
    client.get("/")
    small_url, big_url = url.format(id=small.id), url.format(id=big.id)
    assert _queries(client, count_queries, small_url) == _queries(client, count_queries, big_url)


def test_member_mission_page_is_constant(db, factories, as_user, count_queries):
    member = factories.UserFactory(member=True)
    small, big = MissionFactory(capacity=4), MissionFactory(capacity=40)
    _fill(small, 5, member.organization_id)
    _fill(big, 50, member.organization_id)
    client = as_user(member)
    client.get("/")
    small_url, big_url = f"/missions/{small.id}", f"/missions/{big.id}"
    assert _queries(client, count_queries, small_url) == _queries(client, count_queries, big_url)


@pytest.mark.parametrize("role", ["secretariat", "member", "partner"])
def test_list_and_home_are_constant(db, factories, as_user, count_queries, role):
    user = {"secretariat": lambda: factories.UserFactory(role=Role.SECRETARIAT),
            "member": lambda: factories.UserFactory(member=True),
            "partner": lambda: factories.UserFactory(partner=True)}[role]()
    client = as_user(user)
    client.get("/")
    user_org = user.organization_id

    def make(n):
        now = utcnow()
        database.session.execute(sa.insert(Mission), [
            {"title": f"M{i}", "kind": "trade_mission", "destination": "Casablanca", "starts_at": now + timedelta(days=i + 1),
             "ends_at": now + timedelta(days=i + 2), "capacity": 10, "state": MissionState.OPEN, "created_at": now,
             "updated_at": now, "version": 1} for i in range(n)])
        ids = database.session.scalars(sa.select(Mission.id)).all()
        org = user_org or OrganizationFactory().id
        database.session.execute(sa.insert(mission_partners), [
            {"mission_id": i, "organization_id": org} for i in ids
            if database.session.scalar(sa.select(sa.func.count()).select_from(mission_partners).where(
                mission_partners.c.mission_id == i)) == 0])
        database.session.commit()

    make(5)
    counts_small = [_queries(client, count_queries, url) for url in ("/missions/", "/missions/?when=all", "/")]
    make(45)
    counts_big = [_queries(client, count_queries, url) for url in ("/missions/", "/missions/?when=all", "/")]
    assert counts_small == counts_big
