"""Missions link to the deals they led to; the deal page shows the missions a deal came from."""

from __future__ import annotations

import sqlalchemy as sa

from club.auth.models import User
from club.core.models import AuditEvent
from club.deals.models import Deal, Stage
from club.missions.demo import FIRST_MEETING
from club.missions.models import Mission, MissionDeal
from tests.conftest import text


def _user(db, email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _ids(db):
    meeting = db.session.scalar(sa.select(Mission.id).where(Mission.title == FIRST_MEETING))
    pact = db.session.scalar(sa.select(Deal.id).where(Deal.stage == Stage.SIGNED, Deal.kind == "shareholders_pact"))
    committee = db.session.scalar(sa.select(Deal.id).where(Deal.stage == Stage.COMMITTEE).order_by(Deal.id))
    return meeting, pact, committee


def test_the_demo_links_the_first_meeting_to_a_deal_shown_on_the_deal_page(client, demo_world, login_as):
    db = demo_world
    meeting, _pact, committee = _ids(db)
    assert db.session.get(MissionDeal, (meeting, committee)) is not None
    login_as(_user(db, "secretariat@club.example"))
    page = text(client.get(f"/deals/{committee}"))
    assert "Missions dont ce dossier est issu" in page and FIRST_MEETING in page
    # FIRO is a partner of that meeting and the deal is shared with FIRO: its partner sees the link too.
    login_as(_user(db, "partner@firo.example"))
    assert FIRST_MEETING in text(client.get(f"/deals/{committee}"))


def test_the_secretariat_links_and_unlinks_a_deal(client, demo_world, login_as):
    db = demo_world
    meeting, pact, _committee = _ids(db)
    login_as(_user(db, "secretariat@club.example"))
    from club.deals.models import Deal

    title = db.session.get(Deal, pact).title  # typed by its title (a picker: never a list of every deal)
    response = client.post(f"/missions/{meeting}/deals", data={"deal-deal_id": title, "deal-note": "Rencontre"})
    assert response.status_code == 303
    assert db.session.get(MissionDeal, (meeting, pact)).note == "Rencontre"
    assert "mission.deal_add" in set(db.session.scalars(sa.select(AuditEvent.action)))
    report = text(client.get(f"/missions/{meeting}/report"))
    assert "Dossiers issus de cette mission" in report
    twice = client.post(f"/missions/{meeting}/deals", data={"deal-deal_id": title})
    assert twice.status_code == 422 and "est déjà lié à cette mission" in text(twice)
    nothing = client.post(f"/missions/{meeting}/deals", data={"deal-deal_id": "", "deal-note": "gardé"})
    assert nothing.status_code == 422 and 'value="gardé"' in text(nothing)
    assert client.post(f"/missions/{meeting}/deals/{pact}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(MissionDeal, (meeting, pact)) is None


def test_only_the_secretariat_links_deals(client, demo_world, login_as):
    db = demo_world
    meeting, pact, committee = _ids(db)
    for email in ("partner@firo.example", "contact@saccom.example", "founder@startup.example"):
        login_as(_user(db, email))
        assert client.post(f"/missions/{meeting}/deals", data={"deal-deal_id": str(pact)}).status_code == 404
        assert client.post(f"/missions/{meeting}/deals/{committee}/delete").status_code == 404
    assert db.session.get(MissionDeal, (meeting, pact)) is None
    assert db.session.get(MissionDeal, (meeting, committee)) is not None


def test_the_deal_picker_suggests_to_the_secretariat_only(client, demo_world, login_as):
    from club.deals.models import Deal

    db = demo_world
    _meeting, pact, _committee = _ids(db)
    title = db.session.get(Deal, pact).title
    url = "/deals/picks?field=deal-deal_id&list=deal-deal_id-options&deal-deal_id=" + title.split()[0]
    login_as(_user(db, "secretariat@club.example"))
    page = text(client.get(url))
    assert page.startswith('<datalist id="deal-deal_id-options">') and f'value="{title} — ' in page
    login_as(_user(db, "partner@firo.example"))
    assert client.get(url).status_code == 404
