"""One visibility rule for deals, ``Deal.visible_to``: for every role on the demo world, the deals the lists
return are exactly the deals whose page opens (the rest answer 404), and the other readers of the rule (a loaded
deal's ``is_visible``, the audit trail's subjects, the organisation page's section) agree with them."""

from __future__ import annotations

import re

import sqlalchemy as sa

from club.auth.models import User
from club.core.sections import sections_for
from club.deals import queries, services
from club.deals.models import Deal, DealShare
from club.demo import organisation
from club.extensions import db as _db
from club.permissions import is_visible, visible
from tests.deals.factories import partner_of
from tests.factories import OrganizationFactory, UserFactory

ROLES = ("secretariat", "partner with shares", "partner of another organisation, one share",
         "partner of an organisation without shares", "member", "applicant", "member of another organisation",
         "applicant of another organisation")


def _by_email(email: str) -> User:
    return _db.session.scalar(sa.select(User).where(User.email == email))


def _people() -> dict[str, User]:
    """The demo's users, and partners, a member and an applicant of other organisations; one deal the demo does
    not share with FIRO is shared with the other partner's organisation."""
    secretariat = _by_email("secretariat@club.example")
    firo = organisation("FIRO")
    not_firos = _db.session.scalar(
        sa.select(Deal).where(~sa.exists().where(DealShare.deal_id == Deal.id, DealShare.organization_id == firo.id))
        .order_by(Deal.id).limit(1))
    other_fund = OrganizationFactory(name="Fonds de l'Est", kind="investor")
    services.share(not_firos, other_fund, by=secretariat)
    _db.session.commit()
    return {
        "secretariat": secretariat,
        "partner with shares": _by_email("partner@firo.example"),
        "partner of another organisation, one share": partner_of(other_fund),
        "partner of an organisation without shares": partner_of(),
        "member": _by_email("contact@saccom.example"),
        "applicant": _by_email("founder@startup.example"),
        "member of another organisation": UserFactory(member=True),
        "applicant of another organisation": UserFactory(applicant=True, organization=OrganizationFactory()),
    }


def _linked(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/deals/(\d+)"', html)}


def _listed_on_pages(client, user) -> set[int]:
    """The deals the user's list page links to: the table for the secretariat, the partners' room for a
    partner; the others have no list (404)."""
    response = client.get("/deals/table" if user.role == "secretariat" else "/deals/")  # one page: 8 deals
    if response.status_code == 404:
        return set()
    assert response.status_code == 200
    return _linked(response.get_data(as_text=True))


def test_the_lists_and_the_deal_pages_agree_for_every_role(demo_world, login_as, client):
    db = demo_world
    people = _people()
    every = set(db.session.scalars(sa.select(Deal.id)))
    assert len(every) > 5
    shared_with = {name: set(db.session.scalars(sa.select(DealShare.deal_id).where(
        DealShare.organization_id == organisation(name).id))) for name in ("FIRO", "Fonds de l'Est")}
    assert shared_with["FIRO"] and shared_with["FIRO"] != every
    assert len(shared_with["Fonds de l'Est"]) == 1 and not shared_with["Fonds de l'Est"] & shared_with["FIRO"]
    expected = {"secretariat": every, "partner with shares": shared_with["FIRO"],
                "partner of another organisation, one share": shared_with["Fonds de l'Est"]}
    ids = {role: user.id for role, user in people.items()}
    for role in ROLES:
        db.session.remove()  # as each request of the app: nothing loaded by the role before (or its options)
        user = db.session.get(User, ids[role])
        listed = set(db.session.scalars(queries.visible_deals(user).with_only_columns(Deal.id)))
        assert listed == expected.get(role, set()), role
        login_as(user)
        answers = {deal_id: client.get(f"/deals/{deal_id}").status_code for deal_id in sorted(every)}
        assert set(answers.values()) <= {200, 404}, (role, answers)
        assert {deal_id for deal_id, status in answers.items() if status == 200} == listed, role
        assert _listed_on_pages(client, user) == listed, role
        db.session.expire_all()
        assert {d.id for d in db.session.scalars(sa.select(Deal)) if is_visible(d, user)} == listed, role
        assert set(queries.titles(every, user)) == listed, role  # the audit trail names only these


def test_the_organisation_section_lists_what_the_rule_lets_through(demo_world, request_context):
    db = demo_world
    for role, user in _people().items():
        listed = set(db.session.scalars(sa.select(Deal.id).where(visible(Deal, user))))
        for name in ("FIRO", "Eca groupe", "Notoriety"):
            org = organisation(name)
            party = set(db.session.scalars(queries.deals_of_organisation(org.id, user).with_only_columns(Deal.id)))
            mine = [s for s in sections_for("organization", org, user) if s["template"].startswith("deals/")]
            shown = {d.id for d in mine[0]["deals"]} if mine else set()
            assert shown == party and shown <= listed, (role, name)
            if role == "secretariat":
                assert shown, name  # each of these organisations is party to a deal
