"""Merging duplicates through the pages: the side-by-side form and its choices, refusals at their field, stale
versions, the redirect of merged ids, access, the history, the likely duplicates and their query count."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.extensions import db
from club.members.models import Contact, Dues, MergedRecord, Organization
from tests.conftest import text
from tests.members.factories import ContactFactory, DuesFactory, MembershipFactory
from tests.walk import post_forms


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role="secretariat", locale="en")


def org(factories, name, contacts=(), **kwargs):
    o = factories.OrganizationFactory(name=name, **kwargs)
    for i, person in enumerate(contacts):
        ContactFactory(organization=o, name=person, is_primary=i == 0, email=None)
    return o


def merge_form(client, survivor_id, other_id, **changes):
    """The merge form as the page renders it (the survivor's values preselected), with ``changes``."""
    url = f"/members/{survivor_id}/merge/{other_id}"
    page = client.get(url)
    assert page.status_code == 200
    forms = [f for f in post_forms(page.get_data(as_text=True), "http://localhost" + url) if f.method == "post"
             and f.action.endswith(url)]
    assert len(forms) == 1
    return url, {**dict(forms[0].submission()), **changes}


def test_the_form_sent_back_unchanged_keeps_the_survivors_values(client, as_user, staff, factories):
    a = org(factories, "Eca groupe", contacts=["Sanae Berrada"], city="Oujda", email="info@eca.example")
    b = org(factories, "ECA Group SARL", contacts=["Mehdi Ouazzani"], city="Berkane", headcount=40)
    DuesFactory(organization=b, year=2024)
    from club.core import audit

    audit.record("dues.corrected", b, changes={"year": [2024, 2024]})
    db.session.commit()
    a_id, b_id = a.id, b.id
    as_user(staff)
    url, data = merge_form(client, a_id, b_id)
    response = client.post(url, data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/members/{a_id}")
    db.session.expire_all()
    survivor = db.session.get(Organization, a_id)
    assert (survivor.name, survivor.city, survivor.email, survivor.headcount) == ("Eca groupe", "Oujda",
                                                                                  "info@eca.example", None)
    assert {c.name for c in survivor.contacts} == {"Sanae Berrada", "Mehdi Ouazzani"}
    assert [c.name for c in survivor.contacts if c.is_primary] == ["Sanae Berrada"]  # one primary still
    assert [d.year for d in survivor.dues] == [2024]
    assert db.session.get(Organization, b_id) is None
    assert "ouazzani" in survivor.search_text  # recomputed with the contacts it gained
    page = text(client.get(f"/members/{a_id}"))
    assert "Merged with “ECA Group SARL” (which no longer exists)" in page
    assert "1 contact, 1 year of dues" in page
    assert "Dues corrected" in page  # the merged record's own history, on the survivor's page


def test_chosen_values_lists_and_membership(client, as_user, staff, factories):
    from club.members.models import MembershipStatus, OrganizationTrade, Trade

    a = org(factories, "Alpha", city="Oujda")
    b = org(factories, "Alpha Maroc", city="Nador", ice="001234567000089")
    MembershipFactory(organization=a, status=MembershipStatus.PENDING)
    MembershipFactory(organization=b, status=MembershipStatus.ACTIVE)
    db.session.add_all([OrganizationTrade(organization_id=a.id, trade=Trade.FINANCE),
                        OrganizationTrade(organization_id=b.id, trade=Trade.TRAINING),
                        OrganizationTrade(organization_id=b.id, trade=Trade.FINANCE)])
    db.session.commit()
    a_id, b_id = a.id, b.id
    as_user(staff)
    url, data = merge_form(client, a_id, b_id, name="other", city="other", ice="other", trades="both",
                           membership="other")
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    survivor = db.session.get(Organization, a_id)
    assert (survivor.name, survivor.city, survivor.ice) == ("Alpha Maroc", "Nador", "001234567000089")
    assert sorted(t.value for t in survivor.trade_values) == ["finance", "training"]
    assert survivor.membership.status == MembershipStatus.ACTIVE
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organization.merged"))
    assert event.entity_id == a_id and event.changes["merged_id"] == [None, b_id]
    assert event.changes["name"] == ["Alpha", "Alpha Maroc"]
    staff.locale = "fr"
    db.session.commit()
    page = text(client.get(f"/members/{a_id}"))
    assert "Fusionné avec" in page or "Merged with" in page  # French once the lead merges the catalogue


@pytest.mark.parametrize("case", ["self", "ice", "dues"])
def test_refusals_say_why_at_their_field_and_change_nothing(client, as_user, staff, factories, case):
    a = org(factories, "Beta", ice="001111111000011")
    b = org(factories, "Beta bis", ice="002222222000022" if case == "ice" else None)
    if case == "dues":
        DuesFactory(organization=a, year=2025)
        DuesFactory(organization=b, year=2025)
    a_id, b_id = a.id, (a.id if case == "self" else b.id)
    as_user(staff)
    url = f"/members/{a_id}/merge/{b_id}"
    page = client.get(url)
    if case == "self":
        data = {"version": "1", "other_version": "1", **{f: "survivor" for f in ("name", "kind", "ice", "city",
                "province", "site", "headcount", "website", "email", "phone", "description", "trades", "languages")}}
    else:
        url, data = merge_form(client, a_id, b_id)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    response = client.post(url, data=data)
    assert response.status_code == 422
    body = text(response)
    expected = {"self": "cannot be merged with itself", "ice": "different ICE numbers",
                "dues": "Both organisations have dues for 2025"}[case]
    assert expected in body
    if case == "ice":
        assert 'id="ice-error"' in body  # at its field
    assert page.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MergedRecord)) == 0


