"""Mission screens as each role sees them: what is shown, what is refused, what the database holds."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from club.core.sections import sections_for
from club.core.timezones import to_utc
from club.missions import services
from club.missions.models import (
    AgendaItem,
    Invitation,
    InvitationAnswer,
    Mission,
    MissionKind,
    MissionState,
    Registration,
    RegistrationStatus,
)
from club.permissions import Role
from tests.members.factories import ContactFactory, MembershipFactory
from tests.missions.factories import MissionFactory


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role=Role.SECRETARIAT, locale="en")


@pytest.fixture()
def member(factories):
    return factories.UserFactory(member=True, locale="en")


@pytest.fixture()
def partner(factories):
    return factories.UserFactory(partner=True, locale="en")


def words(response) -> str:
    """The page's words, tags dropped and whitespace folded (as a person reads them)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def count(db, model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def register(db, mission, contact, by):
    registration = services.register(mission, contact, by=by)
    db.session.commit()
    return registration


# --- who sees what -----------------------------------------------------------------------------

def test_member_sees_open_and_past_missions_not_drafts(db, as_user, member):
    open_mission = MissionFactory(title="Open one")
    past = MissionFactory(title="Past one", state=MissionState.DONE,
                          starts_at=datetime(2020, 9, 24, 9, tzinfo=UTC), ends_at=datetime(2020, 9, 24, 12, tzinfo=UTC))
    draft = MissionFactory(title="Draft one", state=MissionState.DRAFT)
    client = as_user(member)
    page = client.get("/missions/").get_data(as_text=True)
    assert "Open one" in page and "Draft one" not in page
    assert "Past one" in client.get("/missions/?when=past").get_data(as_text=True)
    assert client.get(f"/missions/{open_mission.id}").status_code == 200
    assert client.get(f"/missions/{past.id}").status_code == 200
    assert client.get(f"/missions/{draft.id}").status_code == 404
    assert client.get(f"/missions/{draft.id}.ics").status_code == 404


def test_partner_sees_missions_of_their_organisation_only(db, as_user, partner, staff):
    theirs = MissionFactory(title="Partnered")
    theirs.partners = [partner.organization]
    registered = MissionFactory(title="Registered there")
    other = MissionFactory(title="Someone else's")
    db.session.commit()
    register(db, registered, ContactFactory(organization=partner.organization), staff)
    client = as_user(partner)
    page = client.get("/missions/").get_data(as_text=True)
    assert "Partnered" in page and "Registered there" in page and "Someone else" not in page
    assert client.get(f"/missions/{theirs.id}").status_code == 200
    assert client.get(f"/missions/{registered.id}").status_code == 200
    assert client.get(f"/missions/{other.id}").status_code == 404
    assert client.get(f"/missions/{theirs.id}/register").status_code == 404


def test_applicant_gets_404_everywhere(db, as_user, factories):
    mission = MissionFactory()
    client = as_user(factories.UserFactory(applicant=True))
    for url in ("/missions/", f"/missions/{mission.id}", f"/missions/{mission.id}.ics"):
        assert client.get(url).status_code == 404


def test_member_does_not_see_other_organisations_contact_details(db, as_user, member, staff):
    mission = MissionFactory()
    other = ContactFactory(name="Other Person", email="other.person@elsewhere.example")
    mine = ContactFactory(name="My Colleague", organization=member.organization)
    register(db, mission, other, staff)
    register(db, mission, mine, staff)
    page = as_user(member).get(f"/missions/{mission.id}").get_data(as_text=True)
    assert "My Colleague" in page
    assert "Other Person" not in page and "other.person@elsewhere.example" not in page
    assert other.organization.name in page  # the organisations taking part are shown
    staff_page = as_user(staff).get(f"/missions/{mission.id}").get_data(as_text=True)
    assert "other.person@elsewhere.example" in staff_page


# --- registering through the screens ------------------------------------------------------------

def test_member_registers_a_colleague(db, as_user, member, outbox):
    mission = MissionFactory()
    colleague = ContactFactory(name="Karim Berrada", organization=member.organization)
    client = as_user(member)
    page = client.get(f"/missions/{mission.id}").get_data(as_text=True)
    assert "Karim Berrada" in page and "Register" in page
    response = client.post(f"/missions/{mission.id}/register", data={"contact_id-pick": colleague.id})
    assert response.status_code == 303
    assert count(db, Registration, Registration.contact_id == colleague.id,
                 Registration.status == RegistrationStatus.REGISTERED) == 1
    assert [m.recipient for m in outbox(template="missions_registered")] == [colleague.email]


