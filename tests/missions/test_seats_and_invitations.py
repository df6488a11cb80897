"""Seats and invitations as the secretariat and the invitees meet them: whatever frees or adds a seat
promotes from the waiting list in order and says so (only what is true of the email: it is queued);
invitations show each invitee's true state, skip people already registered and are answered by a
signed link, without an account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.core.audit import AuditEvent
from club.core.timezones import to_local
from club.missions import services
from club.missions.models import Invitation, InvitationAnswer, Mission, Registration, RegistrationStatus
from club.models import utcnow
from club.permissions import Role
from tests.members.factories import ContactFactory, MembershipFactory
from tests.missions.factories import MissionFactory


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(role=Role.SECRETARIAT, locale="en")


def text(response) -> str:
    """The page's words, whitespace folded (as a person reads them)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def statuses(db, mission) -> dict[str, RegistrationStatus]:
    db.session.expire_all()
    return {name: status for name, status in db.session.execute(
        sa.select(sa.literal_column("contacts.name"), Registration.status)
        .select_from(Registration).join(Registration.contact).where(Registration.mission_id == mission.id))}


def edit_form(mission, **changes) -> dict:
    """The edit form as the page renders it (Moroccan time), with ``changes``."""
    fmt = "%Y-%m-%dT%H:%M"
    data = {"title": mission.title, "kind": mission.kind.value, "destination": mission.destination, "site": "",
            "starts_at": to_local(mission.starts_at).strftime(fmt), "ends_at": to_local(mission.ends_at).strftime(fmt),
            "registration_deadline": "", "capacity": str(mission.capacity),
            "seats_per_organization": str(mission.seats_per_organization or ""), "objectives": "",
            "version": str(mission.version)}
    data.update(changes)
    return data


def full_mission(db, staff, *, capacity=6, waiting=3):
    mission = MissionFactory(capacity=capacity)
    seated = [ContactFactory(name=f"Seated {n}") for n in range(capacity)]
    queued = [ContactFactory(name=f"Waiting {n}") for n in range(waiting)]
    for contact in seated + queued:
        services.register(mission, contact, by=staff)
    db.session.commit()
    return mission, seated, queued


# --- B13: a seat freed or added promotes, and the screen says so ---------------------------------

def test_raising_capacity_from_6_to_7_promotes_the_first_waiting_and_says_so(db, login_as, staff, outbox):
    mission, _seated, queued = full_mission(db, staff)
    response = login_as(staff).post(f"/missions/{mission.id}/edit", data=edit_form(mission, capacity="7"),
                                    follow_redirects=True)
    page = text(response)
    assert "Mission saved." in page
    assert "1 person promoted from the waiting list: Waiting 0." in page
    assert "An email telling them is queued in the outbox." in page
    assert "Nothing to change" not in page and "told by email" not in page
    now = statuses(db, mission)
    assert now["Waiting 0"] == RegistrationStatus.REGISTERED
    assert [now["Waiting 1"], now["Waiting 2"]] == [RegistrationStatus.WAITLISTED] * 2
    assert [m.recipient for m in outbox(template="missions_promoted")] == [queued[0].email]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "mission.promote")) == 1


def test_two_more_seats_promote_two_in_order_with_a_plural(db, login_as, staff, outbox):
    mission, _seated, queued = full_mission(db, staff)
    page = text(login_as(staff).post(f"/missions/{mission.id}/edit", data=edit_form(mission, capacity="8"),
                                     follow_redirects=True))
    assert "2 people promoted from the waiting list: Waiting 0, Waiting 1." in page
    assert "Emails telling them are queued in the outbox (2)." in page
    assert statuses(db, mission)["Waiting 2"] == RegistrationStatus.WAITLISTED
    assert [m.recipient for m in outbox(template="missions_promoted")] == [queued[0].email, queued[1].email]


