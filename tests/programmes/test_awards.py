"""The club's recognitions: the list, its filters and export, the award page, the secretariat's form (every refusal
at its field, input kept, nothing saved), the audit trail, the organisation page's section and the global search."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from club.core import audit
from club.core.models import AuditEvent
from club.core.timezones import local_today
from club.members.models import Contact, Organization
from club.permissions import Role
from club.programmes.demo import SICCAM
from club.programmes.models import Award, AwardCategory
from tests.conftest import text


def _user(db, email):
    """A demo account, reading English (each test pins its language)."""
    from club.auth.models import User

    user = db.session.scalar(sa.select(User).where(User.email == email))
    user.locale = "en"
    db.session.commit()
    return user


@pytest.fixture()
def staff(demo_world):
    return _user(demo_world, "secretariat@club.example")


def _org(db, name) -> Organization:
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def _count(db, model=Award) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _titles(html: str) -> list[str]:
    """The awards a list page shows, as 'title — recipient' read from its cards."""
    return re.findall(r'<h2 class="h6 mb-1"><a href="/programmes/awards/\d+">([^<]+)</a>', html)


FORM = {
    "title": "Trophée de l'emploi des jeunes",
    "occasion": "Assemblée générale du Club, Oujda, 2024",
    "category": "employment",
    "awarded_on": "2024-06-15",
    "mission": "",
    "organization": "Intelcia",
    "contact": "",
    "person_name": "",
    "person_country": "",
    "citation": "Pour les 300 jeunes de l'Oriental recrutés en un an.",
}


# --- who sees awards ---------------------------------------------------------------------------------------------

def test_every_signed_in_role_but_applicants_sees_the_recognitions(demo_world, as_user, factories):
    award_id = demo_world.session.scalar(sa.select(Award.id).order_by(Award.id))
    for email in ("secretariat@club.example", "contact@saccom.example", "partner@firo.example"):
        client = as_user(_user(demo_world, email))
        listing = client.get("/programmes/awards/")
        assert listing.status_code == 200, email
        assert text(listing).count("Trophée de la continuité d'activité") == 3
        assert client.get(f"/programmes/awards/{award_id}").status_code == 200
        assert client.get("/programmes/awards/export.csv").status_code == 200
    applicant = as_user(_user(demo_world, "founder@startup.example"))
    for url in ("/programmes/awards/", f"/programmes/awards/{award_id}", "/programmes/awards/export.csv",
                "/programmes/awards/new", f"/programmes/awards/{award_id}/edit"):
        assert applicant.get(url).status_code == 404, url


def test_only_the_secretariat_records_edits_and_deletes(demo_world, as_user):
    award_id = demo_world.session.scalar(sa.select(Award.id).order_by(Award.id))
    member = as_user(_user(demo_world, "contact@saccom.example"))
    page = text(member.get(f"/programmes/awards/{award_id}"))
    assert "/edit" not in page and "Record an award" not in text(member.get("/programmes/awards/"))
    assert member.get("/programmes/awards/new").status_code == 404
    assert member.post("/programmes/awards/new", data=FORM).status_code == 404
    assert member.post(f"/programmes/awards/{award_id}/delete").status_code == 404
    assert demo_world.session.get(Award, award_id) is not None
    assert _count(demo_world) == 8


# --- the list, its filters, its export ---------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("", 8),
    ("?category=continuity", 3),
    ("?category=event", 1),
    ("?year=2020", 8),
    ("?year=2019", 0),
    ("?occasion=" + SICCAM, 8),
    ("?occasion=Autre+salon", 0),
    ("?q=verron", 1),
    ("?q=INTELCIA", 2),
    ("?q=intelcia&category=investment", 1),
    ("?q=troph%C3%A9e+webinaire", 1),
    ("?q=%25", 0),
    ("?year=abc&category=nope&page=x", 8),  # forged filters are ignored, never a 500
])
def test_the_list_filters(demo_world, as_user, staff, query, expected):
    response = as_user(staff).get("/programmes/awards/" + query)
    assert response.status_code == 200
    assert len(_titles(text(response))) == expected


def test_the_list_says_who_received_each_award(demo_world, as_user, staff):
    page = text(as_user(staff).get("/programmes/awards/?q=verron"))
    assert "Marie Agnès Verron, Belgique" in page and "outside the register" in page
    intelcia = _org(demo_world, "Intelcia")
    page = text(as_user(staff).get("/programmes/awards/?q=intelcia"))
    assert f'href="/members/{intelcia.id}">Intelcia</a>' in page


def test_the_occasion_filter_offers_the_occasions_in_use(demo_world, as_user, staff):
    page = text(as_user(staff).get("/programmes/awards/"))
    assert f'<option value="{SICCAM}">{SICCAM}</option>' in page
    assert '<option value="2020">2020</option>' in page


def test_the_export_holds_the_filtered_rows(demo_world, as_user, staff):
    response = as_user(staff).get("/programmes/awards/export.csv?q=intelcia")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Title", "Category", "Occasion", "Date", "Organisation"]
    assert sorted(row[0] for row in rows[1:]) == ["Prix de l'investissement dans l'offshoring de l'Oriental",
                                                  "Trophée de la continuité d'activité"]
    assert {row[4] for row in rows[1:]} == {"Intelcia"}
    assert {row[3] for row in rows[1:]} == {"2020-07-11"}
    everything = as_user(staff).get("/programmes/awards/export.csv").get_data().decode("utf-8")
    assert len(list(csv.reader(io.StringIO(everything.lstrip("\ufeff")), delimiter=";"))) == 9


def test_the_list_page_links_its_export_with_the_filters(demo_world, as_user, staff):
    page = as_user(staff).get("/programmes/awards/?q=verron&category=event").get_data(as_text=True)
    assert 'href="/programmes/awards/export.csv?q=verron&amp;category=event"' in page


def test_an_htmx_request_gets_the_rows_only(demo_world, as_user, staff):
    response = as_user(staff).get("/programmes/awards/?q=verron", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert len(_titles(text(response))) == 1
    assert "HX-Request" in response.headers.get("Vary", "")


# --- the form: creating, refusing at the field, editing, deleting ------------------------------------------------

def test_the_secretariat_records_an_award_for_intelcia_which_its_page_shows(demo_world, as_user, staff):
    client = as_user(staff)
    intelcia = _org(demo_world, "Intelcia")
    response = client.post("/programmes/awards/new", data={**FORM, "contact": "leila chraibi"})
    assert response.status_code == 303
    award = demo_world.session.scalar(sa.select(Award).where(Award.title == FORM["title"]))
    assert award.organization_id == intelcia.id
    assert award.contact.name == "Leila Chraibi"
    assert award.awarded_on == date(2024, 6, 15) and award.category == AwardCategory.EMPLOYMENT
    assert award.search_text == ("trophee de l'emploi des jeunes | assemblee generale du club, oujda, 2024 | intelcia"
                                 " | leila chraibi")
    assert response.headers["Location"].endswith(f"/programmes/awards/{award.id}")
    shown = text(client.get(f"/programmes/awards/{award.id}"))
    assert FORM["title"] in shown and "Leila Chraibi" in shown and "Award recorded" in shown
    organisation_page = text(client.get(f"/members/{intelcia.id}"))
    assert FORM["title"] in organisation_page and "Leila Chraibi" in organisation_page
    # The members see it on Intelcia's page too; the continuity trophy of the demo world is there as well.
    member_view = text(as_user(_user(demo_world, "contact@saccom.example")).get(f"/members/{intelcia.id}"))
    assert FORM["title"] in member_view and "Trophée de la continuité d'activité" in member_view
    event = demo_world.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.create"))
    assert event.entity_type == "awards" and event.entity_id == award.id and event.actor_id == staff.id
    assert event.changes["organization_id"] == [None, intelcia.id]


def test_an_organisation_without_awards_shows_no_section(demo_world, as_user, staff):
    apebi = _org(demo_world, "Apebi")
    assert 'id="org-awards"' not in as_user(staff).get(f"/members/{apebi.id}").get_data(as_text=True)
    intelcia = _org(demo_world, "Intelcia")
    assert 'id="org-awards"' in as_user(staff).get(f"/members/{intelcia.id}").get_data(as_text=True)


def _refused(db, client, changes: dict, field: str, message: str, kept: str):
    before, events = _count(db), _count(db, AuditEvent)
    response = client.post("/programmes/awards/new", data={**FORM, **changes})
    assert response.status_code == 422
    page = text(response)
    error = re.search(rf'<div id="{field}-error" class="invalid-feedback d-block">(.*?)</div>\s*</div>', page, re.S)
    assert error and message in error.group(1), page[:3000]
    assert f'value="{kept}"' in page  # what was typed is still in the form
    assert _count(db) == before and _count(db, AuditEvent) == events
    return page


def test_an_award_without_a_recipient_is_refused_at_the_organisation(demo_world, as_user, staff):
    _refused(demo_world, as_user(staff), {"organization": ""}, "organization",
             "Name the recipient: an organisation of the register or a person outside it.", FORM["title"])


def test_an_award_to_both_an_organisation_and_a_person_is_refused(demo_world, as_user, staff):
    _refused(demo_world, as_user(staff), {"person_name": "Marie Agnès Verron", "person_country": "Belgique"},
             "person_name", "Give either an organisation of the register or a person outside it, not both.",
             "Marie Agnès Verron")


def test_a_contact_of_another_organisation_is_refused_at_the_contact(demo_world, as_user, staff):
    _refused(demo_world, as_user(staff), {"contact": "Nadia Amrani"}, "contact",
             "This person is not a contact of that organisation.", "Nadia Amrani")


def test_a_contact_without_an_organisation_is_refused(demo_world, as_user, staff):
    _refused(demo_world, as_user(staff), {"organization": "", "contact": "Leila Chraibi", "person_name": "X"},
             "contact", "Name the contact's organisation too.", "Leila Chraibi")


def test_a_date_in_the_future_is_refused_at_the_date(demo_world, as_user, staff):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    _refused(demo_world, as_user(staff), {"awarded_on": tomorrow}, "awarded_on",
             "The date of an award cannot be in the future.", tomorrow)


def test_an_unknown_organisation_is_refused_at_the_organisation(demo_world, as_user, staff):
    _refused(demo_world, as_user(staff), {"organization": "Intelcia Worldwide Holding"}, "organization",
             "No organisation of that name in the register.", "Intelcia Worldwide Holding")


def test_an_unknown_mission_is_refused_at_the_mission(demo_world, as_user, staff):
    _refused(demo_world, as_user(staff), {"mission": "Mission sur la Lune"}, "mission", "No mission of that title.",
             "Mission sur la Lune")


def test_a_country_without_a_person_is_refused(demo_world, as_user, staff):
    _refused(demo_world, as_user(staff), {"organization": "", "person_country": "Belgique"}, "person_name",
             "Give the person's name, or leave the country empty.", "Belgique")


def test_the_organisation_is_found_however_its_name_is_typed(demo_world, as_user, staff):
    # the demo's duplicate of Eca groupe (to merge) would make the name ambiguous
    from club.members.demo import DUPLICATE
    from club.members.models import Organization

    demo_world.session.execute(sa.delete(Organization).where(Organization.name == DUPLICATE))
    demo_world.session.commit()
    response = as_user(staff).post("/programmes/awards/new", data={**FORM, "organization": "ECA GROUPE"})
    assert response.status_code == 303
    award = demo_world.session.scalar(sa.select(Award).where(Award.title == FORM["title"]))
    assert award.organization.name == "Eca groupe"


def test_a_person_outside_the_register_and_a_mission_by_its_title(demo_world, as_user, staff):
    from club.missions.models import Mission
    from club.programmes.queries.awards import mission_label

    mission = demo_world.session.scalar(sa.select(Mission).order_by(Mission.id))
    client = as_user(staff)
    response = client.post("/programmes/awards/new", data={
        **FORM, "organization": "", "person_name": "Marie Agnès Verron", "person_country": "Belgique",
        "mission": mission.title.upper()})
    assert response.status_code == 303, text(response)[:2000]
    award = demo_world.session.scalar(sa.select(Award).where(Award.title == FORM["title"]))
    assert (award.organization_id, award.person_name, award.mission_id) == (None, "Marie Agnès Verron", mission.id)
    page = text(client.get(f"/programmes/awards/{award.id}"))
    assert mission.title in page and f'href="/missions/{mission.id}"' in page
    # The edit form writes the mission with its day, which tells apart missions of one title.
    edit = text(client.get(f"/programmes/awards/{award.id}/edit"))
    assert f'value="{mission_label(mission)}"' in edit


def test_missions_of_one_title_are_told_apart_by_their_day(demo_world, as_user, staff):
    from club.missions.models import Mission
    from club.programmes.queries.awards import mission_label
    from tests.missions.factories import MissionFactory

    first = demo_world.session.scalar(sa.select(Mission).order_by(Mission.id))
    twin = MissionFactory(title=first.title, starts_at=first.starts_at + timedelta(days=400),
                          ends_at=first.ends_at + timedelta(days=400))
    demo_world.session.commit()
    client = as_user(staff)
    _refused(demo_world, client, {"mission": first.title}, "mission",
             "Several missions bear this title", first.title)
    response = client.post("/programmes/awards/new", data={**FORM, "mission": mission_label(twin)})
    assert response.status_code == 303
    assert demo_world.session.scalar(sa.select(Award.mission_id).where(Award.title == FORM["title"])) == twin.id


def test_an_edit_is_saved_and_audited_field_by_field(demo_world, as_user, staff):
    client = as_user(staff)
    award = demo_world.session.scalar(sa.select(Award).where(Award.person_name == "Marie Agnès Verron"))
    form = text(client.get(f"/programmes/awards/{award.id}/edit"))
    assert 'value="Marie Agnès Verron"' in form and 'value="Belgique"' in form
    data = {"title": award.title, "occasion": award.occasion, "category": "event", "awarded_on": "2020-07-10",
            "mission": "", "organization": "", "contact": "", "person_name": "Marie Agnès Verron",
            "person_country": "Belgium", "citation": award.citation, "version": str(award.version)}
    response = client.post(f"/programmes/awards/{award.id}/edit", data=data)
    assert response.status_code == 303
    demo_world.session.expire_all()
    assert (award.awarded_on, award.person_country, award.version) == (date(2020, 7, 10), "Belgium", 2)
    assert "belgium" in award.search_text
    event = demo_world.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.update"))
    assert event.changes == {"awarded_on": ["2020-07-11", "2020-07-10"], "person_country": ["Belgique", "Belgium"]}
    with force_locale("en"):
        [entry] = audit.present([event])
        assert entry.label == "Award edited"
        assert [c.text for c in entry.changes] == ["Date: 11 Jul 2020 → 10 Jul 2020", "Country: Belgique → Belgium"]
    assert not audit.missing_labels()
    # The same form sent again, at the version it was read: nothing changes, nothing is audited.
    again = client.post(f"/programmes/awards/{award.id}/edit", data={**data, "version": "2"})
    assert again.status_code == 303
    assert demo_world.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "award.update")) == 1


def test_a_stale_edit_answers_409_with_both_versions(demo_world, as_user, staff):
    client = as_user(staff)
    award = demo_world.session.scalar(sa.select(Award).where(Award.person_name == "Marie Agnès Verron"))
    data = {"title": "Trophée du webinaire", "occasion": award.occasion, "category": "event",
            "awarded_on": "2020-07-11", "mission": "", "organization": "", "contact": "",
            "person_name": "Marie Agnès Verron", "person_country": "Belgique", "citation": "", "version": "1"}
    assert client.post(f"/programmes/awards/{award.id}/edit", data=data).status_code == 303
    stale = client.post(f"/programmes/awards/{award.id}/edit", data={**data, "title": "Trophée numérique"})
    assert stale.status_code == 409
    page = text(stale)
    assert 'value="Trophée numérique"' in page and "Trophée du webinaire" in page
    demo_world.session.expire_all()
    assert demo_world.session.get(Award, award.id).title == "Trophée du webinaire"


def test_a_deleted_award_leaves_the_list_and_the_organisation_page(demo_world, as_user, staff):
    client = as_user(staff)
    saccom = _org(demo_world, "Saccom")
    award = demo_world.session.scalar(sa.select(Award).where(Award.organization_id == saccom.id))
    award_id, title = award.id, award.title
    response = client.post(f"/programmes/awards/{award_id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/programmes/awards/")
    assert demo_world.session.get(Award, award_id) is None
    assert 'id="org-awards"' not in client.get(f"/members/{saccom.id}").get_data(as_text=True)
    assert client.get(f"/programmes/awards/{award_id}").status_code == 404
    assert client.post(f"/programmes/awards/{award_id}/delete").status_code == 404
    event = demo_world.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.delete"))
    assert event.entity_id == award_id
    with force_locale("en"):
        [entry] = audit.present([event])
        assert entry.label == "Award deleted"
        assert f"Title: {title}" in [c.text for c in entry.changes]
        assert "Recipient: Saccom" in [c.text for c in entry.changes]


# --- services directly -------------------------------------------------------------------------------------------

def test_the_service_refuses_a_contact_of_another_organisation(demo_world, staff, request_context):
    from club.core.refusals import Refused
    from club.programmes.services.awards import AwardData, create_award

    intelcia, saccom = _org(demo_world, "Intelcia"), _org(demo_world, "Saccom")
    nadia = demo_world.session.scalar(sa.select(Contact).where(Contact.name == "Nadia Amrani"))
    assert nadia.organization_id == saccom.id
    data = AwardData(title="T", occasion="O", category=AwardCategory.OTHER, awarded_on=date(2024, 1, 1),
                     organization_id=intelcia.id, contact_id=nadia.id)
    with pytest.raises(Refused) as refused:
        create_award(data, by=staff)
    assert refused.value.field == "contact"
    with pytest.raises(Refused) as refused:
        create_award(AwardData(title="T", occasion="O", category=AwardCategory.OTHER,
                               awarded_on=date(2024, 1, 1)), by=staff)
    assert refused.value.field == "organization"


# --- the suggestions as one types --------------------------------------------------------------------------------

def test_the_form_suggests_organisations_contacts_and_missions(demo_world, as_user, staff):
    from club.missions.models import Mission
    from club.programmes.queries.awards import mission_label

    client = as_user(staff)
    organisations = text(client.get("/programmes/awards/suggestions?field=organization&organization=intel",
                                    headers={"HX-Request": "true"}))
    assert organisations.startswith('<datalist id="organization-options">')
    assert '<option value="Intelcia">' in organisations
    contacts = text(client.get("/programmes/awards/suggestions?field=contact&organization=intelcia"))
    assert '<option value="Leila Chraibi">' in contacts and "Nadia Amrani" not in contacts
    mission = demo_world.session.scalar(sa.select(Mission).order_by(Mission.id))
    missions = text(client.get(f"/programmes/awards/suggestions?field=mission&mission={mission.title[:6]}"))
    assert f'<option value="{mission_label(mission)}">' in missions
    assert "<option" not in text(client.get("/programmes/awards/suggestions"))
    member = as_user(_user(demo_world, "contact@saccom.example"))
    assert member.get("/programmes/awards/suggestions?organization=intel").status_code == 404


# --- the global search -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("term", "found"), [("verron", ["Trophée webinaire — Marie Agnès Verron, Belgique"]),
                                             ("VÉRRON", ["Trophée webinaire — Marie Agnès Verron, Belgique"]),
                                             ("intelcia", ["Trophée de la continuité d'activité — Intelcia",
                                                           "Prix de l'investissement dans l'offshoring de "
                                                           "l'Oriental — Intelcia"])])
def test_the_global_search_finds_awards_by_a_folded_recipient(demo_world, staff, request_context, term, found):
    from club.programmes.queries.awards import search

    total, hits = search(term, staff, 5)
    assert total == len(found)
    assert sorted(h.title for h in hits) == sorted(found)
    assert all(h.url.startswith("/programmes/awards/") for h in hits)


def test_the_search_page_shows_awards_to_members_not_to_applicants(demo_world, as_user):
    member = as_user(_user(demo_world, "contact@saccom.example"))
    page = text(member.get("/search?q=verron"))
    assert "Awards" in page and "Trophée webinaire — Marie Agnès Verron, Belgique" in page
    applicant = as_user(_user(demo_world, "founder@startup.example"))
    assert "Marie Agnès Verron" not in text(applicant.get("/search?q=verron"))


def test_the_search_links_to_the_filtered_list_when_there_are_more(demo_world, staff, app, as_user):
    page = as_user(staff).get("/search?q=siccam").get_data(as_text=True)
    # 8 awards of the 17th Siccam, 5 shown: the group links to the list filtered by the term.
    assert 'href="/programmes/awards/?q=siccam"' in page


def test_the_audit_trail_names_an_award_for_those_who_see_it(demo_world, staff, request_context):
    from club.programmes.queries.awards import subjects

    award = demo_world.session.scalar(sa.select(Award).where(Award.person_name == "Marie Agnès Verron"))
    assert subjects([award.id], staff) == {award.id: ("Trophée webinaire — Marie Agnès Verron, Belgique",
                                                      f"/programmes/awards/{award.id}")}
    applicant = _user(demo_world, "founder@startup.example")
    assert applicant.role == Role.APPLICANT and subjects([award.id], applicant) == {}


def test_a_renamed_organisation_is_found_by_its_new_name(demo_world, as_user, staff, app):
    """The recipient is searched as the register names it today: after Eca groupe is renamed, its continuity
    trophy is found by the new name, in the list and in the global search."""
    from flask_babel import force_locale

    from club.members import services as members_services
    from club.members.models import Organization

    eca = demo_world.session.scalar(sa.select(Organization).where(Organization.name == "Eca groupe"))
    with app.test_request_context(), force_locale("en"):
        members_services.update_organization(eca, {"name": "Eca Relation Client"}, by=staff, version=eca.version)
    demo_world.session.commit()
    client = as_user(staff)
    page = text(client.get("/programmes/awards/?q=relation client"))
    assert "Trophée de la continuité d'activité" in page and "Eca Relation Client" in page
    assert "Trophée de la continuité d'activité" in text(client.get("/search?q=eca relation"))
