"""Beneficiaries one by one: who reaches them (404 for everyone but the secretariat and the programme's lead),
enrolment and its refusals at their fields, edits, the steps table, placements, counting a placement in the
employer's jobs (once, even under twenty concurrent clicks), the export and the list's constant query count."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.text import fold
from club.core.timezones import local_today
from club.extensions import db as database
from club.members.models import JobCommitment, JobReport
from club.permissions import Role
from club.programmes.models import (
    BENEFICIARY_TRANSITIONS,
    Beneficiary,
    BeneficiaryStatus,
    Gender,
    PartnerRole,
    Programme,
    ProgrammeKind,
    ProgrammePartner,
    ProgrammeState,
)
from tests.conftest import live_request, session_cookie, text
from tests.members.factories import CommitmentFactory

TODAY = local_today()
START = TODAY - timedelta(days=200)


# --- the world of these tests -----------------------------------------------------------------------------------

def make_programme(factories, *, state=ProgrammeState.ACTIVE, lead=None, starts_on=START) -> Programme:
    lead = lead or factories.OrganizationFactory(name="Saccom Test")
    programme = Programme(title="Activité jeunesse test", kind=ProgrammeKind.YOUTH_EMPLOYMENT,
                          lead_organization_id=lead.id, starts_on=starts_on, state=state)
    database.session.add(programme)
    database.session.commit()
    return programme


def make_person(programme, name="Salma Bouazza", *, status=BeneficiaryStatus.ENROLLED, birth_year=2003,
                gender=Gender.FEMALE, commune="Jerada", enrolled_on=None, **extra) -> Beneficiary:
    enrolled_on = enrolled_on or START + timedelta(days=5)
    person = Beneficiary(programme_id=programme.id, name=name, name_key=fold(name), birth_year=birth_year,
                         gender=gender, commune=commune, consent_on=enrolled_on, enrolled_on=enrolled_on,
                         status=status, **extra)
    if status in (BeneficiaryStatus.TRAINED, BeneficiaryStatus.PLACED):
        person.trained_on = enrolled_on + timedelta(days=30)
    if status == BeneficiaryStatus.PLACED:
        person.placed_on = enrolled_on + timedelta(days=60)
    if status == BeneficiaryStatus.LEFT:
        person.left_on = enrolled_on + timedelta(days=10)
    database.session.add(person)
    database.session.commit()
    return person


@pytest.fixture()
def world(db, factories):
    """A programme led by an organisation, its lead's member, the secretariat, a partner of the programme, another
    member and an applicant."""
    lead = factories.OrganizationFactory(name="Saccom Test")
    programme = make_programme(factories, lead=lead)
    partner = factories.UserFactory(partner=True, locale="en")
    database.session.add(ProgrammePartner(programme_id=programme.id, organization_id=partner.organization_id,
                                          role=PartnerRole.FUNDER))
    database.session.commit()
    return {
        "programme": programme, "lead_org": lead,
        "staff": factories.UserFactory(role=Role.SECRETARIAT, locale="en"),
        "lead": factories.UserFactory(role=Role.MEMBER, organization=lead, locale="en"),
        "partner": partner,
        "member": factories.UserFactory(member=True, locale="en"),
        "applicant": factories.UserFactory(applicant=True, locale="en"),
    }


def url(programme, rest=""):
    return f"/programmes/{programme.id}/beneficiaries{rest}"


def person_url(programme, person, rest=""):
    return f"/programmes/{programme.id}/beneficiaries/{person.id}{rest}"


GOOD = {"name": "Yassine El Amrani", "birth_year": "2001", "age_band": "", "gender": "male", "commune": "Touissit",
        "phone": "06 61 23 45 67", "email": "yassine@exemple.ma", "consent": "y",
        "consent_on": (START + timedelta(days=3)).isoformat(), "enrolled_on": (START + timedelta(days=3)).isoformat()}


def count(model, *where) -> int:
    database.session.expire_all()
    return database.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# --- who reaches what -------------------------------------------------------------------------------------------

def _every_url(programme, person):
    gets = [url(programme), url(programme, ".csv"), url(programme, "/new"), url(programme, "/import"),
            url(programme, "/import/template.csv"), url(programme, "/employers?employer=sac"),
            person_url(programme, person), person_url(programme, person, "/edit")]
    posts = [url(programme, "/new"), url(programme, "/import"), url(programme, "/import/commit"),
             person_url(programme, person, "/edit"), person_url(programme, person, "/step"),
             person_url(programme, person, "/placement"), person_url(programme, person, "/count")]
    return gets, posts


@pytest.mark.parametrize("who", ["partner", "member", "applicant"])
def test_everyone_but_the_secretariat_and_the_lead_gets_404(world, as_user, who):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.TRAINED)
    client = as_user(world[who])
    gets, posts = _every_url(programme, person)
    for address in gets:
        assert client.get(address).status_code == 404, address
    for address in posts:
        assert client.post(address, data={**GOOD, "to": "left", "employer": "X",
                                          "placed_on": TODAY.isoformat()}).status_code == 404, address
    assert count(Beneficiary) == 1
    database.session.expire_all()
    assert database.session.get(Beneficiary, person.id).status == BeneficiaryStatus.TRAINED


def test_a_partner_account_of_the_lead_organisation_sees_counts_never_a_person(world, factories, as_user):
    """The people are the lead's *member* contacts' (and the secretariat's): a partner-role account of the lead
    organisation gets what a partner gets, the aggregates on the programme's page and 404 on every person."""
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.TRAINED)
    client = as_user(factories.UserFactory(role=Role.PARTNER, organization=world["lead_org"], locale="en"))
    gets, posts = _every_url(programme, person)
    for address in gets:
        assert client.get(address).status_code == 404, address
    for address in posts:
        assert client.post(address, data={**GOOD, "to": "left"}).status_code == 404, address
    page = client.get(f"/programmes/{programme.id}")
    assert page.status_code == 200
    assert "1 person taking part." in text(page) and person.name not in text(page)
    assert count(Beneficiary) == 1