def test_member_cannot_register_another_organisations_contact(db, as_user, member):
    mission = MissionFactory()
    stranger = ContactFactory()
    response = as_user(member).post(f"/missions/{mission.id}/register", data={"contact_id-pick": stranger.id})
    assert response.status_code == 422
    assert "only people of your own organisation" in response.get_data(as_text=True)
    assert count(db, Registration) == 0


@pytest.mark.parametrize("case", ["twice", "deadline", "seats"])
def test_refusals_show_a_clear_message_and_change_nothing(db, as_user, member, staff, case):
    mission = MissionFactory(seats_per_organization=1)
    mine = ContactFactory(name="Nadia Amrani", organization=member.organization)
    expected = {"twice": "already registered", "deadline": "deadline has passed", "seats": "already has its 1 seat on this mission"}[case]
    target = mine
    if case == "twice":
        register(db, mission, mine, member)
    elif case == "deadline":
        mission.registration_deadline = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    else:
        register(db, mission, ContactFactory(organization=member.organization), member)
    before = count(db, Registration)
    response = as_user(member).post(f"/missions/{mission.id}/register", data={"contact_id-pick": target.id})
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert count(db, Registration) == before


def test_cancel_from_the_page_promotes_the_waiting_list(db, as_user, member, outbox):
    mission = MissionFactory(capacity=1)
    first = ContactFactory(name="First", organization=member.organization)
    second = ContactFactory(name="Second", organization=member.organization)
    registration = register(db, mission, first, member)
    register(db, mission, second, member)
    client = as_user(member)
    response = client.post(f"/missions/{mission.id}/registrations/{registration.id}/cancel", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 person promoted from the waiting list: Second." in page
    assert "An email telling them is queued in the outbox." in page and "told by email" not in page
    assert [m.recipient for m in outbox(template="missions_promoted")] == [second.email]


def test_cancelling_another_organisations_registration_is_404(db, as_user, member, staff):
    mission = MissionFactory()
    registration = register(db, mission, ContactFactory(), staff)
    response = as_user(member).post(f"/missions/{mission.id}/registrations/{registration.id}/cancel")
    assert response.status_code == 404
    assert count(db, Registration, Registration.status == RegistrationStatus.REGISTERED) == 1


def test_nested_urls_must_agree(db, as_user, staff):
    a, b = MissionFactory(), MissionFactory()
    registration = register(db, b, ContactFactory(), staff)
    client = as_user(staff)
    assert client.post(f"/missions/{a.id}/registrations/{registration.id}/cancel").status_code == 404
    assert client.post(f"/missions/{a.id}/registrations/{registration.id}/attendance",
                       data={"present": "1"}).status_code == 404
    assert count(db, Registration, Registration.status == RegistrationStatus.REGISTERED) == 1


# --- creating and editing ----------------------------------------------------------------------

def _form(**changes):
    data = {"title": "Casa-shore", "kind": "study_visit", "destination": "Casablanca", "site": "casa_shore",
            "starts_at": "2027-06-15T09:00", "ends_at": "2027-06-16T17:30", "registration_deadline": "",
            "capacity": "20", "seats_per_organization": "3", "objectives": "Visit"}
    data.update(changes)
    return data


def test_create_stores_casablanca_time_as_utc(db, as_user, staff, factories):
    medz = factories.OrganizationFactory(name="MedZ")
    response = as_user(staff).post("/missions/new", data=_form(partner_ids=[str(medz.id)]))
    assert response.status_code == 303
    mission = db.session.scalar(sa.select(Mission))
    assert mission.starts_at == to_utc(datetime(2027, 6, 15, 9, 0))
    assert mission.starts_at.tzinfo is not None
    # what was typed is what is shown (same time-zone rules both ways)
    assert "09:00" in as_user(staff).get(f"/missions/{mission.id}").get_data(as_text=True)
    assert mission.state == MissionState.DRAFT and mission.kind == MissionKind.STUDY_VISIT
    assert [p.name for p in mission.partners] == ["MedZ"]


def test_end_before_start_is_refused_on_the_form(db, as_user, staff):
    response = as_user(staff).post("/missions/new", data=_form(ends_at="2027-06-15T08:00"))
    assert response.status_code == 200
    assert "The end must not be before the start." in response.get_data(as_text=True)
    assert count(db, Mission) == 0


def test_capacity_below_registrations_is_refused_on_the_form(db, as_user, staff):
    mission = MissionFactory(capacity=2)
    for _ in range(2):
        register(db, mission, ContactFactory(), staff)
    response = as_user(staff).post(f"/missions/{mission.id}/edit",
                                   data=_form(capacity="1", title="Kept", version=str(mission.version)))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="capacity-error"[^>]*>\s*<div>The capacity cannot be below the 2 people already registered',
                     page)  # at its field
    assert 'value="Kept"' in page  # the input kept
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).capacity == 2


