"""Missions in a real browser, the paths people take: every missions page fits a 390 px phone for each
role (wide tables scroll inside a focusable region), and every htmx-enhanced or scripted control works
with JavaScript on and with it off, checked in the database. The app is in French.

The pages are generated from the URL map (every GET route of the missions blueprint), so a page added
later is measured the day it is added."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from club.auth.models import User
from club.members.models import Contact
from club.missions import services
from club.missions.demo import CASA_SHORE, FIRST_MEETING
from club.missions.models import Invitation, InvitationAnswer, Mission, Registration, RegistrationStatus
from club.permissions import Role
from tests.e2e.conftest import sign_in
from tests.members.factories import ContactFactory
from tests.missions.factories import MissionFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
ROLES = {
    "secretariat": "secretariat@club.example",
    "member": "contact@saccom.example",
    "partner": "partner@firo.example",
}

MEASURE = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.'));
  const regions = [...document.querySelectorAll('.table-responsive')].filter(
    r => !(r.getAttribute('tabindex') === '0' && r.getAttribute('role') === 'region' && r.getAttribute('aria-label')));
  const loose = [...document.querySelectorAll('table')].filter(t => !t.closest('.table-responsive')).length;
  return {scroll: doc.scrollWidth, inner: window.innerWidth, wide: wide, unlabelled: regions.length, loose: loose};
}"""


def _mission_pages(app, mission_ids: list[int]) -> list[str]:
    """Every GET page of the missions blueprint that takes at most a mission id."""
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if not rule.endpoint.startswith("missions.") or "GET" not in rule.methods:
                continue
            if rule.rule.endswith((".ics", ".csv", ".xlsx", "/picks")):
                continue  # downloads and a picker's suggestions (a <datalist> for htmx), not pages
            if set(rule.arguments) == set():
                urls.append(url_for(rule.endpoint))
            elif set(rule.arguments) == {"mission_id"}:
                urls.extend(url_for(rule.endpoint, mission_id=i) for i in mission_ids)
    return urls


def _answer_url(app, db) -> str:
    invitation = db.session.scalar(sa.select(Invitation).join(Mission).where(Mission.title == CASA_SHORE,
                                                                               Invitation.answer.is_(None)))
    with app.test_request_context():
        return f"/missions/invitation/{services.invitation_token(invitation)}"


def _check_width(page, urls) -> tuple[list[str], int]:
    problems, measured = [], 0
    for url in urls:
        probe = page.request.get(url)  # the browser's cookies, without a navigation (no 404 in its console)
        if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
            continue  # a page this role may not see (404)
        page.goto(url)
        measured += 1
        m = page.evaluate(MEASURE)
        if m["scroll"] > m["inner"]:
            problems.append(f"{url}: {m['scroll']} px wide on a {m['inner']} px screen ({m['wide']})")
        if m["unlabelled"] or m["loose"]:
            problems.append(f"{url}: {m['unlabelled']} table region(s) not focusable/labelled, "
                            f"{m['loose']} table(s) outside a scrolling region")
    return problems, measured


@pytest.mark.parametrize("role", list(ROLES))
def test_every_missions_page_fits_a_phone(demo_world, page, app, role):
    db = demo_world
    ids = [db.session.scalar(sa.select(Mission.id).where(Mission.title == t)) for t in (CASA_SHORE, FIRST_MEETING)]
    if role == "partner":  # a partner sees a mission their organisation is part of
        partner = db.session.scalar(sa.select(User).where(User.email == ROLES["partner"]))
        casa = db.session.get(Mission, ids[0])
        casa.partners = [*casa.partners, partner.organization]
        db.session.commit()
    page.set_viewport_size(PHONE)
    sign_in(page, ROLES[role])
    problems, measured = _check_width(page, _mission_pages(app, ids))
    assert measured >= {"secretariat": 12, "member": 4, "partner": 3}[role]
    assert problems == [], "\n".join(problems)


def test_the_invitation_answer_page_fits_a_phone(demo_world, page, app):
    page.set_viewport_size(PHONE)
    problems, measured = _check_width(page, [_answer_url(app, demo_world)])
    assert measured == 1 and problems == [], "\n".join(problems)


# --- JavaScript on and off ---------------------------------------------------------------------

@pytest.fixture()
def no_js_page(browser, live_server, app, db):
    """A page with JavaScript off: the forms must work on their own."""
    app.config["WTF_CSRF_ENABLED"] = True
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900},
                                  java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture()