def test_a_step_cannot_be_dated_before_the_previous_one(world, as_user):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.PLACED)
    response = as_user(world["lead"]).post(person_url(programme, person, "/step"), data={
        "to": "left", "on": (person.placed_on - timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    assert "previous step" in text(response)
    database.session.expire_all()
    assert database.session.get(Beneficiary, person.id).status == BeneficiaryStatus.PLACED


@pytest.mark.parametrize("who", ["staff", "lead"])
def test_the_secretariat_and_the_lead_reach_every_page(world, as_user, who):
    programme = world["programme"]
    person = make_person(programme)
    client = as_user(world[who])
    gets, _ = _every_url(programme, person)
    for address in gets:
        assert client.get(address).status_code == 200, address
    assert "Salma Bouazza" in text(client.get(url(programme)))


def test_nested_urls_must_agree(world, factories, as_user):
    other = make_programme(factories, lead=world["lead_org"])
    stranger = make_person(other, "Autre Personne")
    client = as_user(world["staff"])
    assert client.get(person_url(world["programme"], stranger)).status_code == 404
    assert client.post(person_url(world["programme"], stranger, "/step"), data={"to": "in_training"}).status_code == 404


def test_the_demo_partner_and_another_member_get_404_on_every_beneficiary_url(app, demo_world, factories):
    """partner@firo.example (a funder of Jerada) and a member of another organisation, on every route here."""
    from tests.walk import build_url, routes, sign_in

    other = factories.UserFactory(member=True, locale="en")
    rules = [rule for rule, _ in routes() if rule.endpoint.startswith("programmes.beneficiar")]
    assert len(rules) >= 12
    partner = sign_in(app, demo_world, "partner")
    member = app.test_client()
    with member.session_transaction() as session:
        session["_user_id"], session["_fresh"] = other.get_id(), True
    for client in (partner, member):
        for rule in rules:
            address = build_url(app, rule)
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(address, method=method, data={"to": "left"})
                assert response.status_code == 404, f"{method} {address}"


# --- enrolment ----------------------------------------------------------------------------------------------------

def test_the_lead_enrols_a_person(world, as_user):
    programme = world["programme"]
    client = as_user(world["lead"])
    response = client.post(url(programme, "/new"), data=GOOD)
    assert response.status_code == 303
    person = database.session.scalar(sa.select(Beneficiary))
    assert (person.name, person.name_key, person.phone, person.gender, person.status, person.reached) == (
        "Yassine El Amrani", "yassine el amrani", "+212661234567", Gender.MALE, BeneficiaryStatus.ENROLLED, 0)
    assert person.consent_on == START + timedelta(days=3)
    page = text(client.get(response.headers["Location"]))
    assert "Yassine El Amrani" in page and "Person enrolled" in page
    assert count(AuditEvent, AuditEvent.action == "beneficiary.enrol") == 1


def _refused_at(response, field, message):
    page = text(response)
    assert response.status_code == 422, page[:500]
    start = page.index(f'id="{field}-error"')
    assert message in page[start:start + 1000], page[start:start + 1000]


REFUSALS = [
    ({"consent": None}, "consent", "without consent"),
    ({"consent_on": ""}, "consent_on", "date the consent was given"),
    ({"consent_on": (TODAY + timedelta(days=2)).isoformat()}, "consent_on", "in the future"),
    ({"consent_on": (START + timedelta(days=4)).isoformat()}, "consent_on", "before the enrolment"),
    ({"birth_year": str(TODAY.year - 10)}, "birth_year", "under 15"),
    ({"birth_year": str(TODAY.year - 120)}, "birth_year", "over 100"),
    ({"birth_year": "", "age_band": ""}, "birth_year", "birth year or an age band"),
    ({"age_band": "18_24"}, "birth_year", "not both"),
    ({"enrolled_on": (START - timedelta(days=1)).isoformat()}, "enrolled_on", "before the programme's start"),
    ({"enrolled_on": (TODAY + timedelta(days=1)).isoformat()}, "enrolled_on", "in the future"),
    ({"phone": "12"}, "phone", "valid phone number"),
    ({"email": "pas une adresse"}, "email", "not an email address"),
    ({"gender": ""}, "gender", "Choose an answer"),
    ({"name": ""}, "name", "Enter the person's name"),
]


@pytest.mark.parametrize(("change", "field", "message"), REFUSALS, ids=[r[1] + "-" + r[2][:12] for r in REFUSALS])
def test_each_refusal_is_at_its_field_with_the_input_kept_and_nothing_saved(world, as_user, change, field, message):
    client = as_user(world["lead"])
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    response = client.post(url(world["programme"], "/new"), data=data)
    _refused_at(response, field, message)
    page = text(response)
    assert 'value="Touissit"' in page and 'value="yassine@exemple.ma"' in page or field == "email"
    assert count(Beneficiary) == 0
    assert count(AuditEvent) == 0


def test_every_problem_is_shown_at_once(world, as_user):
    data = {**GOOD, "birth_year": str(TODAY.year - 5), "phone": "12", "consent": ""}
    data.pop("consent")
    response = as_user(world["lead"]).post(url(world["programme"], "/new"), data=data)
    _refused_at(response, "consent", "without consent")
    _refused_at(response, "phone", "valid phone number")
    _refused_at(response, "birth_year", "under 15")


@pytest.mark.parametrize("state", [ProgrammeState.CLOSED, ProgrammeState.CANCELLED])
def test_a_closed_or_cancelled_programme_takes_no_one(world, factories, as_user, state):
    programme = make_programme(factories, lead=world["lead_org"], state=state)
    client = as_user(world["lead"])
    response = client.post(url(programme, "/new"), data=GOOD)
    assert response.status_code == 422
    assert "can no longer be changed" in text(response)
    assert count(Beneficiary) == 0
    assert "Enrol a person" not in text(client.get(url(programme)))


def test_the_same_person_twice_is_refused(world, as_user):
    client = as_user(world["lead"])
    assert client.post(url(world["programme"], "/new"), data=GOOD).status_code == 303
    again = client.post(url(world["programme"], "/new"), data={**GOOD, "name": "YASSINE  el amrani"})
    _refused_at(again, "name", "already enrolled")
    assert count(Beneficiary) == 1


# --- edits --------------------------------------------------------------------------------------------------------

def test_an_edit_is_saved_and_audited_and_a_stale_one_answers_409(world, as_user):
    programme = world["programme"]
    person = make_person(programme)
    client = as_user(world["lead"])
    edit = person_url(programme, person, "/edit")
    page = text(client.get(edit))
    assert 'value="Salma Bouazza"' in page and 'name="version" type="hidden" value="1"' in page
    data = {"name": "Salma Bouazza", "birth_year": "2003", "gender": "female", "commune": "Guenfouda",
            "consent": "y", "consent_on": person.consent_on.isoformat(), "enrolled_on": person.enrolled_on.isoformat(),
            "version": "1"}
    assert client.post(edit, data=data).status_code == 303
    database.session.expire_all()
    assert database.session.get(Beneficiary, person.id).commune == "Guenfouda"
    event = database.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "beneficiary.update"))
    assert event.changes == {"commune": ["Jerada", "Guenfouda"]}
    stale = client.post(edit, data={**data, "commune": "Touissit"})  # still version 1
    assert stale.status_code == 409
    assert "Someone else saved this record" in text(stale) and 'value="Touissit"' in text(stale)
    database.session.expire_all()
    assert database.session.get(Beneficiary, person.id).commune == "Guenfouda"


def test_an_edit_cannot_move_the_enrolment_after_a_later_step(world, as_user):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.TRAINED)
    data = {"name": person.name, "birth_year": "2003", "gender": "female", "consent": "y",
            "consent_on": person.consent_on.isoformat(), "enrolled_on": TODAY.isoformat(), "version": "1"}
    response = as_user(world["lead"]).post(person_url(programme, person, "/edit"), data=data)
    _refused_at(response, "enrolled_on", "after a later step")


