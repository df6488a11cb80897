"""One visibility rule per model: for every role, what the lists show is exactly what the pages open.

On the demo world, plus a member whose own organisation is archived, a member, a partner and an applicant of other
organisations: the register (and for the secretariat its archived records), the organisation pages
(``get_visible_or_404``), ``permissions.is_visible``, the audit subjects and the contacts shown all follow
``Organization.visible_to`` and ``Contact.visible_to``.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from club.members import labels, services
from club.members.models import Contact, Organization
from club.permissions import is_visible, visible

ROLES = ("secretariat", "partner", "member", "applicant", "member_archived", "member_elsewhere",
         "partner_elsewhere", "applicant_elsewhere")


@pytest.fixture()
def world(demo_world, demo_user, org_named, factories, db):
    """The demo world; "Eca groupe" (with a member contact of its own) and "Groupe international B" archived."""
    staff = demo_user("secretariat@club.example")
    for name in ("Eca groupe", "Groupe international B"):
        services.archive_organization(org_named(name), by=staff)
    db.session.commit()
    users = {
        "secretariat": staff,
        "partner": demo_user("partner@firo.example"),
        "member": demo_user("contact@saccom.example"),
        "applicant": demo_user("founder@startup.example"),
        "member_archived": factories.UserFactory(role="member", organization=org_named("Eca groupe")),
        "member_elsewhere": factories.UserFactory(role="member", organization=org_named("Intelcia")),
        "partner_elsewhere": factories.UserFactory(role="partner", organization=org_named("MedZ")),
        "applicant_elsewhere": factories.UserFactory(role="applicant", organization=org_named("Notoriety")),
    }
    return users


def _listed(client, user) -> set[int]:
    """The organisations the register lists for ``user`` (for the secretariat, its current and archived records)."""
    ids = set()
    for args in ({}, {"archived": "1"}):
        response = client.get("/members/", query_string=args)
        if response.status_code == 404:
            return set()
        ids |= {int(i) for i in re.findall(r'<td><a href="/members/(\d+)">', response.get_data(as_text=True))}
    return ids


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_exactly_what_the_pages_open(app, client, world, as_user, db, role):
    """Organisations: the register = the pages answering 200 = ``is_visible`` = the audit subjects = the rule.
    Contacts: those shown on the pages = ``is_visible`` = the rule (partners: the primary contacts only)."""
    user = world[role]
    as_user(user)
    every = db.session.scalars(sa.select(Organization).order_by(Organization.id)).all()
    opened, shown = set(), set()
    for org in every:
        response = client.get(f"/members/{org.id}")
        if response.status_code == 200:
            opened.add(org.id)
            shown |= {int(i) for i in re.findall(r'id="contact-(\d+)"', response.get_data(as_text=True))}
        else:
            assert response.status_code == 404
    assert _listed(client, user) == opened
    assert {org.id for org in every if is_visible(org, user)} == opened
    with app.test_request_context():
        assert set(labels.organisation_subjects([org.id for org in every], user)) == opened
    assert set(db.session.scalars(sa.select(Organization.id).where(visible(Organization, user)))) == opened
    expected = {"secretariat": {org.id for org in every}, "applicant": set(), "applicant_elsewhere": set()}.get(
        role, {org.id for org in every if org.archived_at is None or org.id == user.organization_id})
    assert opened == expected

    ruled = set(db.session.scalars(sa.select(Contact.id).where(visible(Contact, user))))
    assert shown == ruled
    contacts = db.session.scalars(sa.select(Contact)).all()
    assert {c.id for c in contacts if is_visible(c, user)} == ruled
    if role.startswith("partner"):
        assert ruled and all(c.is_primary for c in contacts if c.id in ruled)


def test_a_member_reads_their_archived_organisation_but_no_longer_edits_it(client, world, as_user, org_named):
    eca = org_named("Eca groupe")
    as_user(world["member_archived"])
    page = client.get(f"/members/{eca.id}").get_data(as_text=True)
    assert "Archived on" in page and f'href="/members/{eca.id}/edit"' not in page
    assert client.get(f"/members/{eca.id}/edit").status_code == 404
    assert client.post(f"/members/{eca.id}/contacts/new", data={"contact-name": "Someone"}).status_code == 404
    register = client.get("/members/").get_data(as_text=True)
    assert f'<td><a href="/members/{eca.id}">Eca groupe</a> <span class="badge text-bg-secondary">archived</span>' \
        in register
    # another member does not see it at all
    as_user(world["member"])
    assert client.get(f"/members/{eca.id}").status_code == 404
