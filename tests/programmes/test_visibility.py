"""One rule says who sees a programme (``Programme.visible_to``): the list, the programme page, ``get_visible_or_404``,
``is_visible`` and the global search answer the same, for every role, on the demo world and programmes that tell the
rule's branches apart."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from club.auth.models import User
from club.extensions import db as database
from club.permissions import Role, get_visible_or_404, is_visible
from club.programmes.demo import JERADA
from club.programmes.models import PartnerRole, Programme, ProgrammePartner, ProgrammeState
from club.programmes.queries import programmes as queries
from tests.factories import OrganizationFactory
from tests.programmes.test_programmes_services import make_programme

DEMO_USERS = {"secretariat": "secretariat@club.example", "partner": "partner@firo.example",
              "member": "contact@saccom.example", "applicant": "founder@startup.example"}


@pytest.fixture()
def world(demo_world, factories):
    users = {role: database.session.scalar(sa.select(User).where(User.email == email))
             for role, email in DEMO_USERS.items()}
    users["other member"] = factories.UserFactory(member=True, locale="en")
    users["other partner"] = factories.UserFactory(partner=True, locale="en")
    users["partner without organisation"] = factories.UserFactory(role=Role.PARTNER, locale="en")
    saccom = users["member"].organization
    firo = users["partner"].organization
    make_programme(saccom, state=ProgrammeState.DRAFT, title="Saccom's draft")
    make_programme(OrganizationFactory(), state=ProgrammeState.CANCELLED, title="Cancelled elsewhere")
    make_programme(OrganizationFactory(), state=ProgrammeState.CLOSED, title="Closed elsewhere")
    partnered_draft = make_programme(OrganizationFactory(), state=ProgrammeState.DRAFT, title="Draft FIRO partners")
    partnered_cancelled = make_programme(OrganizationFactory(), state=ProgrammeState.CANCELLED,
                                         title="Cancelled FIRO partners")
    for programme in (partnered_draft, partnered_cancelled):
        database.session.add(ProgrammePartner(programme_id=programme.id, organization_id=firo.id,
                                              role=PartnerRole.FUNDER))
    database.session.commit()
    return users


def _listed(client) -> set[int]:
    page = client.get("/programmes/?page=1")
    if page.status_code == 404:
        return set()
    assert page.status_code == 200
    return {int(i) for i in re.findall(r'href="/programmes/(\d+)"', page.get_data(as_text=True))}


def test_the_list_and_the_pages_agree_for_every_role(world, client, login_as):
    all_ids = set(database.session.scalars(sa.select(Programme.id)))
    seen = {}
    for role, user in world.items():
        login_as(user)
        from_query = {p.id for p in database.session.scalars(queries.programme_list(user))}
        opened = {i for i in all_ids if client.get(f"/programmes/{i}").status_code == 200}
        assert _listed(client) == from_query == opened, role
        loaded = set()
        for programme_id in all_ids:
            try:
                loaded.add(get_visible_or_404(Programme, programme_id, user).id)
            except NotFound:
                pass
        assert loaded == opened, role
        assert {i for i in all_ids if is_visible(database.session.get(Programme, i), user)} == opened, role
        searched = client.get("/search?q=e")  # a letter every title holds
        assert searched.status_code == 200
        seen[role] = {database.session.get(Programme, i).title for i in opened}
    titles = {database.session.get(Programme, i).title for i in all_ids}
    public = {JERADA, "Closed elsewhere"}
    assert seen["secretariat"] == titles
    assert seen["applicant"] == set()
    assert seen["member"] == public | {"Saccom's draft"}  # the lead sees its own draft
    assert seen["other member"] == seen["other partner"] == seen["partner without organisation"] == public
    assert seen["partner"] == public | {"Cancelled FIRO partners"}  # a partner, not of a draft


def test_the_search_finds_what_the_pages_open(world, client, login_as, app):
    for role, user in world.items():
        login_as(user)
        with app.test_request_context():
            total, hits = queries.search("elsewhere", user, 10)
        opened = {t for t in ("Cancelled elsewhere", "Closed elsewhere")
                  if any(client.get(h.url).status_code == 200 for h in hits if h.title == t)}
        assert {h.title for h in hits} == opened and total == len(hits), role