def test_a_stale_version_answers_409_and_merges_nothing(client, as_user, staff, factories):
    a, b = org(factories, "Gamma"), org(factories, "Gamma bis")
    a_id, b_id = a.id, b.id
    as_user(staff)
    url, data = merge_form(client, a_id, b_id)
    other = db.session.get(Organization, b_id)
    other.city = "Jerada"  # saved by someone else meanwhile
    db.session.commit()
    response = client.post(url, data=data)
    assert response.status_code == 409
    assert "changed while you were choosing" in text(response)
    assert "Jerada" in text(response)  # the values saved now
    db.session.expire_all()
    assert db.session.get(Organization, b_id) is not None


def test_old_urls_redirect_to_the_survivor_and_chains_resolve(client, as_user, staff, factories):
    a, b, c = org(factories, "Delta"), org(factories, "Delta 2"), org(factories, "Delta 3")
    a_id, b_id, c_id = a.id, b.id, c.id
    as_user(staff)
    url, data = merge_form(client, b_id, a_id)  # A into B
    assert client.post(url, data=data).status_code == 303
    url, data = merge_form(client, c_id, b_id)  # then B into C
    assert client.post(url, data=data).status_code == 303
    for old in (a_id, b_id):
        response = client.get(f"/members/{old}")
        assert response.status_code == 301 and response.headers["Location"].endswith(f"/members/{c_id}")
        response = client.get(f"/members/{old}/contacts?x=1")
        assert response.headers["Location"].endswith(f"/members/{c_id}/contacts?x=1")
    assert client.post(f"/members/{a_id}/archive").status_code == 404  # only pages (GET) redirect
    # sending the merge again (a double submit): already merged, no error
    response = client.post(url, data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/members/{c_id}")


def test_the_redirect_is_only_for_who_may_see_the_survivor(client, as_user, staff, factories):
    from club.models import utcnow

    own = org(factories, "Own")
    member = factories.UserFactory(role="member", organization=own, locale="en")
    a, b = org(factories, "Epsilon"), org(factories, "Epsilon bis")
    a_id, b_id = a.id, b.id
    as_user(staff)
    url, data = merge_form(client, a_id, b_id)
    assert client.post(url, data=data).status_code == 303
    as_user(member)
    assert client.get(f"/members/{b_id}").status_code == 301
    survivor = db.session.get(Organization, a_id)
    survivor.archived_at = utcnow()  # archived: the member no longer sees it
    db.session.commit()
    assert client.get(f"/members/{b_id}").status_code == 404


@pytest.mark.parametrize("role", ["partner", "member", "applicant"])
def test_merging_is_for_the_secretariat_only(client, as_user, factories, role):
    a = org(factories, "Zeta", contacts=["Un", "Deux"])
    b = org(factories, "Zeta bis")
    c1, c2 = a.contacts[0].id, a.contacts[1].id
    user = factories.UserFactory(**{role: True}, locale="en") if role != "member" else \
        factories.UserFactory(role="member", organization=a, locale="en")
    as_user(user)
    for url in ["/members/duplicates", f"/members/{a.id}/merge", f"/members/{a.id}/merge/{b.id}",
                f"/members/{a.id}/contacts/merge", f"/members/{a.id}/contacts/{c1}/merge/{c2}"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/members/{a.id}/merge/{b.id}", f"/members/{a.id}/contacts/{c1}/merge/{c2}"]:
        assert client.post(url, data={}).status_code == 404, url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) >= 2


def test_anonymous_visitors_go_to_the_login_page(client, factories):
    a, b = org(factories, "Eta"), org(factories, "Eta bis")
    assert client.get(f"/members/{a.id}/merge/{b.id}").status_code == 302
    assert client.get("/members/duplicates").status_code == 302


def test_merge_with_typed_name(client, as_user, staff, factories):
    a, b = org(factories, "Theta Services"), org(factories, "Omega Call")
    as_user(staff)
    response = client.get(f"/members/{a.id}/merge", query_string={"other": "Omega Call"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/members/{a.id}/merge/{b.id}")
    response = client.get(f"/members/{a.id}/merge", query_string={"other": "Omeg"})
    assert response.status_code == 200 and "Omega Call" in text(response)  # "Did you mean"
    response = client.get(f"/members/{a.id}/merge", query_string={"other": "x" * 500})
    assert response.status_code == 200


def test_merging_two_contacts(client, as_user, staff, factories):
    a = org(factories, "Iota", contacts=["Nadia Amrani", "N. Amrani"])
    first = next(c for c in a.contacts if c.name == "Nadia Amrani")  # the primary contact
    second = next(c for c in a.contacts if c.name == "N. Amrani")
    first_id, second_id, a_id = first.id, second.id, a.id
    second.email = "n.amrani@iota.example"
    db.session.commit()
    as_user(staff)
    response = client.get(f"/members/{a_id}/contacts/merge", query_string={"keep": first_id, "other": second_id})
    assert response.status_code == 303
    url = f"/members/{a_id}/contacts/{first_id}/merge/{second_id}"
    page = client.get(url)
    form = [f for f in post_forms(page.get_data(as_text=True), "http://localhost" + url) if f.method == "post"
            and f.action.endswith(url)][0]
    response = client.post(url, data={**dict(form.submission()), "email": "other"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Contact, second_id) is None
    survivor = db.session.get(Contact, first_id)
    assert (survivor.name, survivor.email, survivor.is_primary) == ("Nadia Amrani", "n.amrani@iota.example", True)
    assert client.get(f"/members/{a_id}/contacts/{second_id}/edit").headers["Location"].endswith(
        f"/members/{a_id}/contacts/{first_id}/edit")
    assert "Contact “N. Amrani” merged into “Nadia Amrani”" in text(client.get(f"/members/{a_id}"))


def test_contacts_of_two_organisations_or_the_same_contact_are_refused(client, as_user, staff, factories, app):
    a = org(factories, "Kappa", contacts=["Un", "Trois"])
    b = org(factories, "Lambda", contacts=["Deux"])
    one, two = a.contacts[0].id, b.contacts[0].id
    as_user(staff)
    page = client.get(f"/members/{a.id}/contacts/{one}/merge/{two}")
    assert page.status_code == 200 and "merge the organisations first" in text(page)
    url = f"/members/{a.id}/contacts/{one}/merge/{two}"
    form = [f for f in post_forms(page.get_data(as_text=True), "http://localhost" + url) if f.method == "post"
            and f.action.endswith(url)][0]
    response = client.post(url, data=dict(form.submission()))
    assert response.status_code == 422 and "merge the organisations first" in text(response)
    assert db.session.get(Contact, two) is not None
    response = client.get(f"/members/{a.id}/contacts/merge", query_string={"keep": one, "other": one})
    assert response.status_code == 422 and "cannot be merged with itself" in text(response)
    from flask_babel import force_locale

    from club.core.refusals import Refused
    from club.members import merging

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(Refused) as refused:
            merging.check_contacts(db.session.get(Contact, one), db.session.get(Contact, two))
        assert "merge the organisations first" in str(refused.value.message)


def test_likely_duplicates_list_groups(client, as_user, staff, factories):
    org(factories, "Eca groupe", website="https://www.eca.example")
    org(factories, "ECA Group SARL", email="contact@eca.example")
    org(factories, "Mu", email="mu@gmail.com")
    org(factories, "Nu", email="nu@gmail.com")
    o = org(factories, "Xi", contacts=["Sara Bennani", "Sara  BENNANI"])
    as_user(staff)
    page = text(client.get("/members/duplicates"))
    assert "Eca groupe" in page and "ECA Group SARL" in page and "Mu" not in page
    page = text(client.get("/members/duplicates", query_string={"kind": "domain"}))
    assert "Domain eca.example" in page and "gmail.com" not in page
    page = text(client.get("/members/duplicates", query_string={"kind": "contacts"}))
    assert "Xi" in page and f"/members/{o.id}/contacts/" in page
    assert client.get("/members/duplicates", query_string={"kind": "<x>", "page": "-1"}).status_code == 200


@pytest.mark.parametrize("kind", ["name", "domain", "contacts"])
def test_duplicates_page_runs_a_constant_number_of_queries(client, as_user, staff, factories, count_queries, kind):
    def add(n, start):
        for i in range(start, start + n):
            org(factories, f"Org {i:03d}", contacts=["Ana", "ana"], email=f"a@d{i}.example")
            org(factories, f"Org {i:03d} SARL", website=f"https://d{i}.example/x")
        db.session.commit()

    as_user(staff)
    add(2, 0)
    client.get("/members/duplicates", query_string={"kind": kind})
    with count_queries() as few:
        assert client.get("/members/duplicates", query_string={"kind": kind}).status_code == 200
    add(25, 2)
    client.get("/members/duplicates", query_string={"kind": kind})
    with count_queries() as many:
        page = client.get("/members/duplicates", query_string={"kind": kind, "page": 2})
    assert page.status_code == 200
    assert few.count == many.count <= 8


def test_double_dues_are_listed_on_the_merge_page(client, as_user, staff, factories):
    a, b = org(factories, "Rho"), org(factories, "Rho bis")
    DuesFactory(organization=a, year=2023)
    DuesFactory(organization=b, year=2023)
    as_user(staff)
    page = client.get(f"/members/{a.id}/merge/{b.id}")
    assert page.status_code == 200 and "Both organisations have dues for 2023" in text(page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 2
