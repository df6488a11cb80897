"""Browser journey of issue 12, in French, JavaScript on and off: the secretariat creates a programme with a target and a
funder; Saccom's member contact enrols two young people, takes one through training to a job and submits a
progress report; the secretariat accepts it and sees reached against target move; the funder (FIRO) sees the
indicators but gets 404 on a beneficiary; an award given to Intelcia appears on Intelcia's page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.core.timezones import local_today
from club.members.models import Organization
from club.programmes.models import (
    Beneficiary,
    BeneficiaryStatus,
    Programme,
    ProgrammeState,
    ProgressReport,
    ReportState,
)
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

TITLE = "Parcours relation client de Berkane"
TODAY = local_today()
START = TODAY - timedelta(days=90)


def _programme(db) -> Programme:
    db.session.expire_all()
    return db.session.scalar(sa.select(Programme).where(Programme.title == TITLE))


def _indicator_row(page, name):
    return page.get_by_role("row", name=re.compile(re.escape(name)))


def test_programme_from_creation_to_an_accepted_report(demo_world, tab):
    page = tab
    db = demo_world

    # The secretariat creates the programme, led by Saccom (typed as one types it), with FIRO as a funder.
    sign_in(page, "secretariat@club.example")
    page.goto("/programmes/new")
    page.fill("[name=title]", TITLE)
    page.select_option("[name=kind]", "youth_employment")
    page.fill("[name=lead]", "saccom")
    page.select_option("[name=province]", "berkane")
    page.fill("[name=starts_on]", START.isoformat())
    page.fill("[name=budget]", "600000")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name=TITLE).wait_for()
    programme = _programme(db)
    assert programme is not None and programme.lead.name == "Saccom" and programme.state == ProgrammeState.DRAFT

    page.goto(f"/programmes/{programme.id}/partners")
    page.fill("#partner-organization", "FIRO")
    page.select_option("#partner-role", "funder")
    page.fill("#partner-funding", "400000")
    page.get_by_role("button", name="Ajouter le partenaire").click()
    page.get_by_text("FIRO").first.wait_for()

    page.goto(f"/programmes/{programme.id}/indicators")
    page.fill("[name=name]", "Jeunes placés")
    page.select_option("[name=source]", "beneficiaries")
    page.select_option("[name=measure]", "placed")
    page.fill("[name=target]", "2")
    page.get_by_role("button", name="Ajouter l'indicateur").click()
    _indicator_row(page, "Jeunes placés").wait_for()

    page.goto(f"/programmes/{programme.id}")
    page.get_by_role("button", name="Lancer le programme").click()
    page.get_by_text("Actif").first.wait_for()
    assert _programme(db).state == ProgrammeState.ACTIVE
    page.get_by_role("button", name="Se déconnecter").click()

    # Saccom's contact enrols two young people, takes one to a job at Intelcia, and reports.
    sign_in(page, "contact@saccom.example")
    for name, year, gender in (("Hajar Bouazza", "2004", "female"), ("Anas Mimouni", "2003", "male")):
        page.goto(f"/programmes/{programme.id}/beneficiaries/new")
        page.fill("[name=name]", name)
        page.fill("[name=birth_year]", year)
        page.select_option("[name=gender]", gender)
        page.fill("[name=commune]", "Berkane")
        page.check("[name=consent]")
        page.fill("[name=consent_on]", (START + timedelta(days=1)).isoformat())
        page.fill("[name=enrolled_on]", (START + timedelta(days=1)).isoformat())
        page.get_by_role("button", name="Inscrire", exact=True).click()
        page.get_by_role("heading", name=name).wait_for()
    hajar = db.session.scalar(sa.select(Beneficiary).where(Beneficiary.name == "Hajar Bouazza"))
    page.goto(f"/programmes/{programme.id}/beneficiaries/{hajar.id}")
    page.get_by_role("button", name="Formation commencée").click()
    page.get_by_role("button", name="Formation terminée").click()
    page.fill("[name=employer]", "Intelcia")
    page.fill("[name=placed_on]", TODAY.isoformat())  # the training ended today
    page.get_by_role("button", name="Enregistrer le placement").click()
    page.get_by_text("Intelcia").first.wait_for()
    db.session.expire_all()
    placed = db.session.get(Beneficiary, hajar.id)
    assert placed.status == BeneficiaryStatus.PLACED and placed.placed_organization.name == "Intelcia"

    page.goto(f"/programmes/{programme.id}/reports/new")
    page.fill("[name=period_start]", START.isoformat())
    page.fill("[name=period_end]", TODAY.isoformat())
    page.fill("[name=summary]", "Deux jeunes inscrits, une placée chez Intelcia.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("button", name="Soumettre au secrétariat").click()
    page.get_by_text("Soumis").first.wait_for()
    report = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.programme_id == programme.id))
    db.session.refresh(report)
    assert report.state == ReportState.SUBMITTED
    page.get_by_role("button", name="Se déconnecter").click()

    # The secretariat accepts it; the programme page shows 1 placed out of a target of 2.
    sign_in(page, "secretariat@club.example")
    page.goto(f"/programmes/{programme.id}/reports/{report.id}")
    page.get_by_role("button", name="Accepter le rapport").click()
    page.get_by_text("Accepté").first.wait_for()
    db.session.refresh(report)
    assert report.state == ReportState.ACCEPTED
    page.goto(f"/programmes/{programme.id}")
    row = _indicator_row(page, "Jeunes placés")
    assert re.search(r"\b1\b.*\b2\b", row.inner_text(), re.S), row.inner_text()
    page.get_by_role("button", name="Se déconnecter").click()

    # The funder sees the indicators and the accepted report, and never a person.
    sign_in(page, "partner@firo.example")
    page.goto(f"/programmes/{programme.id}")
    assert _indicator_row(page, "Jeunes placés").is_visible()
    assert page.get_by_text("Hajar Bouazza").count() == 0
    response = page.goto(f"/programmes/{programme.id}/beneficiaries/{hajar.id}")
    assert response.status == 404
    response = page.goto(f"/programmes/{programme.id}/beneficiaries")
    assert response.status == 404
    page.get_by_role("button", name="Se déconnecter").click()

    # An award given to Intelcia appears on Intelcia's page.
    sign_in(page, "secretariat@club.example")
    page.goto("/programmes/awards/new")
    page.fill("[name=title]", "Trophée de l'emploi des jeunes")
    page.fill("[name=occasion]", "Assemblée du club 2026")
    page.select_option("[name=category]", "employment")
    page.fill("[name=awarded_on]", TODAY.isoformat())
    page.fill("[name=organization]", "Intelcia")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Trophée de l'emploi des jeunes").wait_for()
    intelcia = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Intelcia"))
    page.goto(f"/members/{intelcia}")
    assert page.get_by_text("Trophée de l'emploi des jeunes").first.is_visible()