# --- steps --------------------------------------------------------------------------------------------------------

STATUSES = list(BeneficiaryStatus)


@pytest.mark.parametrize("origin", STATUSES)
@pytest.mark.parametrize("to", STATUSES)
def test_the_steps_table(world, as_user, origin, to):
    programme = world["programme"]
    person = make_person(programme, status=origin)
    before = (person.status, person.reached, person.trained_on, person.left_on)
    response = as_user(world["lead"]).post(person_url(programme, person, "/step"),
                                           data={"to": to.value, "on": TODAY.isoformat()})
    database.session.expire_all()
    person = database.session.get(Beneficiary, person.id)
    allowed = to in BENEFICIARY_TRANSITIONS[origin] and to != BeneficiaryStatus.PLACED
    if allowed:
        assert response.status_code == 303
        assert person.status == to
        assert person.reached == max(before[1], 1 if to == BeneficiaryStatus.TRAINED else 0)  # never goes down
        if to == BeneficiaryStatus.TRAINED:
            assert person.trained_on == TODAY
        if to == BeneficiaryStatus.LEFT:
            assert person.left_on == TODAY
        assert count(AuditEvent, AuditEvent.action == "beneficiary.step") == 1
    else:
        assert response.status_code == 422
        assert (person.status, person.reached, person.trained_on, person.left_on) == before
        assert count(AuditEvent) == 0


