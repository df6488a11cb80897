"""Reminders two days before a mission: one email per seated person, in their language, with the calendar file;
nothing for the waiting list, cancelled registrations, other missions; nothing twice."""

from __future__ import annotations

import base64
import threading
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from icalendar import Calendar

from club.core import audit
from club.core.models import AuditEvent
from club.core.timezones import at
from club.extensions import db as database
from club.members.models import Site
from club.missions import services
from club.missions.models import AgendaItem, MissionState, Registration, RegistrationStatus
from tests.factories import UserFactory
from tests.members.factories import ContactFactory
from tests.missions.factories import MissionFactory

TODAY = date(2026, 5, 4)  # a Monday; Casablanca is on UTC+1 (no Ramadan), so local and UTC days can differ


def mission_on(day: date, hour: int = 9, minute: int = 0, **kwargs):
    starts = at(day, hour, minute)
    return MissionFactory(starts_at=starts, ends_at=starts + timedelta(hours=8), **kwargs)


def person(mission, status=RegistrationStatus.REGISTERED, **contact) -> Registration:
    who = ContactFactory(**contact)
    registration = Registration(mission_id=mission.id, contact_id=who.id, organization_id=who.organization_id,
                                status=status)
    database.session.add(registration)
    database.session.commit()
    return registration


def reminders(outbox):
    return outbox(template="missions_reminder")


def reminded_ids(db) -> list[int]:
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(AuditEvent.entity_id).where(AuditEvent.action == "mission.reminded")))


@pytest.fixture()
def world(db):
    """A mission in two days with every kind of registration, and missions that must not be reminded."""
    visit = mission_on(TODAY + timedelta(days=2), title="Visit to Casa-shore", destination="Casablanca",
                       site=Site.CASA_SHORE)
    database.session.add(AgendaItem(mission_id=visit.id, day=TODAY + timedelta(days=2), starts_at=time(10, 0),
                                    place="Casanearshore Park", title="Welcome by the park"))
    database.session.commit()
    english = person(visit, name="Ana English", email="ana@example.org")
    UserFactory(email="ana@example.org", locale="en")
    french = person(visit, name="Bruno Français", email="bruno@example.org")  # no account: French
    present = person(visit, RegistrationStatus.ATTENDED, name="Chadia Present", email="chadia@example.org")
    person(visit, RegistrationStatus.WAITLISTED, name="Driss Waiting", email="driss@example.org")
    person(visit, RegistrationStatus.CANCELLED, name="Elena Cancelled", email="elena@example.org")
    person(visit, name="Fouad Noaddress", email=None)
    person(visit, name="Ghita Blank", email="")
    # Missions that get nothing today.
    later = mission_on(TODAY + timedelta(days=3), title="In three days")
    person(later, email="later@example.org")
    # 00:30 in Casablanca on day 3 is 23:30 UTC on day 2: the local day counts.
    midnight = mission_on(TODAY + timedelta(days=3), 0, 30, title="Just after midnight")
    assert midnight.starts_at.date() == TODAY + timedelta(days=2)  # so this case can fail
    person(midnight, email="midnight@example.org")
    started = mission_on(TODAY, 8, title="Started this morning")
    person(started, email="started@example.org")
    yesterday = mission_on(TODAY - timedelta(days=1), title="Started yesterday", state=MissionState.CLOSED)
    person(yesterday, email="yesterday@example.org")
    cancelled = mission_on(TODAY + timedelta(days=2), title="Called off", state=MissionState.CANCELLED)
    person(cancelled, email="cancelled@example.org")
    draft = mission_on(TODAY + timedelta(days=2), title="Still a draft", state=MissionState.DRAFT)
    person(draft, email="draft@example.org")
    return {"visit": visit, "english": english, "french": french, "present": present}