def refusing_page(browser, live_server, app, db):
    """A page with JavaScript on where a refused form is expected: htmx logs the 422 it swaps in as a
    console error; any other error still fails the test."""
    app.config["WTF_CSRF_ENABLED"] = True
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "422" not in msg.text else None)
    yield tab
    context.close()
    app.config["WTF_CSRF_ENABLED"] = False
    assert errors == [], f"JavaScript errors in the page: {errors}"


def _status(db, mission_id, contact_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(Registration.status).where(Registration.mission_id == mission_id,
                                                                  Registration.contact_id == contact_id))


def _casa(db):
    return db.session.scalar(sa.select(Mission).where(Mission.title == CASA_SHORE))


def _nadia(db):
    return db.session.scalar(sa.select(Contact).where(Contact.email == "contact@saccom.example"))


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_attendance_toggle(demo_world, page, no_js_page, js):
    db = demo_world
    tab = page if js else no_js_page
    mission, nadia = _casa(db), _nadia(db)
    registration_id = db.session.scalar(sa.select(Registration.id).where(Registration.mission_id == mission.id,
                                                                         Registration.contact_id == nadia.id))
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/missions/{mission.id}/attendance")
    row = tab.locator(f"#registration-{registration_id}")
    row.get_by_role("button", name=re.compile("Marquer présent")).click()
    row.locator("[aria-pressed=true]").wait_for()
    assert _status(db, mission.id, nadia.id) == RegistrationStatus.ATTENDED
    assert tab.url.endswith(f"/missions/{mission.id}/attendance")
    row.get_by_role("button", name=re.compile("Présent")).click()
    row.get_by_role("button", name=re.compile("Marquer présent")).wait_for()
    assert _status(db, mission.id, nadia.id) == RegistrationStatus.REGISTERED


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_attendance_search(demo_world, page, no_js_page, js):
    db = demo_world
    tab = page if js else no_js_page
    mission = _casa(db)
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/missions/{mission.id}/attendance")
    rows = tab.locator("#attendance-rows tbody tr")
    assert rows.count() >= 6
    tab.get_by_label("Rechercher un nom").fill("nadia")
    if js:
        tab.wait_for_url(re.compile(r"q=nadia"))  # filtered as one types, the address kept in step
    else:
        tab.locator("#main").get_by_role("button", name="Rechercher").click()
        tab.wait_for_url(re.compile(r"q=nadia"))
    tab.wait_for_function("document.querySelectorAll('#attendance-rows tbody tr').length === 1")
    assert "Nadia Amrani" in rows.first.inner_text()
    tab.reload()  # the address names the search: a reload shows the same rows
    assert rows.count() == 1 and "Nadia Amrani" in rows.first.inner_text()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_list_filters(demo_world, page, no_js_page, js):
    tab = page if js else no_js_page
    sign_in(tab, "secretariat@club.example")
    tab.goto("/missions/?when=all")
    assert tab.get_by_role("link", name=FIRST_MEETING).count() == 1
    tab.get_by_label("Type", exact=True).select_option("study_visit")
    if not js:
        tab.get_by_role("button", name=re.compile("Filtrer")).click()
    tab.wait_for_url(re.compile(r"kind=study_visit"))
    tab.get_by_role("link", name=FIRST_MEETING).wait_for(state="detached")
    assert tab.get_by_role("link", name=CASA_SHORE).count() == 1


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_member_registers_and_cancels(demo_world, page, no_js_page, app, js):
    db = demo_world
    tab = page if js else no_js_page
    from club.demo import organisation

    mission = MissionFactory(title="Visite Technopole", capacity=1)
    staff = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT))
    with app.test_request_context():
        services.register(mission, ContactFactory(name="Déjà Là"), by=staff)
    saccom = organisation("Saccom")
    karima = ContactFactory(organization=saccom, name="Karima Tahiri", email="karima.tahiri@saccom.example")
    db.session.commit()
    mission_id, karima_id = mission.id, karima.id
    sign_in(tab, "contact@saccom.example")
    tab.goto(f"/missions/{mission_id}")
    tab.get_by_role("row", name=re.compile("Karima Tahiri")).get_by_role("button", name=re.compile("Inscrire")).click()
    tab.get_by_text("Karima Tahiri est en liste d'attente", exact=False).first.wait_for()
    assert _status(db, mission_id, karima_id) == RegistrationStatus.WAITLISTED
    tab.get_by_role("row", name=re.compile("Karima Tahiri")).get_by_role(
        "button", name=re.compile("Annuler l'inscription")).click()
    tab.get_by_text("Inscription de Karima Tahiri annulée", exact=False).wait_for()
    assert _status(db, mission_id, karima_id) == RegistrationStatus.CANCELLED
    assert re.search(rf"/missions/{mission_id}(#people)?$", tab.url)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_secretariat_raises_capacity_and_the_screen_says_who_moved_up(demo_world, page, no_js_page, js):
    db = demo_world
    tab = page if js else no_js_page
    mission = _casa(db)
    waiting = db.session.scalars(sa.select(Registration).where(
        Registration.mission_id == mission.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id)).all()
    first_id, first_name = waiting[0].id, waiting[0].contact.name
    capacity, mission_id = mission.capacity, mission.id
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/missions/{mission_id}/edit")
    tab.get_by_label("Capacité (places)").fill(str(capacity + 1))
    tab.get_by_role("button", name="Enregistrer").click()
    tab.get_by_text(f"1 personne sort de la liste d'attente : {first_name}.").wait_for()
    assert tab.get_by_text("Un email pour la prévenir est dans la file d'envoi.").is_visible()
    db.session.expire_all()
    assert db.session.get(Registration, first_id).status == RegistrationStatus.REGISTERED
    assert db.session.get(Mission, mission_id).capacity == capacity + 1


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_invitee_answers_by_the_link_without_an_account(demo_world, page, no_js_page, app, js):
    db = demo_world
    tab = page if js else no_js_page
    url = _answer_url(app, db)
    invitation_id = db.session.scalar(sa.select(Invitation.id).join(Mission).where(
        Mission.title == CASA_SHORE, Invitation.answer.is_(None)))
    tab.goto(url)
    tab.get_by_role("button", name="Non, je ne participerai pas").click()
    tab.get_by_text("votre réponse est enregistrée", exact=False).wait_for()
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).answer == InvitationAnswer.DECLINED
    tab.goto(url)  # the link again: the answer stands, no button to press twice
    assert tab.get_by_text("Vous avez décliné cette invitation", exact=False).is_visible()
    assert tab.get_by_role("button", name="Oui, inscrivez-moi").count() == 0


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_secretariat_registers_someone_and_a_refusal_keeps_the_page(demo_world, refusing_page, no_js_page, js):
    db = demo_world
    tab = refusing_page if js else no_js_page
    from club.demo import organisation

    mission = MissionFactory(title="Salon de l'emploi")
    saccom = organisation("Saccom")
    karima = ContactFactory(organization=saccom, name="Karima Tahiri", email="karima.tahiri@saccom.example")
    db.session.commit()
    mission_id, karima_id = mission.id, karima.id
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/missions/{mission_id}/register")
    tab.get_by_role("button", name="Inscrire").click()  # nobody chosen: refused at the field
    tab.get_by_text("Choisissez une personne.").wait_for()
    assert _status(db, mission_id, karima_id) is None
    tab.reload()  # the address is the form's page, never a POST-only URL (no 405)
    assert tab.get_by_role("button", name="Inscrire").is_visible()
    tab.locator("[name=organization]").fill("Saccom")  # the organisation picker: typed, then sent
    tab.get_by_role("button", name="Afficher ses contacts").click()
    tab.wait_for_url(re.compile(r"organization=Saccom"))
    tab.locator("[name=contact_id]").fill("Karima")  # one of Saccom's people not registered yet: picked
    tab.get_by_role("button", name="Inscrire").click()
    tab.get_by_text("Karima Tahiri est inscrit", exact=False).first.wait_for()
    assert _status(db, mission_id, karima_id) == RegistrationStatus.REGISTERED


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_member_declines_an_invitation_for_a_colleague(demo_world, page, no_js_page, app, js):
    db = demo_world
    tab = page if js else no_js_page
    from club.demo import organisation

    mission = MissionFactory(title="Forum Oujda-shore")
    saccom = organisation("Saccom")
    karima = ContactFactory(organization=saccom, name="Karima Tahiri", email="karima.tahiri@saccom.example")
    db.session.commit()
    staff = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT))
    with app.test_request_context():
        services.invite(mission, [saccom.id], all_contacts=True, by=staff)
    db.session.commit()
    mission_id, karima_id = mission.id, karima.id
    sign_in(tab, "contact@saccom.example")
    tab.goto(f"/missions/{mission_id}")
    row = tab.get_by_role("row", name=re.compile("Karima Tahiri"))
    row.get_by_role("button", name="Décliner").click()
    tab.get_by_text("Invitation déclinée pour Karima Tahiri", exact=False).wait_for()
    db.session.expire_all()
    answer = db.session.scalar(sa.select(Invitation.answer).where(Invitation.contact_id == karima_id))
    assert answer == InvitationAnswer.DECLINED
    assert "Déclinée" in tab.get_by_role("row", name=re.compile("Karima Tahiri")).inner_text()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_secretariat_prepares_and_follows_up_a_mission(demo_world, page, no_js_page, js):
    """The secretariat's plain (htmx-boosted) forms: open registration, add then remove an agenda item,
    save the report, add a follow-up action and tick it done."""
    from club.core.timezones import local_date
    from club.missions.models import AgendaItem, FollowUpAction, MissionState

    db = demo_world
    tab = page if js else no_js_page
    mission = MissionFactory(title="Visite MedZ", state=MissionState.DRAFT)
    db.session.commit()
    mission_id, day = mission.id, local_date(mission.starts_at)
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/missions/{mission_id}")
    tab.get_by_role("button", name="Ouvrir les inscriptions").click()
    tab.get_by_text("La mission est maintenant : Inscriptions ouvertes.").wait_for()
    db.session.expire_all()
    assert db.session.get(Mission, mission_id).state == MissionState.OPEN

    tab.goto(f"/missions/{mission_id}/agenda")
    tab.get_by_label("Jour").fill(day.isoformat())
    tab.get_by_label("Quoi").fill("Accueil par MedZ")
    tab.get_by_role("button", name="Ajouter", exact=True).click()
    tab.get_by_text("Point ajouté au programme.").wait_for()
    db.session.expire_all()
    assert db.session.scalars(sa.select(AgendaItem.title).where(AgendaItem.mission_id == mission_id)).all() == [
        "Accueil par MedZ"]
    tab.get_by_role("row", name=re.compile("Accueil par MedZ")).get_by_role("button", name="Retirer").click()
    tab.get_by_text("Point retiré du programme.").wait_for()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)
                             .where(AgendaItem.mission_id == mission_id)) == 0

    tab.goto(f"/missions/{mission_id}/report")
    tab.get_by_label("Résultats").fill("Deux opérateurs intéressés.")
    tab.get_by_role("button", name="Enregistrer le compte rendu").click()
    tab.get_by_text("Compte rendu enregistré.").wait_for()
    db.session.expire_all()
    assert db.session.get(Mission, mission_id).report.outcomes == "Deux opérateurs intéressés."

    tab.goto(f"/missions/{mission_id}/report")
    tab.get_by_label("Tâche").fill("Envoyer la plaquette")
    tab.get_by_role("button", name="Ajouter l'action").click()
    tab.get_by_text("Action de suivi ajoutée.").wait_for()
    tab.get_by_role("row", name=re.compile("Envoyer la plaquette")).get_by_role("button", name="Marquer faite").click()
    tab.get_by_role("row", name=re.compile("Envoyer la plaquette")).get_by_role(
        "button", name="Terminée", exact=True).wait_for()
    db.session.expire_all()
    action = db.session.scalar(sa.select(FollowUpAction).where(FollowUpAction.mission_id == mission_id))
    assert action.task == "Envoyer la plaquette" and action.done_at is not None


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_secretariat_sends_invitations_once(demo_world, page, no_js_page, js):
    from club.core.models import OutboxMessage
    from club.demo import organisation

    db = demo_world
    tab = page if js else no_js_page
    mission = MissionFactory(title="Journée recrutement")
    saccom = organisation("Saccom")
    db.session.commit()
    mission_id, saccom_id = mission.id, saccom.id
    sign_in(tab, "secretariat@club.example")
    for _ in range(2):  # the second round finds nobody new
        tab.goto(f"/missions/{mission_id}/invitations")
        tab.get_by_text("Inviter des organisations").click()
        tab.get_by_label("Les organisations choisies ci-dessous").check()
        tab.locator("[name=organization_ids-add]").fill("Saccom")  # typed: sending the form adds it
        tab.get_by_role("button", name="Envoyer les invitations").click()
        tab.wait_for_load_state("networkidle")
    tab.get_by_text("Personne de nouveau à inviter.").wait_for()
    assert tab.get_by_text("n'a pas été invitée à nouveau", exact=False).or_(
        tab.get_by_text("n'ont pas été invitées à nouveau", exact=False)).first.is_visible()
    db.session.expire_all()
    invited = db.session.scalars(sa.select(Invitation).where(Invitation.mission_id == mission_id)).all()
    assert len(invited) == 1 and invited[0].organization_id == saccom_id
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "missions_invitation",
                                                              OutboxMessage.dedup_key.like(f"mission-{mission_id}-%")))
    assert len(mails.all()) == 1