def test_a_placed_person_who_leaves_keeps_reached(world, as_user):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.PLACED)
    as_user(world["lead"]).post(person_url(programme, person, "/step"), data={"to": "left", "on": TODAY.isoformat()})
    database.session.expire_all()
    person = database.session.get(Beneficiary, person.id)
    assert (person.status, person.reached) == (BeneficiaryStatus.LEFT, 2)


def test_a_step_before_the_enrolment_is_refused_at_its_date(world, as_user):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.IN_TRAINING)
    response = as_user(world["lead"]).post(person_url(programme, person, "/step"),
                                           data={"to": "trained", "on": START.isoformat()})
    _refused_at(response, "on", "before the enrolment")


# --- placements ---------------------------------------------------------------------------------------------------

def test_a_placement_at_an_organisation_of_the_register_found_by_name(world, factories, as_user):
    programme = world["programme"]
    employer = factories.OrganizationFactory(name="Intelcia Oujda")
    person = make_person(programme, status=BeneficiaryStatus.TRAINED)
    client = as_user(world["lead"])
    response = client.post(person_url(programme, person, "/placement"),
                           data={"employer": "INTELCIA  oujda sarl", "placed_on": TODAY.isoformat()})
    assert response.status_code == 303
    database.session.expire_all()
    person = database.session.get(Beneficiary, person.id)
    assert (person.status, person.reached, person.placed_organization_id, person.placed_employer, person.placed_on) \
        == (BeneficiaryStatus.PLACED, 2, employer.id, None, TODAY)
    page = text(client.get(person_url(programme, person)))
    assert "Intelcia Oujda" in page and "in the register" in page


def test_a_placement_outside_the_register(world, as_user):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.TRAINED)
    as_user(world["lead"]).post(person_url(programme, person, "/placement"),
                                data={"employer": "Commune de Jerada", "placed_on": TODAY.isoformat()})
    database.session.expire_all()
    person = database.session.get(Beneficiary, person.id)
    assert (person.placed_organization_id, person.placed_employer) == (None, "Commune de Jerada")


def test_a_placement_before_the_enrolment_is_refused_at_its_date(world, as_user):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.TRAINED)
    response = as_user(world["lead"]).post(person_url(programme, person, "/placement"), data={
        "employer": "Commune de Jerada", "placed_on": (person.enrolled_on - timedelta(days=1)).isoformat()})
    _refused_at(response, "placed_on", "placement cannot come before the enrolment")
    assert 'value="Commune de Jerada"' in text(response)
    database.session.expire_all()
    assert database.session.get(Beneficiary, person.id).status == BeneficiaryStatus.TRAINED


