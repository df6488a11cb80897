"""The recognitions' pages run a constant number of queries, whatever the number of awards."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from club.extensions import db as database
from club.members.models import Contact
from club.missions.models import Mission
from club.models import utcnow
from club.permissions import Role
from club.programmes.models import Award, AwardCategory
from club.programmes.services.awards import search_text_for_award
from tests.factories import OrganizationFactory
from tests.missions.factories import MissionFactory


def _fill(n: int, tag: str) -> int:
    """n awards under one occasion, spread over organisations (a third to one of their contacts), people outside
    the register, missions, categories and years (bulk, as the bench does). The organisation of the first one."""
    orgs = [OrganizationFactory() for _ in range(4)]
    missions = [MissionFactory() for _ in range(2)]
    now = utcnow()
    database.session.execute(sa.insert(Contact), [
        {"organization_id": o.id, "name": f"C{tag}{o.id}", "name_key": f"c{tag}{o.id}", "is_primary": False,
         "created_at": now, "updated_at": now, "version": 1} for o in orgs])
    contacts = {oid: cid for cid, oid in database.session.execute(
        sa.select(Contact.id, Contact.organization_id).where(Contact.organization_id.in_([o.id for o in orgs])))}
    categories = list(AwardCategory)
    rows = []
    for i in range(n):
        org = orgs[i % 4] if i % 5 else None
        rows.append({
            "title": f"Prix {tag} {i}", "occasion": f"Salon {tag}", "category": categories[i % len(categories)],
            "awarded_on": date(2020, 7, 11) - timedelta(days=200 * (i % 4)),
            "mission_id": missions[i % 2].id if i % 3 == 0 else None,
            "organization_id": org.id if org else None,
            "contact_id": contacts[org.id] if org and i % 3 == 1 else None,
            "person_name": None if org else f"Personne {i}", "person_country": None if org else "Belgique",
            "search_text": search_text_for_award(f"Prix {tag} {i}", f"Salon {tag}",
                                                 organization=org.name if org else None,
                                                 person_name=None if org else f"Personne {i}"),
            "created_at": now, "updated_at": now, "version": 1})
    database.session.execute(sa.insert(Award), rows)
    database.session.commit()
    return orgs[1].id


def _queries(client, count_queries, url) -> int:
    database.session.expire_all()
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


PAGES = ["/programmes/awards/?occasion=Salon+{tag}", "/programmes/awards/?q={tag}",
         "/programmes/awards/export.csv?occasion=Salon+{tag}",
         "/programmes/awards/export.xlsx?occasion=Salon+{tag}", "/members/{org}", "/search?q=prix+{tag}"]


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.MEMBER, Role.PARTNER])
@pytest.mark.parametrize("url", PAGES)
def test_award_pages_are_constant(db, factories, as_user, count_queries, url, role):
    user = factories.UserFactory(role=role, organization=OrganizationFactory() if role != Role.SECRETARIAT else None)
    small_org, big_org = _fill(5, "petit"), _fill(80, "grand")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Award)) == 85
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mission)) == 4
    client = as_user(user)
    client.get("/")
    small = _queries(client, count_queries, url.format(tag="petit", org=small_org))
    big = _queries(client, count_queries, url.format(tag="grand", org=big_org))
    assert small == big, url


def test_the_list_is_paginated(db, factories, as_user):
    _fill(60, "page")
    client = as_user(factories.UserFactory(role=Role.SECRETARIAT, locale="en"))
    first = client.get("/programmes/awards/").get_data(as_text=True)
    assert first.count('class="card mb-2"') == 25 and "60 results" in first
    last = client.get("/programmes/awards/?page=3").get_data(as_text=True)
    assert last.count('class="card mb-2"') == 10
