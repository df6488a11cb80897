"""Activities through the pages, as each role sees them: logging, editing, deleting, tasks done and reopened, the
organisation's timeline (filters, keyset pages, what members see), links from deals and missions, and the rules
refused at their field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.activities import services
from club.activities.models import Activity, ActivityKind, ActivityParticipant
from club.activities.services import ActivityData
from club.core.models import AuditEvent
from club.core.timezones import local_today
from club.members.models import Contact, Organization
from club.permissions import Role
from tests.factories import OrganizationFactory, UserFactory
from tests.fixtures.app import text

TODAY = local_today()


@pytest.fixture()
def world(db):
    org = OrganizationFactory(name="Saccom Test")
    other = OrganizationFactory(name="Autre Org")
    staff = UserFactory(role=Role.SECRETARIAT, name="Salma Staff", locale="en")
    colleague = UserFactory(role=Role.SECRETARIAT, name="Omar Staff", locale="en")
    member = UserFactory(role=Role.MEMBER, organization=org, locale="en")
    outsider = UserFactory(role=Role.MEMBER, organization=other, locale="en")
    partner = UserFactory(role=Role.PARTNER, organization=OrganizationFactory(name="Fonds"), locale="en")
    contact = Contact(organization_id=org.id, name="Nadia Amrani", name_key="nadia amrani")
    stranger = Contact(organization_id=other.id, name="Karim Autre", name_key="karim autre")
    db.session.add_all([contact, stranger])
    db.session.commit()
    return {"org": org, "other": other, "staff": staff, "colleague": colleague, "member": member,
            "outsider": outsider, "partner": partner, "contact": contact, "stranger": stranger}


def _log(db, w, **values) -> Activity:
    data = {"kind": ActivityKind.CALL, "occurred_on": TODAY, "subject": "Appel", **values}
    activity = services.log_activity(w["org"], ActivityData(**data), by=w["staff"])
    db.session.commit()
    return activity


def _form(**values) -> dict:
    return {"kind": "call", "occurred_on": TODAY.isoformat(), "occurred_time": "", "subject": "Appel de suivi",
            "body": "", "contact_id": "", "owner_id": "", "due_on": "", **values}


# --- logging through the form -----------------------------------------------------------------------------------

def test_the_secretariat_logs_a_call_with_participants(db, world, login_as):
    w = world
    client = login_as(w["staff"])
    page = client.get(f"/activities/organizations/{w['org'].id}/new")
    assert page.status_code == 200 and "Nadia Amrani" in text(page) and "Karim Autre" not in text(page)
    response = client.post(f"/activities/organizations/{w['org'].id}/new",
                           data=_form(contact_id=str(w["contact"].id), contact_ids=[str(w["contact"].id)],
                                      user_ids=[str(w["colleague"].id)], occurred_time="10:30", body="Texte"))
    assert response.status_code == 303
    activity = db.session.scalar(sa.select(Activity))
    assert (activity.subject, activity.kind, activity.contact_id, activity.author_id, activity.shared) == (
        "Appel de suivi", ActivityKind.CALL, w["contact"].id, w["staff"].id, False)
    assert activity.occurred_time.strftime("%H:%M") == "10:30" and activity.owner_id is None
    assert sorted(p.name for p in activity.participants) == ["Nadia Amrani", "Omar Staff"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "activities"))
    assert event.action == "activity.create" and event.entity_id == activity.id
    timeline = text(client.get(f"/activities/organizations/{w['org'].id}"))
    assert "Appel de suivi" in timeline and "with Nadia Amrani" in timeline


@pytest.mark.parametrize("values, field_message", [
    ({"subject": ""}, "Give the activity a subject."),
    ({"occurred_on": ""}, "Enter the date."),
    ({"occurred_on": "2026-02-31"}, "Enter the date."),
    ({"kind": "fax"}, "Not a valid choice."),
    ({"contact_id": "999999"}, "Not a valid choice."),
    ({"contact_id": "abc"}, "Not a valid choice."),
    ({"owner_id": "1" * 30}, "Not a valid choice."),
    ({"contact_ids": "abc"}, "Invalid choice(s)"),
    ({"subject": "a\nb"}, "Line breaks are not allowed here."),
])
def test_bad_input_is_refused_at_its_field(db, world, login_as, values, field_message):
    client = login_as(world["staff"])
    response = client.post(f"/activities/organizations/{world['org'].id}/new", data=_form(**values))
    assert response.status_code == 422
    assert field_message in text(response), re.findall(r"invalid-feedback[^>]*>\s*(.*?)</div>", text(response), re.S)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_a_contact_of_another_organisation_is_refused(db, world, login_as, request_context):
    client = login_as(world["staff"])
    response = client.post(f"/activities/organizations/{world['org'].id}/new",
                           data=_form(contact_ids=[str(world["stranger"].id)]))
    assert response.status_code == 422 and "Appel de suivi" in text(response)
    with pytest.raises(services.Refused):
        services.log_activity(world["org"], ActivityData(kind=ActivityKind.CALL, occurred_on=TODAY, subject="x",
                                                         contact_id=world["stranger"].id), by=world["staff"])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_a_task_due_in_the_past_is_allowed_but_flagged(db, world, login_as):
    client = login_as(world["staff"])
    past = (TODAY - timedelta(days=3)).isoformat()
    response = client.post(f"/activities/organizations/{world['org'].id}/new",
                           data=_form(kind="task", subject="Relancer", due_on=past), follow_redirects=True)
    assert response.status_code == 200 and "This task is already overdue." in text(response)
    task = db.session.scalar(sa.select(Activity))
    assert task.owner_id == world["staff"].id  # the author by default
    assert "Overdue" in text(client.get("/activities/tasks"))
    assert "This task is overdue" in text(client.get(f"/activities/{task.id}"))


def test_task_fields_are_cleared_on_other_kinds(db, world):
    activity = _log(db, world, owner_id=world["colleague"].id, due_on=TODAY)
    assert activity.owner_id is None and activity.due_on is None


# --- editing, deleting, done ------------------------------------------------------------------------------------

def test_edit_saves_audits_and_refuses_a_stale_version(db, world, login_as):
    activity = _log(db, world, subject="Avant")
    client = login_as(world["staff"])
    form = client.get(f"/activities/{activity.id}/edit")
    assert form.status_code == 200 and 'value="Avant"' in text(form)
    response = client.post(f"/activities/{activity.id}/edit", data=_form(subject="Après", version="1", shared="y"))
    assert response.status_code == 303
    db.session.expire_all()
    assert (activity.subject, activity.shared, activity.version) == ("Après", True, 2)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "activity.update"))
    assert event.changes["subject"] == ["Avant", "Après"]
    stale = client.post(f"/activities/{activity.id}/edit", data=_form(subject="Encore", version="1"))
    assert stale.status_code == 409 and "Après" in text(stale)
    db.session.expire_all()
    assert activity.subject == "Après"


def test_an_unchanged_edit_changes_nothing(db, world, login_as):
    activity = _log(db, world, contact_ids=(world["contact"].id,), user_ids=(world["staff"].id,))
    client = login_as(world["staff"])
    response = client.post(f"/activities/{activity.id}/edit", data=_form(
        subject="Appel", version="1", contact_ids=[str(world["contact"].id)], user_ids=[str(world["staff"].id)]))
    assert response.status_code == 303
    db.session.expire_all()
    assert activity.version == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "activity.update")) == 0


def test_delete_hides_the_activity_and_keeps_its_history(db, world, login_as):
    activity = _log(db, world, subject="À effacer")
    client = login_as(world["staff"])
    assert client.post(f"/activities/{activity.id}/delete").status_code == 303
    assert client.get(f"/activities/{activity.id}").status_code == 404
    timeline = text(client.get(f"/activities/organizations/{world['org'].id}"))
    assert "Activity deleted" in timeline and "Subject: À effacer" in timeline
    assert db.session.scalar(sa.select(Activity.deleted_at).where(Activity.id == activity.id)) is not None


def _open_tasks_badge(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'id="home-tasks">.*?<span class="badge[^"]*">(\d+)</span>', html, re.S).group(1)


def test_a_task_is_done_then_reopened_from_the_home(db, world, login_as):
    task = _log(db, world, kind=ActivityKind.TASK, subject="Envoyer la liste", due_on=TODAY + timedelta(days=1))
    client = login_as(world["staff"])
    home = text(client.get("/"))
    assert "My open tasks" in home and "Envoyer la liste" in home
    assert _open_tasks_badge(client) == "1"
    response = client.post(f"/activities/{task.id}/done", data={"next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    db.session.expire_all()
    assert task.done_at is not None and task.done_by_id == world["staff"].id
    assert "Envoyer la liste" not in text(client.get("/")).split("My open tasks")[1].split("</section>")[0]
    assert _open_tasks_badge(client) == "0"  # the kept count follows the change at once
    again = client.post(f"/activities/{task.id}/done", data={"next": "https://evil.example/"})
    assert again.status_code == 303 and "evil" not in again.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "activity.done")) == 1
    assert client.post(f"/activities/{task.id}/reopen").status_code == 303
    db.session.expire_all()
    assert task.done_at is None and task.done_by_id is None
    assert _open_tasks_badge(client) == "1"


def test_a_call_cannot_be_marked_done(db, world, login_as):
    call = _log(db, world)
    client = login_as(world["staff"])
    response = client.post(f"/activities/{call.id}/done", follow_redirects=True)
    assert "Only a task can be marked done." in text(response)
    db.session.expire_all()
    assert call.done_at is None


def test_tasks_list_overdue_first_then_by_due_date(db, world, login_as):
    later = _log(db, world, kind=ActivityKind.TASK, subject="Plus tard", due_on=TODAY + timedelta(days=9))
    undated = _log(db, world, kind=ActivityKind.TASK, subject="Sans date", due_on=TODAY + timedelta(days=30))
    overdue = _log(db, world, kind=ActivityKind.TASK, subject="En retard", due_on=TODAY - timedelta(days=2))
    soon = _log(db, world, kind=ActivityKind.TASK, subject="Bientôt", due_on=TODAY + timedelta(days=1))
    _log(db, world, kind=ActivityKind.TASK, subject="Pas à moi", owner_id=world["colleague"].id, due_on=TODAY)
    client = login_as(world["staff"])
    page = text(client.get("/activities/tasks"))
    order = [page.index(s) for s in ("En retard", "Bientôt", "Plus tard", "Sans date")]
    assert order == sorted(order) and "Pas à moi" not in page
    overdue_only = text(client.get("/activities/tasks?overdue=1"))
    assert "En retard" in overdue_only and "Bientôt" not in overdue_only
    services.complete_task(soon, by=world["staff"])
    db.session.commit()
    done = text(client.get("/activities/tasks?status=done"))
    assert "Bientôt" in done and "Plus tard" not in done
    assert {later.id, undated.id, overdue.id}  # created


# --- who sees what ----------------------------------------------------------------------------------------------

def test_members_see_only_the_shared_activities_of_their_own_organisation(db, world, login_as):
    w = world
    shared = _log(db, w, subject="Compte rendu partagé", kind=ActivityKind.NOTE, shared=True)
    private = _log(db, w, subject="Note interne")
    client = login_as(w["member"])
    timeline = text(client.get(f"/activities/organizations/{w['org'].id}"))
    assert "Compte rendu partagé" in timeline and "Note interne" not in timeline
    assert "Log an activity" not in timeline
    page = text(client.get(f"/members/{w['org'].id}"))
    assert "Compte rendu partagé" in page and "Note interne" not in page
    assert client.get(f"/activities/{shared.id}").status_code == 200
    assert client.get(f"/activities/{private.id}").status_code == 404
    assert client.get(f"/activities/{shared.id}/edit").status_code == 404
    assert client.post(f"/activities/{shared.id}/delete").status_code == 404
    # Another organisation's member, a partner: nothing.
    outsider = login_as(w["outsider"])
    assert outsider.get(f"/activities/organizations/{w['org'].id}").status_code == 404
    assert outsider.get(f"/activities/{shared.id}").status_code == 404
    assert "Compte rendu partagé" not in text(outsider.get(f"/members/{w['org'].id}"))
    partner = login_as(w["partner"])
    assert partner.get(f"/activities/organizations/{w['org'].id}").status_code == 404
    assert partner.get(f"/activities/{shared.id}").status_code == 404
    organisation_page = partner.get(f"/members/{w['org'].id}")
    assert organisation_page.status_code == 200 and "Compte rendu partagé" not in text(organisation_page)
    assert "Activities and history" not in text(organisation_page)


def test_visibility_agrees_between_lists_and_pages(db, world, login_as):
    """For every role, the activities the timeline lists are exactly those whose page opens."""
    w = world
    ids = [_log(db, w, subject=f"A{i}", shared=i % 2 == 0).id for i in range(4)]
    for who in ("staff", "member", "outsider", "partner"):
        client = login_as(w[who])
        timeline = client.get(f"/activities/organizations/{w['org'].id}")
        listed = {i for i in ids if f"/activities/{i}\"" in timeline.get_data(as_text=True)}
        opened = {i for i in ids if client.get(f"/activities/{i}").status_code == 200}
        assert listed == opened, who


def test_the_member_history_stays_and_activity_events_stay_private(db, world, login_as):
    w = world
    _log(db, w, subject="Secret", shared=False)
    activity = _log(db, w, subject="Partagé", shared=True)
    services.update_activity(activity, ActivityData(kind=ActivityKind.CALL, occurred_on=TODAY, subject="Partagé 2",
                                                    shared=True), version=activity.version, by=w["staff"])
    from club.core import audit
    from club.members.models import Organization

    audit.record("organization.update", db.session.get(Organization, w["org"].id), by=w["staff"],
                 changes={"city": ["Oujda", "Berkane"]})
    db.session.commit()
    member = text(login_as(w["member"]).get(f"/activities/organizations/{w['org'].id}?kind=history"))
    assert "Berkane" in member and "Activity edited" not in member and "Secret" not in member
    staff = text(login_as(w["staff"]).get(f"/activities/organizations/{w['org'].id}?kind=history"))
    assert "Berkane" in staff and "Activity edited" in staff


# --- the timeline -----------------------------------------------------------------------------------------------

def test_the_timeline_pages_by_keyset_and_filters(db, world, login_as, monkeypatch):
    from club.activities import queries

    w = world
    for i in range(7):
        _log(db, w, subject=f"Appel {i}", occurred_on=TODAY - timedelta(days=i))
    _log(db, w, subject="Réunion", kind=ActivityKind.MEETING, occurred_on=TODAY - timedelta(days=30),
         contact_id=w["contact"].id)
    monkeypatch.setattr(queries, "PER_PAGE", 3)
    client = login_as(w["staff"])
    seen, url = [], f"/activities/organizations/{w['org'].id}?kind=call"
    import re

    while url:
        body = client.get(url).get_data(as_text=True)
        seen += re.findall(r">(Appel \d)<", body)
        more = re.search(r'href="([^"]+after=[^"]+)"', body)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert seen == [f"Appel {i}" for i in range(7)]
    meetings = text(client.get(f"/activities/organizations/{w['org'].id}?kind=meeting"))
    assert "Réunion" in meetings and "Appel 0" not in meetings
    by_contact = text(client.get(f"/activities/organizations/{w['org'].id}?contact={w['contact'].id}"))
    assert "Réunion" in by_contact and "Appel 0" not in by_contact


@pytest.mark.parametrize("after", ["garbage", "eyJ4IjoxfQ", "WyIyMDI2LTAxLTAxIiwwLDFd", "W10", "%C3%A9", "A" * 500,
                                   "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwwLDk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ"])
def test_forged_cursors_and_filters_never_fail(db, world, login_as, after):
    _log(db, world)
    client = login_as(world["staff"])
    for query in (f"after={after}", f"kind={after}", f"contact={after}"):
        response = client.get(f"/activities/organizations/{world['org'].id}?{query}")
        assert response.status_code == 200, query
    assert client.get(f"/activities/tasks?status={after}&overdue={after}&page={after}").status_code == 200


def test_the_history_of_one_contact_is_an_empty_page_not_an_error(db, world, login_as):
    """The "History" filter link keeps the contact chosen: events are the organisation's, so nothing, said."""
    _log(db, world)
    client = login_as(world["staff"])
    contact = world["org"].contacts[0] if world["org"].contacts else None
    contact_id = contact.id if contact is not None else 1
    response = client.get(f"/activities/organizations/{world['org'].id}?kind=history&contact={contact_id}")
    assert response.status_code == 200