def test_second_of_two_concurrent_edits_is_refused_with_both_versions(db, as_user, staff):
    mission = MissionFactory(title="Original")
    client = as_user(staff)
    first = client.post(f"/missions/{mission.id}/edit", data=_form(title="First save", version="1"))
    assert first.status_code == 303
    response = client.post(f"/missions/{mission.id}/edit",
                           data=_form(title="Second save", starts_at="2027-06-15T10:30", version="1"))
    assert response.status_code == 409
    page = words(response)
    assert "Someone else saved this record while you were editing it." in page
    # Field by field, what was typed beside what is saved, at the time typed (Casablanca), not shifted.
    assert "Title Second save First save" in page
    assert "Starts 15 Jun 2027, 10:30 15 Jun 2027, 09:00" in page
    assert 'value="Second save"' in response.get_data(as_text=True)  # the input is kept
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).title == "First save"
    again = client.post(f"/missions/{mission.id}/edit",
                        data=_form(title="Second save", starts_at="2027-06-15T10:30", version="2"))
    assert again.status_code == 303  # sent again knowingly: it replaces the saved version
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).title == "Second save"


def test_state_buttons(db, as_user, staff, outbox):
    mission = MissionFactory(state=MissionState.DRAFT)
    client = as_user(staff)
    assert "Open registration" in client.get(f"/missions/{mission.id}").get_data(as_text=True)
    client.post(f"/missions/{mission.id}/state", data={"to": "open"})
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).state == MissionState.OPEN
    response = client.post(f"/missions/{mission.id}/state", data={"to": "done"}, follow_redirects=True)
    assert "cannot go from" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).state == MissionState.OPEN


@pytest.mark.parametrize("source", list(MissionState))
@pytest.mark.parametrize("target", list(MissionState))
def test_every_state_button(db, as_user, staff, source, target):
    """Every pair of states through the page: a move of the table is made, said and audited; any other is
    refused with the reason and changes nothing."""
    from club.core.models import AuditEvent
    from club.missions.models import TRANSITIONS

    label = {"draft": "Draft", "open": "Open for registration", "closed": "Registration closed", "done": "Done",
             "cancelled": "Cancelled"}  # as the secretariat reads them (English)
    mission = MissionFactory(state=source)
    response = as_user(staff).post(f"/missions/{mission.id}/state", data={"to": target.value})
    assert response.status_code == 303 and response.headers["Location"] == f"/missions/{mission.id}"
    page = words(as_user(staff).get(f"/missions/{mission.id}"))
    db.session.expire_all()
    events = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mission.state").order_by(AuditEvent.id)))
    if target in TRANSITIONS[source]:
        assert db.session.get(Mission, mission.id).state == target
        assert f"The mission is now: {label[target]}." in page
        assert [(e.entity_id, e.actor_id, e.changes) for e in events] == [
            (mission.id, staff.id, {"state": [source.value, target.value]})]
    else:
        assert db.session.get(Mission, mission.id).state == source
        assert f"A mission cannot go from “{label[source]}” to “{label[target]}”." in page
        assert events == []


# --- calendar, attendance, lists, exports ------------------------------------------------------

