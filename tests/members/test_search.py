"""Search: the register's box finds names, descriptions, ICE, emails, phone numbers however typed and contact titles
(one search-text format, ``search_text_for``); the members group of the global search (``/search``) shows each
role only what it may see, in two queries; phone numbers read, checked, stored and shown through ``phonenumbers``."""

from __future__ import annotations

import re

import pytest

from club.members import phones, queries, services
from club.members.models import OrgKind
from tests.members.factories import ContactFactory


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role="secretariat")


@pytest.fixture()
def sga(staff, db):
    """An organisation with its phone, ICE, email and a contact with a title, email and phone, made by the
    services (as every writer of the search text is)."""
    org = services.create_organization_for(
        "Société Générale d'Appels", OrgKind.CALL_CENTER, ice="001234567000089", email="Info@SGA.ma",
        phone="05 36 68 30 00", description="Centre de contact", by=staff)
    services.add_contact(org, {"name": "Hélène Dupré", "title": "Directrice des opérations",
                               "email": "h.dupre@sga.ma", "phone": "+212 6 61 22 33 44", "is_primary": True},
                         by=staff)
    other = services.create_organization_for("Autre Centre", OrgKind.BPO, phone="0522 12 34 56", by=staff)
    db.session.commit()
    return org, other


def _register(client, q) -> list[str]:
    html = client.get("/members/", query_string={"q": q}).get_data(as_text=True)
    return re.findall(r'<td><a href="/members/\d+">([^<]+)</a>', html)


@pytest.mark.parametrize("q", [
    "0536683000", "05 36 68 30 00", "05.36.68.30.00", "+212536683000", "+212 5 36 68 30 00", "00212536683000",
    "536683000", "0536 68", "+212 536 68",  # the organisation's phone, whole or begun
    "0661223344", "06 61 22 33 44", "+212661223344",  # the contact's
    "001234567000089", "001 234 567 000 089", "1234567000",  # the ICE
    "info@sga", "H.Dupre@SGA.ma", "directrice des operations", "DIRECTRICE", "Hélène", "générale d'appels",
])
def test_the_register_finds_an_organisation_by_everything_it_shows(client, as_user, staff, sga, q):
    as_user(staff)
    assert _register(client, q) == ["Société Générale d&#39;Appels"]


def test_the_search_text_has_one_format_written_by_every_writer(sga, db):
    org, _ = sga
    assert org.search_text == (
        "societe generale d'appels | generale d appels | centre de contact | 001234567000089 | info@sga.ma | "
        "+212536683000 0536683000 | helene dupre | directrice des operations | h.dupre@sga.ma | "
        "+212661223344 0661223344")


def test_a_member_does_not_find_another_organisation_by_a_contact_phone(client, as_user, factories, sga, staff):
    """Members do not see other organisations' contact phones (``sees_phones``): a number finds, for them, what
    profiles show (the organisation's phone, its ICE), and anything of their own organisation."""
    org, other = sga
    member = factories.UserFactory(role="member", organization=other)
    as_user(member)
    assert _register(client, "06 61 22 33 44") == []  # Hélène Dupré's phone
    assert _register(client, "05 36 68 30 00") == ["Société Générale d&#39;Appels"]  # the profile's phone
    assert _register(client, "001 234 567 000 089") == ["Société Générale d&#39;Appels"]
    assert _register(client, "0522 12 34") == ["Autre Centre"]
    ContactFactory(organization=other, name="Own Person", phone="+212661998877")
    services.refresh_search_text(other)
    from club.extensions import db

    db.session.commit()
    assert _register(client, "0661 99 88 77") == ["Autre Centre"]  # their own contact's
    as_user(staff)
    assert _register(client, "06 61 22 33 44") == ["Société Générale d&#39;Appels"]


# --- the global search (/search) -----------------------------------------------------------------------------------