def test_the_organisation_page_section_filters_by_kind(db, world, login_as):
    _log(db, world, subject="Un appel")
    _log(db, world, subject="Une note", kind=ActivityKind.NOTE)
    client = login_as(world["staff"])
    page = text(client.get(f"/members/{world['org'].id}"))
    assert "Activities and history" in page and "Un appel" in page and "Une note" in page
    assert "The whole timeline" in page and "History" in page
    notes = text(client.get(f"/members/{world['org'].id}?activity_kind=note"))
    assert "Une note" in notes and "Un appel" not in notes


# --- links ------------------------------------------------------------------------------------------------------

def test_an_activity_logged_from_a_deal_is_linked_and_listed(db, world, login_as):
    from tests.deals.factories import make_deal

    deal = make_deal(by=world["staff"], target=world["org"], title="Prêt d'amorçage")
    db.session.commit()
    client = login_as(world["staff"])
    start = client.get(f"/activities/new?deal_id={deal.id}")
    assert start.status_code == 303 and f"/activities/organizations/{world['org'].id}/new" in start.headers["Location"]
    response = client.post(f"/activities/organizations/{world['org'].id}/new?deal_id={deal.id}",
                           data=_form(subject="Appel sur le prêt"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/deals/{deal.id}")
    assert db.session.scalar(sa.select(Activity.deal_id)) == deal.id
    assert "Appel sur le prêt" in text(client.get(f"/deals/{deal.id}"))
    # The deal's organisation is its target: another organisation is refused.
    assert client.get(f"/activities/organizations/{world['other'].id}/new?deal_id={deal.id}").status_code == 404


def test_an_activity_logged_from_a_mission_asks_the_organisation_by_name(db, world, login_as):
    from tests.missions.factories import MissionFactory

    mission = MissionFactory()
    client = login_as(world["staff"])
    page = client.get(f"/activities/new?mission_id={mission.id}")
    assert page.status_code == 200 and "With which organisation?" in text(page)
    unknown = client.get(f"/activities/new?mission_id={mission.id}&organization=Saccom+Tes")
    assert unknown.status_code == 422 and "Saccom Test" in text(unknown)  # suggested
    found = client.get(f"/activities/new?mission_id={mission.id}&organization=saccom+test")
    assert found.status_code == 303
    assert found.headers["Location"].endswith(f"/activities/organizations/{world['org'].id}/new?mission_id={mission.id}")
    assert client.get("/activities/new").status_code == 404
    assert client.get("/activities/new?mission_id=999999").status_code == 404
    assert client.get("/activities/new?mission_id=abc").status_code == 404


def test_participants_are_replaced_on_edit(db, world):
    activity = _log(db, world, contact_ids=(world["contact"].id,))
    services.update_activity(activity, ActivityData(kind=ActivityKind.CALL, occurred_on=TODAY, subject="Appel",
                                                    user_ids=(world["colleague"].id,)),
                             version=activity.version, by=world["staff"])
    db.session.commit()
    rows = db.session.scalars(sa.select(ActivityParticipant)).all()
    assert [(p.contact_id, p.user_id) for p in rows] == [(None, world["colleague"].id)]


def test_only_the_secretariat_owns_tasks(db, world, request_context):
    with pytest.raises(services.Refused) as refused:
        services.log_activity(world["org"], ActivityData(kind=ActivityKind.TASK, occurred_on=TODAY, subject="x",
                                                         owner_id=world["member"].id, due_on=TODAY),
                              by=world["staff"])
    assert refused.value.field == "owner_id"


def test_a_task_needs_a_due_date(db, world, login_as):
    response = login_as(world["staff"]).post(f"/activities/organizations/{world['org'].id}/new",
                                             data=_form(kind="task"))
    assert response.status_code == 422 and "Give the task a due date." in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_linked_pages_offer_and_list_activities_to_the_secretariat_only(demo_world, login_as, request_context):
    """Deals, applications, missions and programmes list their activities and offer "Log an activity" (the
    secretariat); an activity logged from a programme is listed there, and the other roles see no such section."""
    from club.auth.models import User
    from club.deals.models import Deal
    from club.incubator.models import Application
    from club.missions.models import Mission
    from club.programmes.models import Programme

    db = demo_world
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    member = db.session.scalar(sa.select(User).where(User.email == "contact@saccom.example"))
    pages = {
        "deal_id": f"/deals/{db.session.scalar(sa.select(Deal.id).order_by(Deal.id))}",
        "application_id": "/incubator/applications/"
                          f"{db.session.scalar(sa.select(Application.id).order_by(Application.id))}",
        "mission_id": f"/missions/{db.session.scalar(sa.select(Mission.id).order_by(Mission.id))}",
        "programme_id": f"/programmes/{db.session.scalar(sa.select(Programme.id).order_by(Programme.id))}",
    }
    saccom = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    programme_id = int(pages["programme_id"].rsplit("/", 1)[1])
    client = login_as(staff)
    response = client.post(f"/activities/organizations/{saccom}/new?programme_id={programme_id}",
                           data=_form(subject="Point d'étape du programme"))
    assert response.status_code == 303
    for link, url in pages.items():
        page = client.get(url)
        assert page.status_code == 200, url
        assert f"/activities/new?{link}=" in page.get_data(as_text=True), url
    assert "Point d'étape du programme" in text(client.get(pages["programme_id"]))
    member_page = login_as(member).get(pages["programme_id"])
    assert "/activities/new?" not in member_page.get_data(as_text=True)


def test_a_contacts_activities_are_those_with_them_or_they_took_part_in_once_each(db, world, login_as):
    w = world
    _log(db, w, subject="Avec elle", contact_id=w["contact"].id, contact_ids=(w["contact"].id,))
    _log(db, w, subject="Elle y était", contact_ids=(w["contact"].id,))
    _log(db, w, subject="Sans elle")
    body = text(login_as(w["staff"]).get(f"/activities/organizations/{w['org'].id}?contact={w['contact'].id}"))
    assert body.count(">Avec elle<") == 1 and ">Elle y était<" in body and "Sans elle" not in body


def test_an_untouched_edit_keeps_a_deactivated_owner_and_every_participant(db, world, login_as):
    """The edit form offers whoever is on the activity, even an account deactivated since: saved unchanged, it keeps
    the task's owner and its participants (it reassigned the task to the editor and dropped them)."""
    from club.activities.models import ActivityParticipant
    from tests.walk import post_forms

    task = _log(db, world, kind=ActivityKind.TASK, subject="Relancer", due_on=TODAY, owner_id=world["colleague"].id,
                user_ids=(world["colleague"].id, world["staff"].id), contact_ids=(world["contact"].id,))
    world["colleague"].active = False
    db.session.commit()
    client = login_as(world["staff"])
    url = f"/activities/{task.id}/edit"
    [form] = [f for f in post_forms(client.get(url).get_data(as_text=True), "http://localhost" + url)
              if f.action.endswith("/edit")]
    response = client.post(url, data=form.body())
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    kept = db.session.get(Activity, task.id)
    assert kept.owner_id == world["colleague"].id
    assert {(p.user_id, p.contact_id) for p in db.session.scalars(
        sa.select(ActivityParticipant).where(ActivityParticipant.activity_id == task.id))} == {
        (world["colleague"].id, None), (world["staff"].id, None), (None, world["contact"].id)}