def test_ics_parses_with_the_right_times_and_agenda(db, as_user, member):
    mission = MissionFactory(title="Casa-shore visit", starts_at=datetime(2027, 6, 15, 8, tzinfo=UTC),
                             ends_at=datetime(2027, 6, 16, 16, 30, tzinfo=UTC))
    db.session.add(AgendaItem(mission_id=mission.id, day=datetime(2027, 6, 15).date(), starts_at=time(9),
                              place="MedZ", title="Welcome by MedZ"))
    db.session.commit()
    response = as_user(member).get(f"/missions/{mission.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2027, 6, 15, 8, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2027, 6, 16, 16, 30, tzinfo=UTC)
    assert str(event["summary"]) == "Casa-shore visit"
    assert "Welcome by MedZ" in str(event["description"])


def test_attendance_tick_with_htmx_and_without(db, as_user, staff):
    mission = MissionFactory()
    registration = register(db, mission, ContactFactory(name="Omar El Fassi"), staff)
    client = as_user(staff)
    page = client.get(f"/missions/{mission.id}/attendance").get_data(as_text=True)
    assert "Omar El Fassi" in page
    assert page.count('name="present"') == 1  # the form posts exactly one value
    url = f"/missions/{mission.id}/registrations/{registration.id}/attendance"
    response = client.post(url, data={"present": "1"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Omar El Fassi" in body
    assert count(db, Registration, Registration.status == RegistrationStatus.ATTENDED) == 1
    response = client.post(url, data={"present": "0"})  # JavaScript off: a plain form post
    assert response.status_code == 303
    assert count(db, Registration, Registration.status == RegistrationStatus.ATTENDED) == 0


def test_printable_list_and_csv(db, as_user, staff):
    mission = MissionFactory()
    register(db, mission, ContactFactory(name="=HYPERLINK(\"x\")"), staff)
    register(db, mission, ContactFactory(name="Sara Bennani"), staff)
    client = as_user(staff)
    page = client.get(f"/missions/{mission.id}/participants").get_data(as_text=True)
    assert "Sara Bennani" in page and "participants-table" in page
    response = client.get(f"/missions/{mission.id}/participants.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    assert "Sara Bennani" in text


def test_list_filters_and_fill_rate(db, as_user, staff, factories):
    medz = factories.OrganizationFactory(name="MedZ")
    fair = MissionFactory(title="Job fair", kind=MissionKind.RECRUITMENT_FAIR, capacity=4)
    fair.partners = [medz]
    MissionFactory(title="Meeting", kind=MissionKind.CLUB_MEETING)
    db.session.commit()
    register(db, fair, ContactFactory(), staff)
    client = as_user(staff)
    page = client.get("/missions/?kind=recruitment_fair").get_data(as_text=True)
    assert "Job fair" in page and "Meeting" not in page
    assert "1 of 4 seats" in page and "(25 %)" in page
    page = client.get(f"/missions/?partner={medz.id}").get_data(as_text=True)
    assert "Job fair" in page and "Meeting" not in page
    partial = client.get("/missions/?state=open", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]


# --- invitations -------------------------------------------------------------------------------

def test_invite_from_the_screen_and_see_who_answered(db, as_user, staff, member, outbox):
    mission = MissionFactory()
    MembershipFactory(organization=member.organization)
    invited = ContactFactory(name="Leila Chraibi", organization=member.organization, is_primary=True)
    client = as_user(staff)
    response = client.post(f"/missions/{mission.id}/invitations", data={"audience": "active", "scope": "primary"})
    assert response.status_code == 303
    assert [m.recipient for m in outbox(template="missions_invitation")] == [invited.email]
    assert f"/missions/{mission.id}" in outbox(template="missions_invitation")[0].body_text
    page = client.get(f"/missions/{mission.id}/invitations").get_data(as_text=True)
    assert "Leila Chraibi" in page and "Not answered" in page
    invitation = db.session.scalar(sa.select(Invitation))
    member_page = as_user(member).get(f"/missions/{mission.id}").get_data(as_text=True)
    assert "Invited, no answer yet" in member_page and "Decline" in member_page
    assert as_user(member).post(f"/missions/{mission.id}/invitations/{invitation.id}/decline").status_code == 303
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).answer == InvitationAnswer.DECLINED
    page = " ".join(as_user(staff).get(f"/missions/{mission.id}").get_data(as_text=True).split())
    assert "1 person invited, 1 has answered (1 declined), 0 have not answered yet." in page


def test_declining_another_organisations_invitation_is_404(db, as_user, staff, member):
    mission = MissionFactory()
    contact = ContactFactory(is_primary=True)
    services.invite(mission, [contact.organization_id], all_contacts=False, by=staff)
    db.session.commit()
    invitation = db.session.scalar(sa.select(Invitation))
    assert as_user(member).post(f"/missions/{mission.id}/invitations/{invitation.id}/decline").status_code == 404
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).answer is None


# --- report, follow-up, outcomes, and the hooks into other pages --------------------------------

def test_report_actions_and_outcomes(db, as_user, staff, member, factories):
    mission = MissionFactory(state=MissionState.DONE)
    saccom = factories.OrganizationFactory(name="Saccom")
    client = as_user(staff)
    assert client.post(f"/missions/{mission.id}/report", data={"outcomes": "Club founded",
                                                               "contacts_made": "Intelcia"}).status_code == 303
    assert client.post(f"/missions/{mission.id}/actions", data={
        "action-task": "Jerada youth activity", "action-owner_organization_id": saccom.name,
        "action-owner_name": "", "action-due_on": "2021-03-31"}).status_code == 303
    assert client.post(f"/missions/{mission.id}/outcomes", data={
        "outcome-organization_id": saccom.name, "outcome-note": "Settled in Oujda"}).status_code == 303
    again = client.post(f"/missions/{mission.id}/outcomes", data={"outcome-organization_id": saccom.name})
    assert again.status_code == 422 and "already linked" in again.get_data(as_text=True)
    page = as_user(member).get(f"/missions/{mission.id}").get_data(as_text=True)
    assert "Club founded" in page and "Jerada youth activity" in page and "Settled in Oujda" in page
    sections = sections_for("organization", saccom, member)
    assert [mission.id] == [m.id for m, _note in sections[0]["produced"]]


def test_home_panels(db, as_user, staff, member, partner):
    mission = MissionFactory(title="Casa-shore with MedZ")
    mission.partners = [partner.organization]
    db.session.commit()
    register(db, mission, ContactFactory(name="Nadia Amrani", organization=member.organization), member)
    assert "Casa-shore with MedZ" in as_user(staff).get("/").get_data(as_text=True)
    member_home = as_user(member).get("/").get_data(as_text=True)
    assert "Casa-shore with MedZ" in member_home and "Nadia Amrani" in member_home
    assert "Casa-shore with MedZ" in as_user(partner).get("/").get_data(as_text=True)


def test_edit_form_shows_moroccan_time(db, as_user, staff):
    mission = MissionFactory(starts_at=to_utc(datetime(2027, 6, 15, 9)), ends_at=to_utc(datetime(2027, 6, 15, 17)))
    page = as_user(staff).get(f"/missions/{mission.id}/edit").get_data(as_text=True)
    assert 'value="2027-06-15T09:00"' in page and 'value="2027-06-15T17:00"' in page
    assert f'name="version" type="hidden" value="{mission.version}"' in page


def test_agenda_items(db, as_user, staff):
    mission = MissionFactory(starts_at=datetime(2027, 6, 15, 8, tzinfo=UTC), ends_at=datetime(2027, 6, 16, 16, tzinfo=UTC))
    other = MissionFactory()
    client = as_user(staff)
    response = client.post(f"/missions/{mission.id}/agenda", data={"day": "2027-06-20", "title": "Too late"})
    assert "within the mission's dates" in response.get_data(as_text=True)
    assert count(db, AgendaItem) == 0
    assert client.post(f"/missions/{mission.id}/agenda", data={"day": "2027-06-16", "starts_at": "10:00",
                                                               "place": "Casa-shore", "title": "B2B"}).status_code == 303
    item = db.session.scalar(sa.select(AgendaItem))
    assert "B2B" in client.get(f"/missions/{mission.id}").get_data(as_text=True)
    assert client.post(f"/missions/{other.id}/agenda/{item.id}/delete").status_code == 404
    assert count(db, AgendaItem) == 1
    assert client.post(f"/missions/{mission.id}/agenda/{item.id}/delete").status_code == 303
    assert count(db, AgendaItem) == 0


def test_secretariat_registers_anyone_typed_by_name_filtering_by_organisation(db, as_user, staff):
    mission = MissionFactory()
    a, b = ContactFactory(name="Alpha Person"), ContactFactory(name="Beta Person")
    client = as_user(staff)
    picks = client.get(f"/missions/{mission.id}/register/picks?field=contact_id&list=contact_id-options"
                       f"&contact_id=person&organization_id={a.organization_id}").get_data(as_text=True)
    assert "Alpha Person" in picks and "Beta Person" not in picks
    page = client.get(f"/missions/{mission.id}/register?organization={a.organization.name}").get_data(as_text=True)
    assert f'value="{a.organization.name}"' in page and "organization_id=" in page
    # without JavaScript: a part of a name several people share offers them; more of it picks one
    response = client.post(f"/missions/{mission.id}/register", data={"contact_id": "person"})
    assert response.status_code == 422
    assert "Alpha Person" in response.get_data(as_text=True) and "Beta Person" in response.get_data(as_text=True)
    assert count(db, Registration) == 0
    assert client.post(f"/missions/{mission.id}/register", data={"contact_id": "beta pers"}).status_code == 303
    assert count(db, Registration, Registration.contact_id == b.id) == 1
    response = client.post(f"/missions/{mission.id}/register", data={"contact_id": "Beta Person"})
    assert response.status_code == 422 and "Nobody of that name can be registered." in response.get_data(as_text=True)


def test_attendance_search_ignores_case_and_accents(db, as_user, staff):
    mission = MissionFactory()
    register(db, mission, ContactFactory(name="Leïla Ouazzani"), staff)
    register(db, mission, ContactFactory(name="Omar El Fassi"), staff)
    page = as_user(staff).get(f"/missions/{mission.id}/attendance?q=LEILA").get_data(as_text=True)
    assert "Leïla Ouazzani" in page and "Omar El Fassi" not in page


def test_invite_a_filtered_set_or_chosen_organisations(db, as_user, staff, factories, outbox):
    from club.members.models import OrgKind

    mission = MissionFactory()
    bpo = MembershipFactory(organization=factories.OrganizationFactory(kind=OrgKind.BPO)).organization
    call = MembershipFactory(organization=factories.OrganizationFactory(kind=OrgKind.CALL_CENTER)).organization
    chosen = factories.OrganizationFactory(name="Not a member")
    for org in (bpo, call, chosen):
        ContactFactory(organization=org, is_primary=True, email=f"boss@{org.id}.example")
    client = as_user(staff)
    client.post(f"/missions/{mission.id}/invitations", data={"audience": "filtered", "kind": "bpo", "scope": "primary"})
    assert [m.recipient for m in outbox(template="missions_invitation")] == [f"boss@{bpo.id}.example"]
    client.post(f"/missions/{mission.id}/invitations", data={"audience": "chosen", "organization_ids": [str(chosen.id)],
                                                             "scope": "primary"})
    assert sorted(m.recipient for m in outbox(template="missions_invitation")) == sorted(
        [f"boss@{bpo.id}.example", f"boss@{chosen.id}.example"])
    response = client.post(f"/missions/{mission.id}/invitations", data={"audience": "chosen", "scope": "primary"})
    assert "Choose at least one organisation." in response.get_data(as_text=True)


def test_partner_downloads_the_calendar_of_a_mission_they_partner(db, as_user, partner):
    mission = MissionFactory()
    mission.partners = [partner.organization]
    db.session.commit()
    assert as_user(partner).get(f"/missions/{mission.id}.ics").status_code == 200


def test_registration_is_audited(db, as_user, member):
    from club.core.models import AuditEvent

    mission = MissionFactory()
    colleague = ContactFactory(organization=member.organization)
    as_user(member).post(f"/missions/{mission.id}/register", data={"contact_id-pick": colleague.id})
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mission.register"))
    assert event.actor_id == member.id and event.changes["status"] == [None, "registered"]


def test_saving_the_form_unchanged_changes_nothing(db, as_user, staff):
    client = as_user(staff)
    client.post("/missions/new", data=_form(registration_deadline="2027-06-10T18:00"))
    mission = db.session.scalar(sa.select(Mission))
    page = client.get(f"/missions/{mission.id}/edit").get_data(as_text=True)
    values = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    values.update(kind="study_visit", site="casa_shore", objectives="Visit")
    values.pop("csrf_token", None)
    values.pop("next", None)
    response = client.post(f"/missions/{mission.id}/edit", data=values, follow_redirects=True)
    assert "Nothing to change." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).starts_at == to_utc(datetime(2027, 6, 15, 9))