def test_the_seated_people_of_a_mission_in_two_days_get_one_reminder_each(db, outbox, world):
    visit = world["visit"]
    assert services.remind_upcoming(TODAY) == 3
    db.session.commit()

    messages = {m.recipient: m for m in reminders(outbox)}
    assert sorted(messages) == ["ana@example.org", "bruno@example.org", "chadia@example.org"]
    english, french = messages["ana@example.org"], messages["bruno@example.org"]
    assert english.subject == "Reminder: Visit to Casa-shore on Wednesday 6 May 2026"
    assert french.subject == "Rappel : Visit to Casa-shore le mercredi 6 mai 2026"
    assert "Hello Ana English," in english.body_text
    assert "starts on Wednesday 6 May 2026" in english.body_text
    assert "Bonjour Bruno Français," in french.body_text
    assert "commence le mercredi 6 mai 2026" in french.body_text
    for message in (english, french):
        assert "09:00" in message.body_text  # Casablanca time (08:00 UTC)
        assert "Casablanca · Casa-shore" in message.body_text
        assert "10:00 — Welcome by the park (Casanearshore Park)" in message.body_text
        assert f"http://club.test/missions/{visit.id}" in message.body_text
    assert "The calendar file is attached." in english.body_text
    assert "Le fichier d'agenda est joint." in french.body_text
    assert english.dedup_key == f"missions:reminder:{world['english'].id}"

    for message in messages.values():
        [attachment] = message.attachments
        assert attachment["filename"] == f"mission-{visit.id}.ics"
        assert attachment["content_type"] == "text/calendar"
        calendar = Calendar.from_ical(base64.b64decode(attachment["data"]))
        [event] = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == "Visit to Casa-shore"
        assert event.decoded("DTSTART") == visit.starts_at
        assert str(event["STATUS"]) == "CONFIRMED"
    french_ics = base64.b64decode(french.attachments[0]["data"]).decode()
    english_ics = base64.b64decode(english.attachments[0]["data"]).decode()
    assert "Programme :" in french_ics and "Agenda:" in english_ics  # the description in each one's language

    assert reminded_ids(db) == sorted(world[k].id for k in ("english", "french", "present"))
    events = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mission.reminded").order_by(AuditEvent.id)))
    assert {(e.entity_type, e.actor_id) for e in events} == {("mission_registrations", None)}
    assert {e.changes["contact"][1] for e in events} == {"Ana English", "Bruno Français", "Chadia Present"}
    with force_locale("fr"):
        assert str(audit.action_label("mission.reminded")) == "Rappel de la mission envoyé"
    with force_locale("en"):
        assert str(audit.action_label("mission.reminded")) == "Mission reminder sent"


def test_a_second_run_queues_nothing(db, outbox, world):
    assert services.remind_upcoming(TODAY) == 3
    db.session.commit()
    assert services.remind_upcoming(TODAY) == 0
    db.session.commit()
    assert len(reminders(outbox)) == 3
    assert len(reminded_ids(db)) == 3


def test_a_worker_down_a_day_catches_up_and_names_the_date(db, outbox, world):
    tomorrow = TODAY + timedelta(days=1)
    soon = mission_on(tomorrow, title="Tomorrow already")
    late = person(soon, name="Hamza Late", email="hamza@example.org")
    assert services.remind_upcoming(TODAY) == 4
    db.session.commit()
    [message] = [m for m in reminders(outbox) if m.recipient == "hamza@example.org"]
    assert message.subject == "Rappel : Tomorrow already le mardi 5 mai 2026"
    assert "deux jours" not in message.body_text
    assert "Où : Casablanca, Casa-shore\n\nLe fichier d'agenda est joint." in message.body_text  # no agenda, no site
    # The next day: the mission in two days now is the one "in three days" before; the others were done.
    assert services.remind_upcoming(tomorrow) == 2  # "In three days" and "Just after midnight"
    db.session.commit()
    assert late.id in reminded_ids(db)
    assert sorted(m.recipient for m in reminders(outbox))[-2:] == ["later@example.org", "midnight@example.org"]
    assert services.remind_upcoming(tomorrow) == 0


def test_a_person_seated_after_the_reminders_gets_theirs_on_the_next_run(db, outbox, world):
    visit = world["visit"]
    assert services.remind_upcoming(TODAY) == 3
    db.session.commit()
    newcomer = person(visit, name="Imane Newcomer", email="imane@example.org")
    assert services.remind_upcoming(TODAY + timedelta(days=1)) == 3  # Imane, and the two missions of day 3
    db.session.commit()
    assert [m.recipient for m in reminders(outbox)].count("imane@example.org") == 1
    assert [m.recipient for m in reminders(outbox)].count("ana@example.org") == 1
    assert newcomer.id in reminded_ids(db)


def test_the_command_prints_the_count_and_runs_once(app, db, outbox, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["missions", "remind", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3 reminder(s) queued."
    result = runner.invoke(args=["missions", "remind", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 reminder(s) queued."
    assert sorted(m.recipient for m in reminders(outbox)) == ["ana@example.org", "bruno@example.org",
                                                             "chadia@example.org"]


def test_the_command_refuses_a_malformed_date(app, db, outbox, world):
    result = app.test_cli_runner().invoke(args=["missions", "remind", "--date", "06/05/2026"])
    assert result.exit_code == 2
    assert "06/05/2026" in result.output
    assert reminders(outbox) == []


def test_runs_at_the_same_moment_remind_each_person_once(app, db, outbox, world):
    """Two workers (or a worker and a manual run) at once: the lock on each mission makes them take turns."""
    racers = 6
    barrier = threading.Barrier(racers)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                counts.append(services.remind_upcoming(TODAY))
                database.session.commit()
                database.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(counts) == [0] * (racers - 1) + [3]
    assert sorted(m.recipient for m in reminders(outbox)) == ["ana@example.org", "bruno@example.org",
                                                             "chadia@example.org"]
    assert len(reminded_ids(db)) == 3