def _members_group(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<section class="search-group" aria-labelledby="search-members">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


@pytest.fixture()
def demo(demo_world, demo_user, org_named):
    return demo_user, org_named


def test_global_search_by_role(client, demo, as_user, factories, db):
    demo_user, org_named = demo
    saccom, intelcia = org_named("Saccom"), org_named("Intelcia")
    # the secretariat: the organisation (its contact's name is in its search text) and the contact
    as_user(demo_user("secretariat@club.example"))
    group = _members_group(client.get("/search", query_string={"q": "oudghiri"}))
    assert f'<a href="/members/{saccom.id}">Saccom</a>' in group
    assert f'<a href="/members/{saccom.id}#contacts">Moulay Zine El Oudghiri</a>' in group
    assert "PDG · Saccom" in group
    # a partner sees primary contacts only: Nadia Amrani (not primary) is never a hit
    as_user(demo_user("partner@firo.example"))
    assert "Nadia Amrani" not in _members_group(client.get("/search", query_string={"q": "amrani"}))
    assert "Karim Bernoussi" in _members_group(client.get("/search", query_string={"q": "bernoussi"}))
    # a member sees every contact of the organisations in the register
    as_user(demo_user("contact@saccom.example"))
    group = _members_group(client.get("/search", query_string={"q": "leila"}))
    assert f'<a href="/members/{intelcia.id}#contacts">Leila Chraibi</a>' in group
    # an archived organisation: only the secretariat's register (filtered) and its own people find it
    services.archive_organization(intelcia, by=None)
    db.session.commit()
    assert _members_group(client.get("/search", query_string={"q": "intelcia"})) == ""
    as_user(factories.UserFactory(role="member", organization=intelcia))
    assert f'<a href="/members/{intelcia.id}">Intelcia</a>' in \
        _members_group(client.get("/search", query_string={"q": "intelcia"}))
    # an applicant sees no organisation of the register
    as_user(demo_user("founder@startup.example"))
    response = client.get("/search", query_string={"q": "saccom"})
    assert response.status_code == 200 and 'id="search-members"' not in response.get_data(as_text=True)


def test_global_search_by_phone_and_its_htmx_fragment(client, demo, as_user):
    demo_user, org_named = demo
    saccom = org_named("Saccom")
    as_user(demo_user("secretariat@club.example"))
    for q in ("05 36 00 01 03", "+212536000103", "0536000103"):
        assert f'<a href="/members/{saccom.id}">Saccom</a>' in _members_group(client.get("/search",
                                                                                         query_string={"q": q}))
    response = client.get("/search", query_string={"q": "saccom"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'<a href="/members/{saccom.id}">Saccom</a>' in html


def test_more_leads_to_the_register_filtered_by_the_term(client, as_user, staff, factories, db):
    for i in range(7):
        services.create_organization_for(f"Centre Numéro {i}", OrgKind.CALL_CENTER, by=staff)
    db.session.commit()
    as_user(staff)
    group = _members_group(client.get("/search", query_string={"q": "numero"}))
    assert group.count('<li><a href="/members/') == 5  # one page of the group
    assert '<a href="/members/?q=numero">See all 7 results' in group
    assert len(_register(client, "numero")) == 7


def test_the_members_group_runs_three_queries_whatever_the_hits(app, factories, count_queries):
    """The data's generation (the secretariat's count is kept until the data changes), a count and one page."""
    from types import SimpleNamespace
    from unittest.mock import patch

    from club.core.search import MoreThan
    from club.permissions import Role

    staff = SimpleNamespace(id=None, role=Role.SECRETARIAT, organization_id=None, is_authenticated=True)

    def run():
        with app.test_request_context(), count_queries() as counted:
            total, hits = queries.search("centre", staff, 5)
        return counted.count, total, len(hits)

    for i in range(3):
        factories.OrganizationFactory(name=f"Centre {i}", search_text=f"centre {i}")
    assert run() == (3, 3, 3)
    for i in range(3, 40):
        organisation = factories.OrganizationFactory(name=f"Centre {i}", search_text=f"centre {i}")
        ContactFactory(organization=organisation, name=f"Centre Person {i}")
    assert run() == (3, 40 + 37, 5)  # the generation, a count and one page: organisations then contacts
    with patch.object(queries, "COUNT_CAP", 30):  # past the cap: "more than 30", the first organisations by name
        count, total, hits = run()
    assert (count, total, hits) == (3, 30, 5) and isinstance(total, MoreThan)


# --- phone numbers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, stored", [
    ("0536683000", "+212536683000"), ("05 36 68 30 00", "+212536683000"), ("05-36-68-30-00", "+212536683000"),
    ("+212 5 36 68 30 00", "+212536683000"), ("00212 536 683 000", "+212536683000"), ("(0)536683000", "+212536683000"),
    ("+212 (0)6 12 34 56 78", "+212612345678"), ("06 12 34 56 78", "+212612345678"),
    ("+33 1 23 45 67 89", "+33123456789"), ("", None), ("   ", None), (None, None),
])
def test_phones_are_stored_in_e164(typed, stored):
    assert phones.clean_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "0536 12 34 56", "06 12 34 56 78 ext. 12", "abc", "+212 5 36",
                                   "0" * 40, "08 12 34 56 78"])
def test_invalid_phones_are_refused(app, typed):
    from club.core.refusals import Refused

    with app.test_request_context(), pytest.raises(Refused):
        phones.clean_phone(typed)


def test_phones_read_national_at_home_and_international_abroad():
    assert phones.display("+212536683000") == "05 36 68 30 00"
    assert phones.display("+212536683000", international=True) == "+212 5 36 68 30 00"
    assert phones.display("+33123456789") == "+33 1 23 45 67 89"
    assert phones.display("not a number") == "not a number" and phones.display(None) == ""
    assert phones.to_e164("05 36 68 30 00") == "+212536683000" and phones.to_e164("n/a") == "n/a"
    assert phones.search_forms("+212536683000") == ["+212536683000", "0536683000"]
    assert phones.search_forms("+33123456789") == ["+33123456789", "0123456789"]


def test_the_phone_is_shown_in_the_national_format_and_dialled_in_e164(client, as_user, staff, sga):
    org, _ = sga
    as_user(staff)
    page = client.get(f"/members/{org.id}").get_data(as_text=True)
    assert '<a href="tel:+212536683000" hx-boost="false">05 36 68 30 00</a>' in page
    assert '<a href="tel:+212661223344" hx-boost="false">06 61 22 33 44</a>' in page
    form = client.get(f"/members/{org.id}/edit").get_data(as_text=True)
    assert 'value="05 36 68 30 00"' in form