def test_a_second_placement_is_refused(world, as_user):
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.PLACED, placed_employer="Commune de Jerada")
    response = as_user(world["lead"]).post(person_url(programme, person, "/placement"),
                                           data={"employer": "Autre employeur", "placed_on": TODAY.isoformat()})
    _refused_at(response, "employer", "second placement is refused")
    database.session.expire_all()
    assert database.session.get(Beneficiary, person.id).placed_employer == "Commune de Jerada"


def test_an_ambiguous_employer_name_is_refused(world, factories, as_user):
    factories.OrganizationFactory(name="Atlas Services")
    factories.OrganizationFactory(name="ATLAS SERVICES SARL")
    programme = world["programme"]
    person = make_person(programme, status=BeneficiaryStatus.TRAINED)
    response = as_user(world["lead"]).post(person_url(programme, person, "/placement"),
                                           data={"employer": "Atlas services", "placed_on": TODAY.isoformat()})
    _refused_at(response, "employer", "Several organisations")


def test_employer_suggestions_come_from_the_register(world, factories, as_user):
    factories.OrganizationFactory(name="Intelcia Oujda")
    response = as_user(world["lead"]).get(url(world["programme"], "/employers?employer=intel"),
                                          headers={"HX-Request": "true"})
    assert '<option value="Intelcia Oujda">' in response.get_data(as_text=True)


# --- counting a placement in the employer's jobs ------------------------------------------------------------------

def _placed_at(world, factories, *, commitment=True):
    employer = factories.OrganizationFactory(name="Intelcia Oujda")
    if commitment:
        CommitmentFactory(organization=employer, jobs_announced=300, jobs_created=40,
                          announced_on=date(2020, 7, 10))
    person = make_person(world["programme"], status=BeneficiaryStatus.PLACED, placed_organization_id=employer.id)
    return employer, person


def test_the_secretariat_counts_a_placement_once(world, factories, as_user):
    employer, person = _placed_at(world, factories)
    programme = world["programme"]
    client = as_user(world["staff"])
    page = text(client.get(person_url(programme, person)))
    assert "Count in Intelcia Oujda's jobs" in page
    response = client.post(person_url(programme, person, "/count"))
    assert response.status_code == 303
    database.session.expire_all()
    report = database.session.scalar(sa.select(JobReport))
    assert (report.jobs_created, report.reported_on) == (41, TODAY)
    assert "Activité jeunesse test" in report.note
    assert database.session.scalar(sa.select(JobCommitment.jobs_created)) == 41
    assert database.session.get(Beneficiary, person.id).counted_report_id == report.id
    assert count(AuditEvent, AuditEvent.action == "beneficiary.counted") == 1
    page = text(client.get(person_url(programme, person)))
    assert "Counted in Intelcia Oujda's job reports" in page and "Count in Intelcia" not in page
    again = client.post(person_url(programme, person, "/count"))
    assert again.status_code == 422 and "never counted twice" in text(again)
    assert count(JobReport) == 1


def test_counting_without_a_commitment_is_refused_clearly(world, factories, as_user):
    _, person = _placed_at(world, factories, commitment=False)
    response = as_user(world["staff"]).post(person_url(world["programme"], person, "/count"))
    assert response.status_code == 422
    assert "Intelcia Oujda has no job commitment" in text(response)
    assert count(JobReport) == 0


def test_an_employer_outside_the_register_has_no_jobs_to_count_in(world, as_user):
    person = make_person(world["programme"], status=BeneficiaryStatus.PLACED, placed_employer="Commune de Jerada")
    response = as_user(world["staff"]).post(person_url(world["programme"], person, "/count"))
    assert response.status_code == 422 and "not in the register" in text(response)


def test_only_the_secretariat_counts(world, factories, as_user):
    _, person = _placed_at(world, factories)
    client = as_user(world["lead"])
    assert "Count in" not in text(client.get(person_url(world["programme"], person)))
    assert client.post(person_url(world["programme"], person, "/count")).status_code == 404
    assert count(JobReport) == 0


