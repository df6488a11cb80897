"""Browser journeys for missions: a member registers two colleagues and cancels one (the waiting list moves
and the promoted person is emailed), the secretariat ticks attendance on a phone, the .ics opens in a
calendar parser with the right times. The app is in French."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from playwright.sync_api import expect

from club.core.models import OutboxMessage
from club.members.models import Contact
from club.missions.demo import CASA_SHORE
from club.missions.models import Mission, Registration, RegistrationStatus
from club.permissions import Role
from tests.e2e.conftest import sign_in
from tests.members.factories import ContactFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.e2e


def _org(db, name):
    from club.demo import organisation

    return organisation(name)


def _status(db, contact_id, mission_id=None):
    db.session.expire_all()
    stmt = sa.select(Registration.status).where(Registration.contact_id == contact_id)
    if mission_id is not None:
        stmt = stmt.where(Registration.mission_id == mission_id)
    return db.session.scalar(stmt)


def test_member_registers_two_colleagues_and_cancels_one(demo_world, page, app):
    db = demo_world
    from club.auth.models import User
    from club.missions import services

    saccom = _org(db, "Saccom")
    mission = MissionFactory(title="Rencontres B2B à Oujda-shore", capacity=2)
    omar = db.session.scalar(sa.select(Contact).where(Contact.email == "o.elfassi@intelcia.example"))
    staff = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT))
    with app.test_request_context():
        services.register(mission, omar, by=staff)
    db.session.commit()
    karim = ContactFactory(organization=saccom, name="Karima Tahiri", email="karima.tahiri@saccom.example")
    leila = ContactFactory(organization=saccom, name="Leïla Ouazzani", email="leila.ouazzani@saccom.example")
    mission_id, karim_id, leila_id = mission.id, karim.id, leila.id

    sign_in(page, "contact@saccom.example")
    page.goto(f"/missions/{mission_id}")
    page.get_by_role("row", name=re.compile("Karima Tahiri")).get_by_role("button", name=re.compile("Inscrire")).click()
    page.get_by_text("Karima Tahiri est inscrite", exact=False).or_(
        page.get_by_text("Karima Tahiri est inscrit", exact=False)).first.wait_for()
    assert _status(db, karim_id) == RegistrationStatus.REGISTERED

    page.get_by_role("row", name=re.compile("Leïla Ouazzani")).get_by_role("button", name=re.compile("Inscrire")).click()
    # The row says her place on the waiting list once the answer is in (the page's seats chart already speaks of
    # a waiting list before: waiting for those words would not wait for the answer).
    row = page.get_by_role("row", name=re.compile("Leïla Ouazzani"))
    expect(row).to_contain_text("#1")
    assert _status(db, leila_id) == RegistrationStatus.WAITLISTED

    page.get_by_role("row", name=re.compile("Karima Tahiri")).get_by_role(
        "button", name=re.compile("Annuler l'inscription")).click()
    page.get_by_text("1 personne sort de la liste d'attente : Leïla Ouazzani.", exact=False).wait_for()
    assert page.get_by_text("Un email pour la prévenir est dans la file d'envoi.").is_visible()
    assert _status(db, karim_id) == RegistrationStatus.CANCELLED
    assert _status(db, leila_id) == RegistrationStatus.REGISTERED
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "missions_promoted")).all()
    assert [m.recipient for m in mail] == ["leila.ouazzani@saccom.example"]
    assert mail[0].attachments[0]["content_type"] == "text/calendar"


def test_secretariat_ticks_attendance_on_a_phone(demo_world, page):
    db = demo_world
    mission = db.session.scalar(sa.select(Mission).where(Mission.title == CASA_SHORE))
    nadia = db.session.scalar(sa.select(Contact).where(Contact.email == "contact@saccom.example"))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "secretariat@club.example")
    page.goto(f"/missions/{mission.id}/attendance")
    row = page.locator(f"#registration-{_registration_id(db, mission.id, nadia.id)}")
    row.get_by_role("button", name=re.compile("Marquer présent")).click()
    row.get_by_role("button", name=re.compile("Présent")).and_(
        page.locator("[aria-pressed=true]")).wait_for()
    assert _status(db, nadia.id, mission.id) == RegistrationStatus.ATTENDED
    assert page.url.endswith(f"/missions/{mission.id}/attendance")  # swapped in place, no navigation
    row.get_by_role("button", name=re.compile("Présent")).click()  # a second tap undoes it
    row.get_by_role("button", name=re.compile("Marquer présent")).wait_for()
    assert _status(db, nadia.id, mission.id) == RegistrationStatus.REGISTERED


def _registration_id(db, mission_id, contact_id):
    return db.session.scalar(sa.select(Registration.id).where(Registration.mission_id == mission_id,
                                                              Registration.contact_id == contact_id))


def test_calendar_file_opens_with_the_right_times(demo_world, page):
    db = demo_world
    mission = db.session.scalar(sa.select(Mission).where(Mission.title == CASA_SHORE))
    starts, ends = mission.starts_at, mission.ends_at
    sign_in(page, "contact@saccom.example")
    page.goto(f"/missions/{mission.id}")
    href = page.get_by_role("link", name=re.compile(r"\.ics")).get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.body()).walk("VEVENT")
    assert event.decoded("dtstart") == starts and event.decoded("dtend") == ends
    assert event.decoded("dtstart").utcoffset() == timedelta(0)  # stored and sent in UTC
    assert "MedZ" in str(event["description"])
