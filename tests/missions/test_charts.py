"""The missions' charts: seats taken, waiting lists and free seats of the missions listed (secretariat, partners),
one mission's seats on its page; who sees them; query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from markupsafe import escape

from club import formats
from club.extensions import db
from club.missions import charts
from club.missions.models import (
    MissionState,
    Registration,
    RegistrationStatus,
    mission_partners,
)
from club.models import utcnow
from club.permissions import Role
from tests.members.factories import ContactFactory
from tests.missions.factories import MissionFactory

R, A, W, C = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.WAITLISTED,
              RegistrationStatus.CANCELLED)


def people(mission, statuses, organization=None):
    """One registration per status in ``statuses`` (each a new contact of ``organization`` or of a new one)."""
    for n, status in enumerate(statuses):
        contact = ContactFactory(**({"organization": organization} if organization else {}))
        db.session.add(Registration(mission_id=mission.id, contact_id=contact.id,
                                    organization_id=contact.organization_id, status=status,
                                    queued_at=utcnow() + timedelta(seconds=n)))
    db.session.commit()


@pytest.fixture()
def world(factories):
    """Two open missions partnered by FIRO's organisation (one full with a waiting list), a draft and a cancelled
    one, and a mission FIRO has nothing to do with."""
    firo = factories.OrganizationFactory(name="FIRO")
    open_ = MissionFactory(title="Visite Casa-shore", capacity=10)
    full = MissionFactory(title="Salon du recrutement", capacity=4)
    MissionFactory(title="Brouillon", state=MissionState.DRAFT)
    MissionFactory(title="Annulée", state=MissionState.CANCELLED)
    other = MissionFactory(title="Rencontres B2B Rabat", capacity=6)
    people(open_, [R] * 7 + [A, C])
    people(full, [R] * 4 + [W] * 3)
    people(other, [R, R])
    db.session.execute(mission_partners.insert(), [{"mission_id": open_.id, "organization_id": firo.id},
                                                   {"mission_id": full.id, "organization_id": firo.id}])
    db.session.commit()
    return {"firo": firo, "open": open_, "full": full, "other": other}


def row(*cells) -> str:
    head, *rest = cells
    return f'<tr><th scope="row">{escape(head)}</th>' + "".join(f'<td class="text-end">{escape(c)}</td>'
                                                                 for c in rest) + "</tr>"


def test_the_list_shows_seats_and_waiting_lists_to_the_secretariat(world, factories, login_as):
    client = login_as(factories.UserFactory(role=Role.SECRETARIAT, locale="en"))
    html = client.get("/missions/").get_data(as_text=True)
    assert "Seats taken and waiting lists" in html
    assert ("Seats taken against capacity, and the waiting lists, of the 3 missions listed here: 70% of the seats "
            "taken (14 of 20), 3 on the waiting lists.") in html
    assert row("Visite Casa-shore", "8", "0", "2", "80% of 10 seats") in html
    assert row("Salon du recrutement", "4", "3", "0", "100% of 4 seats") in html
    assert row("Rencontres B2B Rabat", "2", "0", "4", "33% of 6 seats") in html
    assert '<th scope="row">Brouillon</th>' not in html and '<th scope="row">Annulée</th>' not in html
    assert 'alt="Seats taken and waiting lists"' in html
    # The htmx fragment (a filter) carries the chart of the rows it shows.
    fragment = client.get("/missions/?kind=study_visit", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Seats taken and waiting lists" in fragment


def test_a_partner_sees_the_chart_of_the_missions_it_sees_and_a_member_sees_none(world, factories, login_as):
    client = login_as(factories.UserFactory(role=Role.PARTNER, organization=world["firo"], locale="en"))
    html = client.get("/missions/").get_data(as_text=True)
    assert row("Visite Casa-shore", "8", "0", "2", "80% of 10 seats") in html
    assert "Rencontres B2B Rabat" not in html
    client = login_as(factories.UserFactory(member=True, locale="en"))
    html = client.get("/missions/").get_data(as_text=True)
    assert "Rencontres B2B Rabat" in html and "club-chart" not in html


@pytest.mark.parametrize("role", ["secretariat", "member", "partner"])
def test_a_mission_page_shows_its_seats(world, factories, login_as, role):
    user = {"secretariat": lambda: factories.UserFactory(role=Role.SECRETARIAT, locale="en"),
            "member": lambda: factories.UserFactory(member=True, locale="en"),
            "partner": lambda: factories.UserFactory(role=Role.PARTNER, organization=world["firo"], locale="en")}[role]()
    html = login_as(user).get(f"/missions/{world['open'].id}").get_data(as_text=True)
    assert "Seats and waiting list" in html
    assert "8 of 10 seats taken (80%); marked present: 1. 0 people on the waiting list." in html
    assert "1 registration cancelled." in html
    for cells in (("Capacity", "10"), ("Seats taken", "8"), ("Marked present", "1"), ("Waiting list", "0")):
        assert row(*cells) in html
    assert 'alt="Seats and waiting list"' in html


def test_the_charts_follow_the_page_language(world, app, factories, login_as):
    big = MissionFactory(title="Forum de l'emploi", capacity=1200)
    people(big, [R] * 3)
    client = login_as(factories.UserFactory(role=Role.SECRETARIAT, locale="fr"))
    html = client.get(f"/missions/{big.id}").get_data(as_text=True)
    with app.test_request_context(), force_locale("fr"):
        from flask_babel import gettext

        capacity, title = formats.number(1200), gettext("Seats and waiting list")
        share = formats.percent(3, 1200)
    assert capacity != "1,200" and share == "0\xa0%"
    assert row(gettext_fr(app, "Capacity"), capacity) in html
    assert f'alt="{escape(title)}"' in html


def gettext_fr(app, message):
    with app.test_request_context(), force_locale("fr"):
        from flask_babel import gettext

        return gettext(message)


def test_drafts_and_cancelled_missions_have_no_seat_chart(world, factories, login_as):
    from club.missions.models import Mission

    client = login_as(factories.UserFactory(role=Role.SECRETARIAT, locale="en"))
    for title in ("Brouillon", "Annulée"):
        mission = db.session.scalar(db.select(Mission).where(Mission.title == title))
        html = client.get(f"/missions/{mission.id}").get_data(as_text=True)
        assert mission.title in html and "club-chart" not in html


def test_the_list_chart_adds_no_query(world, factories, login_as, count_queries):
    client = login_as(factories.UserFactory(role=Role.SECRETARIAT, locale="en"))
    client.get("/missions/")

    def count():
        db.session.expire_all()
        with count_queries() as q:
            html = client.get("/missions/").get_data(as_text=True)
        assert "Seats taken and waiting lists" in html
        return q.count

    few = count()
    for n in range(12):
        people(MissionFactory(title=f"Mission {n}", capacity=5), [R, R, W])
    assert count() == few


def test_a_long_title_is_shortened_in_the_picture_and_whole_in_the_table(db, request_context):
    title = "Première réunion du Club de l'Offshoring de l'Oriental à Oujda"
    mission = MissionFactory(title=title, capacity=40)
    chart = charts.fill_chart([(mission, 5, 0)])
    assert chart.table_rows[0][0] == title
    assert "Première réunion du Club de l…" in chart.svg and title not in chart.svg