def test_a_save_that_changes_nothing_still_gives_free_seats_to_the_waiting_list(db, login_as, staff, outbox):
    """Seats left free by an earlier change (here a capacity written straight in the table) are given
    at the next save, even one that changes no field: never "Nothing to change" with people waiting."""
    mission, _seated, queued = full_mission(db, staff)
    db.session.execute(sa.update(Mission).where(Mission.id == mission.id).values(capacity=7))
    db.session.commit()
    db.session.expire_all()
    mission = db.session.get(Mission, mission.id)
    page = text(login_as(staff).post(f"/missions/{mission.id}/edit", data=edit_form(mission),
                                     follow_redirects=True))
    assert "Nothing to change" not in page
    assert "1 person promoted from the waiting list: Waiting 0." in page
    assert statuses(db, mission)["Waiting 0"] == RegistrationStatus.REGISTERED


def test_more_seats_per_organisation_saved_promotes_when_seats_are_free(db, login_as, staff, outbox):
    mission, _seated, _queued = full_mission(db, staff, capacity=2, waiting=2)
    db.session.execute(sa.update(Mission).where(Mission.id == mission.id).values(capacity=3))
    db.session.commit()
    db.session.expire_all()
    mission = db.session.get(Mission, mission.id)
    page = text(login_as(staff).post(f"/missions/{mission.id}/edit",
                                     data=edit_form(mission, seats_per_organization="4"), follow_redirects=True))
    assert "Mission saved." in page and "1 person promoted from the waiting list: Waiting 0." in page
    assert statuses(db, mission)["Waiting 0"] == RegistrationStatus.REGISTERED


def test_a_promoted_person_without_email_is_not_said_to_be_told(db, login_as, staff, outbox):
    mission = MissionFactory(capacity=1)
    first = services.register(mission, ContactFactory(name="First"), by=staff)
    services.register(mission, ContactFactory(name="No Mail", email=None), by=staff)
    db.session.commit()
    page = text(login_as(staff).post(f"/missions/{mission.id}/registrations/{first.id}/cancel",
                                     follow_redirects=True))
    assert "1 person promoted from the waiting list: No Mail." in page
    assert "No Mail has no email address: tell them yourself." in page
    assert "An email telling them" not in page
    assert outbox(template="missions_promoted") == []
    assert statuses(db, mission)["No Mail"] == RegistrationStatus.REGISTERED


def test_reopening_registration_gives_free_seats_to_the_waiting_list(db, login_as, staff, outbox):
    mission, _seated, _queued = full_mission(db, staff, capacity=2, waiting=1)
    client = login_as(staff)
    client.post(f"/missions/{mission.id}/state", data={"to": "closed"})
    db.session.execute(sa.update(Mission).where(Mission.id == mission.id).values(capacity=3))
    db.session.commit()
    page = text(client.post(f"/missions/{mission.id}/state", data={"to": "open"}, follow_redirects=True))
    assert "1 person promoted from the waiting list: Waiting 0." in page
    assert statuses(db, mission)["Waiting 0"] == RegistrationStatus.REGISTERED


def test_stale_mission_edit_answers_409_with_both_versions_and_input_kept(db, login_as, staff):
    mission = MissionFactory(title="Original")
    client = login_as(staff)
    stale = edit_form(mission, title="Mine")
    assert client.post(f"/missions/{mission.id}/edit", data=edit_form(mission, title="Theirs")).status_code == 303
    response = client.post(f"/missions/{mission.id}/edit", data=stale)
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this record while you were editing it." in page
    assert "Saved meanwhile by someone else" in page and "Title Mine Theirs" in page  # field, yours, saved now
    assert 'value="Mine"' in response.get_data(as_text=True)
    assert 'name="version" type="hidden" value="2"' in response.get_data(as_text=True)  # saving again overwrites
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).title == "Theirs"


def test_stale_report_answers_409_with_both_versions_and_input_kept(db, login_as, staff):
    mission = MissionFactory()
    client = login_as(staff)
    assert client.post(f"/missions/{mission.id}/report", data={"outcomes": "First", "version": ""}).status_code == 303
    assert client.post(f"/missions/{mission.id}/report", data={"outcomes": "Theirs", "version": "1"}).status_code == 303
    response = client.post(f"/missions/{mission.id}/report", data={"outcomes": "Mine", "version": "1"})
    assert response.status_code == 409
    page = text(response)
    assert "Someone else saved this record while you were editing it." in page
    assert "Outcomes Mine Theirs" in page  # field, yours, saved now
    html = response.get_data(as_text=True)
    assert 'name="outcomes">\r\nMine</textarea>' in html and 'name="version" type="hidden" value="2"' in html
    db.session.expire_all()
    assert db.session.get(Mission, mission.id).report.outcomes == "Theirs"


