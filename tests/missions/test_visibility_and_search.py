"""One rule says who sees a mission (``Mission.visible_to``): the list, the mission page, ``get_visible_or_404``,
``is_visible`` and the global search answer the same, for every role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from club.auth.models import User
from club.extensions import db as database
from club.missions import queries
from club.missions.demo import CASA_SHORE, FIRST_MEETING
from club.missions.models import Mission, MissionState, Registration, RegistrationStatus
from club.models import utcnow
from club.permissions import Role, get_visible_or_404, is_visible
from tests.members.factories import ContactFactory
from tests.missions.factories import MissionFactory

DEMO_USERS = {"secretariat": "secretariat@club.example", "partner": "partner@firo.example",
              "member": "contact@saccom.example", "applicant": "founder@startup.example"}


def _register(mission, contact, status=RegistrationStatus.REGISTERED):
    database.session.add(Registration(mission_id=mission.id, contact_id=contact.id,
                                      organization_id=contact.organization_id, status=status))
    database.session.commit()


@pytest.fixture()
def world(demo_world, factories):
    """The demo world, users of other organisations, and missions that tell the rule's branches apart: a draft,
    one another partner's organisation has people on, one where its only registration was cancelled."""
    users = {role: database.session.scalar(sa.select(User).where(User.email == email))
             for role, email in DEMO_USERS.items()}
    users["other member"] = factories.UserFactory(member=True, locale="en")
    users["other applicant"] = factories.UserFactory(applicant=True, locale="en")
    users["other partner"] = factories.UserFactory(partner=True, locale="en")
    users["partner without organisation"] = factories.UserFactory(role=Role.PARTNER, locale="en")
    other_partner = users["other partner"].organization
    MissionFactory(title="Draft to come", state=MissionState.DRAFT)
    with_people = MissionFactory(title="Other partner's people on it", destination="Tanger Med")
    _register(with_people, ContactFactory(organization=other_partner))
    left = MissionFactory(title="Other partner left it", state=MissionState.CLOSED)
    _register(left, ContactFactory(organization=other_partner), RegistrationStatus.CANCELLED)
    partnered_draft = MissionFactory(title="Partnered draft", state=MissionState.DRAFT)
    partnered_draft.partners = [other_partner]
    MissionFactory(title="Long past", state=MissionState.DONE, starts_at=utcnow() - timedelta(days=400),
                   ends_at=utcnow() - timedelta(days=399))
    database.session.commit()
    return users


def _listed(client) -> set[int]:
    page = client.get("/missions/?when=all")
    if page.status_code == 404:
        return set()
    assert page.status_code == 200
    return {int(i) for i in re.findall(r'href="/missions/(\d+)"', page.get_data(as_text=True))}


def test_the_list_and_the_pages_agree_for_every_role(world, client, login_as):
    all_ids = set(database.session.scalars(sa.select(Mission.id)))
    seen = {}
    for role, user in world.items():
        login_as(user)
        from_query = {m.id for m, _seated, _waiting in database.session.execute(
            queries.mission_list(user, when="all"))}
        opened = {mission_id for mission_id in all_ids if client.get(f"/missions/{mission_id}").status_code == 200}
        assert _listed(client) == from_query == opened, role
        loaded = set()
        for mission_id in all_ids:
            try:
                loaded.add(get_visible_or_404(Mission, mission_id, user).id)
            except NotFound:
                pass
        assert loaded == opened, role
        assert {m for m in all_ids if is_visible(database.session.get(Mission, m), user)} == opened, role
        seen[role] = {database.session.get(Mission, m).title for m in opened}
    titles = {database.session.get(Mission, m).title for m in all_ids}
    published = titles - {"Draft to come", "Partnered draft"}
    assert seen["secretariat"] == titles
    assert seen["member"] == seen["other member"] == published
    assert seen["partner"] == {FIRST_MEETING}  # FIRO partners the first meeting, has nobody on Casa-shore
    assert seen["other partner"] == {"Other partner's people on it"}  # not the draft, not the one it left
    assert seen["applicant"] == seen["other applicant"] == seen["partner without organisation"] == set()
    assert CASA_SHORE in published


# --- the global search --------------------------------------------------------------------------

def _group(client, term, **headers) -> str:
    response = client.get("/search", query_string={"q": term}, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_search_finds_what_each_role_may_see(world, client, login_as):
    """By title or destination, case and accents folded; what a role may not open never appears."""
    casa = database.session.scalar(sa.select(Mission).where(Mission.title == CASA_SHORE))
    meeting = database.session.scalar(sa.select(Mission).where(Mission.title == FIRST_MEETING))
    login_as(world["secretariat"])
    page = _group(client, "PREMIERE reunion")  # "Première réunion…": case and accents folded
    assert f'href="/missions/{meeting.id}"' in page and FIRST_MEETING.replace("'", "&#39;") in page
    assert f'href="/missions/{casa.id}"' not in page
    assert "Draft to come" in _group(client, "draft to")  # the secretariat sees drafts
    assert "Other partner&#39;s people on it" in _group(client, "tanger")  # by destination
    login_as(world["member"])
    assert f'href="/missions/{casa.id}"' in _group(client, "casa-SHORE")
    assert "Draft to come" not in _group(client, "draft to")
    login_as(world["partner"])
    assert f'href="/missions/{meeting.id}"' in _group(client, "réunion")
    assert f'href="/missions/{casa.id}"' not in _group(client, "casa-shore")
    login_as(world["other partner"])
    assert "Other partner&#39;s people on it" in _group(client, "other partner")
    assert "Other partner left it" not in _group(client, "other partner")
    login_as(world["applicant"])
    assert "/missions/" not in _group(client, "casa")


def test_the_search_fragment_for_htmx(world, client, login_as):
    casa = database.session.scalar(sa.select(Mission).where(Mission.title == CASA_SHORE))
    login_as(world["other member"])  # reads English
    fragment = _group(client, "medz", **{"HX-Request": "true"})
    assert "<html" not in fragment
    assert f'href="/missions/{casa.id}"' in fragment and 'id="search-missions">Missions' in fragment
    assert "Study visit · Casablanca, Casa-shore · " in fragment  # the detail line: kind, destination, date, state


def test_the_search_runs_two_queries_whatever_the_number_of_missions(app, db, factories, count_queries):
    member = factories.UserFactory(member=True, locale="en")

    def search():
        assert member.role == Role.MEMBER and member.active  # loaded now: the counter empties the session
        with app.test_request_context(), count_queries() as q:
            total, hits = queries.search_missions("Oujda", member, 5)
        return q.count, total, [hit.title for hit in hits]

    MissionFactory(title="Visite à Oujda", destination="Oujda")
    assert search() == (2, 1, ["Visite à Oujda"])
    for n in range(12):
        MissionFactory(title=f"Mission {n}", destination="OUJDA Technopole", starts_at=utcnow() + timedelta(days=n + 1))
    MissionFactory(title="Draft in Oujda", state=MissionState.DRAFT)
    count, total, titles = search()
    assert (count, total, len(titles)) == (2, 13, 5)
    assert titles == ["Mission 0", "Mission 1", "Mission 2", "Mission 3", "Mission 4"]  # the next ones first
    with app.test_request_context(), count_queries() as q:
        assert queries.search_missions("nowhere at all", member, 5) == (0, [])  # no page to read
    assert q.count == 1