def test_twenty_concurrent_clicks_count_once(app, world, factories, live_server):
    _, person = _placed_at(world, factories)
    cookie = session_cookie(app, world["staff"])
    target = live_server + person_url(world["programme"], person, "/count")
    barrier = threading.Barrier(20)
    statuses, lock = [], threading.Lock()

    def click():
        barrier.wait(timeout=30)
        response = live_request(target, cookie=cookie, data=b"", timeout=60)
        with lock:
            statuses.append(response.status)

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(statuses) == [303] + [422] * 19
    assert count(JobReport) == 1
    assert database.session.scalar(sa.select(JobCommitment.jobs_created)) == 41
    assert count(AuditEvent, AuditEvent.action == "beneficiary.counted") == 1


# --- the list, its filters, its export, its query count -----------------------------------------------------------

def test_filters_and_counts(world, as_user):
    programme = world["programme"]
    make_person(programme, "Fatima El Amrani", commune="Touissit")
    make_person(programme, "Élodie Benyahia", status=BeneficiaryStatus.TRAINED)
    make_person(programme, "Mohamed Ouali", gender=Gender.MALE, status=BeneficiaryStatus.PLACED,
                placed_employer="Commune")
    client = as_user(world["lead"])
    page = text(client.get(url(programme, "?q=amrani")))
    assert "Fatima El Amrani" in page and "Benyahia" not in page
    assert "Élodie Benyahia" in text(client.get(url(programme, "?q=elodie")))
    page = text(client.get(url(programme, "?gender=male")))
    assert "Mohamed Ouali" in page and "Fatima" not in page
    page = text(client.get(url(programme, "?commune=Touissit")))
    assert "Fatima El Amrani" in page and "Ouali" not in page
    page = text(client.get(url(programme, "?status=trained")))
    assert "Élodie Benyahia" in page and "Fatima" not in page
    assert "3 people" in page and "Trained: 1" in page and "Placed in a job: 1" in page
    fragment = client.get(url(programme, "?q=ouali"), headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "Mohamed Ouali" in text(fragment)
    for forged in ("?status=nope", "?gender[]=x", "?page=abc", "?q=%25_%5C", "?commune=" + "x" * 500):
        assert client.get(url(programme, forged)).status_code == 200, forged


def test_the_export_through_a_real_server(app, world, live_server):
    programme = world["programme"]
    make_person(programme, "=HYPERLINK(\"http://evil\")", phone="+212661234567", email="x@exemple.ma")
    make_person(programme, "Mohamed Ouali", gender=Gender.MALE, birth_year=2000)
    response = live_request(live_server + url(programme, ".csv?gender=female"),
                            cookie=session_cookie(app, world["lead"]))
    assert response.status == 200 and response.content_type == "text/csv"
    assert "no-store" in response.headers["cache-control"]
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Name", "Birth year", "Age band"]
    assert len(rows) == 2  # the filter holds: the man is not there
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\")" and rows[1][5] == "06 61 23 45 67"
    partner = live_request(live_server + url(programme, ".csv"), cookie=session_cookie(app, world["partner"]))
    assert partner.status == 404


def _bulk(programme, n, prefix):
    database.session.execute(sa.insert(Beneficiary), [
        {"programme_id": programme.id, "name": f"{prefix} {i}", "name_key": fold(f"{prefix} {i}"),
         "birth_year": 2000, "gender": Gender.FEMALE if i % 2 else Gender.MALE, "commune": f"C{i % 4}",
         "consent_on": START, "enrolled_on": START, "status": list(BeneficiaryStatus)[i % 5],
         "version": 1} for i in range(n)])
    database.session.commit()


@pytest.mark.parametrize("query", ["", "?status=enrolled", "?q=p&gender=female&commune=C1"])
def test_the_list_runs_a_constant_number_of_queries(world, factories, as_user, count_queries, query):
    small = world["programme"]
    big = make_programme(factories, lead=world["lead_org"])
    _bulk(small, 5, "Petit")
    _bulk(big, 60, "Personne")
    client = as_user(world["lead"])
    client.get("/")
    counts = []
    for address in (url(small, query), url(big, query)):
        with count_queries() as q:
            assert client.get(address).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_the_person_page_shows_their_history(world, as_user):
    client = as_user(world["lead"])
    client.post(url(world["programme"], "/new"), data=GOOD)
    person = database.session.scalar(sa.select(Beneficiary))
    client.post(person_url(world["programme"], person, "/step"), data={"to": "in_training", "on": TODAY.isoformat()})
    page = text(client.get(person_url(world["programme"], person)))
    assert "Person enrolled" in page and "Step of the path" in page and "In training" in page