# --- B13: invitations -----------------------------------------------------------------------------

def invite_all(db, mission, staff, orgs):
    result = services.invite(mission, [o.id for o in orgs], all_contacts=True, by=staff)
    db.session.commit()
    return result


def anonymous(app):
    """A visitor with no account, reading English."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def answer_url(outbox, contact) -> str:
    [message] = [m for m in outbox(template="missions_invitation") if m.recipient == contact.email]
    match = re.search(r"https?://[^/\s]+(/missions/invitation/[^\s]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_invitations_show_each_invitees_true_state(db, login_as, staff, outbox):
    mission = MissionFactory(capacity=1)
    org = MembershipFactory().organization
    seated, waiting, cancelled, declined, silent = (ContactFactory(name=n, organization=org) for n in
                                                    ("Ali Seated", "Bouchra Waiting", "Chafik Cancelled",
                                                     "Dounia Declined", "Driss Silent"))
    invite_all(db, mission, staff, [org])
    services.register(mission, seated, by=staff)
    services.register(mission, waiting, by=staff)
    services.cancel_registration(services.register(mission, cancelled, by=staff), by=staff)
    services.decline(db.session.scalar(sa.select(Invitation).where(Invitation.contact_id == declined.id)), by=staff)
    db.session.commit()
    html = login_as(staff).get(f"/missions/{mission.id}/invitations").get_data(as_text=True)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows[cells[0]] = cells[-1]
    assert rows == {"Ali Seated": "Registered", "Bouchra Waiting": "Waiting list #1",
                    "Chafik Cancelled": "Registration cancelled", "Dounia Declined": "Declined",
                    "Driss Silent": "Not answered"}
    # the counts follow the same states (a cancelled registration leaves the invitation unanswered again)
    assert "5 people invited, 3 have answered (1 declined), 2 have not answered yet." in text(
        login_as(staff).get(f"/missions/{mission.id}"))


def test_people_already_registered_are_not_invited_and_the_screen_says_so(db, login_as, staff, outbox):
    mission = MissionFactory()
    org = MembershipFactory().organization
    registered = ContactFactory(name="Already In", organization=org, is_primary=True)
    services.register(mission, registered, by=staff)
    db.session.commit()
    client = login_as(staff)
    page = text(client.post(f"/missions/{mission.id}/invitations", data={"audience": "active", "scope": "primary"},
                            follow_redirects=True))
    assert "Nobody new to invite." in page and "1 person already registered was not invited." in page
    assert outbox(template="missions_invitation") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    other = ContactFactory(name="New One", organization=org)
    page = text(client.post(f"/missions/{mission.id}/invitations", data={"audience": "active", "scope": "all"},
                            follow_redirects=True))
    assert "1 person invited: the invitation email is queued in the outbox." in page
    assert [m.recipient for m in outbox(template="missions_invitation")] == [other.email]


def test_an_invitee_accepts_by_the_link_without_an_account(db, app, staff, outbox):
    mission = MissionFactory(title="Casa-shore visit")
    org = MembershipFactory().organization
    leila = ContactFactory(name="Leila Chraibi", organization=org)
    invite_all(db, mission, staff, [org])
    url = answer_url(outbox, leila)
    client = anonymous(app)  # nobody signed in
    page = client.get(url)
    assert page.status_code == 200
    words = text(page)
    assert "Casa-shore visit" in words and "Leila Chraibi" in words and "Yes, register me" in words
    response = client.post(url, data={"answer": "accept"}, follow_redirects=True)
    words = text(response)
    assert "Thank you: you are registered. A confirmation email is queued in the outbox." in words
    assert "You are registered." in words and "Yes, register me" not in words
    db.session.expire_all()
    registration = db.session.scalar(sa.select(Registration).where(Registration.contact_id == leila.id))
    assert registration.status == RegistrationStatus.REGISTERED and registration.registered_by_id is None
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.contact_id == leila.id))
    assert invitation.answer == InvitationAnswer.REGISTERED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mission.register"))
    assert event.actor_id is None and event.changes["invitation"] == [None, "registered"]
    assert [m.recipient for m in outbox(template="missions_registered")] == [leila.email]
    # the same answer again changes nothing; the other answer is refused, with the reason
    again = client.post(url, data={"answer": "accept"}, follow_redirects=True)
    assert "Your answer was already recorded: nothing has changed." in text(again)
    refused = client.post(url, data={"answer": "decline"})
    assert refused.status_code == 422 and "You are already registered" in text(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.in_(["mission.register", "mission.decline"]))) == 1
    assert len(outbox(template="missions_registered")) == 1


def test_an_invitee_declines_by_the_link_and_a_full_mission_waitlists(db, app, staff, outbox):
    mission = MissionFactory(capacity=1)
    services.register(mission, ContactFactory(), by=staff)
    org = MembershipFactory().organization
    yes, no = ContactFactory(name="Yes Person", organization=org), ContactFactory(name="No Person", organization=org)
    invite_all(db, mission, staff, [org])
    client = anonymous(app)
    words = text(client.post(answer_url(outbox, yes), data={"answer": "accept"}, follow_redirects=True))
    assert "the mission is full, you are on the waiting list" in words and "position 1" in words
    words = text(client.post(answer_url(outbox, no), data={"answer": "decline"}, follow_redirects=True))
    assert "your answer is recorded, you will not take part" in words
    assert "You have declined this invitation." in words
    now = statuses(db, mission)
    assert now["Yes Person"] == RegistrationStatus.WAITLISTED and "No Person" not in now
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.contact_id == no.id))
    assert invitation.answer == InvitationAnswer.DECLINED and invitation.answered_at is not None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mission.decline"))
    assert event.actor_id is None and event.entity_id == invitation.id


def test_a_forged_or_expired_link_answers_nothing(db, app, staff, outbox):
    mission = MissionFactory()
    org = MembershipFactory().organization
    contact = ContactFactory(organization=org)
    invite_all(db, mission, staff, [org])
    url = answer_url(outbox, contact)
    client = anonymous(app)
    forged = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    assert client.get(forged).status_code == 404
    assert client.post(forged, data={"answer": "accept"}).status_code == 404
    assert "This link is not valid" in text(client.get(forged))
    # a token for another invitation's id, signed with another key: refused
    assert client.get("/missions/invitation/eyJpIjoxLCJjIjoxfQ.x.y").status_code == 404
    db.session.execute(sa.update(Mission).where(Mission.id == mission.id).values(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    expired = client.post(url, data={"answer": "accept"})
    assert expired.status_code == 404 and "This link has expired" in text(expired)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_link_after_the_deadline_refuses_with_the_reason(db, app, staff, outbox):
    mission = MissionFactory()
    org = MembershipFactory().organization
    contact = ContactFactory(organization=org)
    invite_all(db, mission, staff, [org])
    url = answer_url(outbox, contact)
    db.session.execute(sa.update(Mission).where(Mission.id == mission.id).values(
        registration_deadline=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    client = anonymous(app)
    assert "The registration deadline has passed" in text(client.get(url))
    response = client.post(url, data={"answer": "accept"})
    assert response.status_code == 422 and "deadline has passed" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_cancelling_the_mission_says_how_many_emails_are_queued(db, login_as, staff, outbox):
    mission = MissionFactory(capacity=1)
    services.register(mission, ContactFactory(name="With Mail"), by=staff)
    services.register(mission, ContactFactory(name="Without Mail", email=None), by=staff)
    db.session.commit()
    page = text(login_as(staff).post(f"/missions/{mission.id}/state", data={"to": "cancelled"},
                                     follow_redirects=True))
    assert "An email telling the registered or waitlisted person is queued in the outbox." in page
    assert len(outbox(template="missions_cancelled")) == 1
