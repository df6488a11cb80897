"""The programme pages as each role sees them, and the paths people take through the forms."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.timezones import local_today
from club.extensions import db as database
from club.permissions import Role
from club.programmes.models import (
    Gender,
    Indicator,
    IndicatorSource,
    Measure,
    PartnerRole,
    Programme,
    ProgrammeDocument,
    ProgrammePartner,
    ProgrammeState,
    ProgressReport,
    ReportState,
)
from tests.conftest import text
from tests.factories import OrganizationFactory, UserFactory
from tests.programmes.test_programmes_services import add_people, make_programme

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture()
def world(db):
    """An active programme with a funder partner, two indicators, people, and a report in each state."""
    lead = OrganizationFactory(name="Saccom Test")
    programme = make_programme(lead, title="Jeunes de Jerada (test)")
    funder = OrganizationFactory(name="Fonds Test")
    database.session.add(ProgrammePartner(programme_id=programme.id, organization_id=funder.id,
                                          role=PartnerRole.FUNDER, funding=Decimal("400000")))
    database.session.add_all([
        Indicator(programme_id=programme.id, name="Jeunes placés", source=IndicatorSource.BENEFICIARIES,
                  measure=Measure.PLACED, target=100, position=0),
        Indicator(programme_id=programme.id, name="Ateliers tenus", source=IndicatorSource.FIGURES, target=24,
                  position=1)])
    for state in ReportState:
        database.session.add(ProgressReport(programme_id=programme.id, period_start=programme.starts_on,
                                            period_end=programme.starts_on, summary=f"Report {state.value}",
                                            state=state))
    database.session.commit()
    add_people(programme, 3, reached=2, gender=Gender.FEMALE)
    users = {
        "staff": UserFactory(role=Role.SECRETARIAT, locale="en"),
        "lead": UserFactory(role=Role.MEMBER, organization=lead, locale="en"),
        "partner": UserFactory(role=Role.PARTNER, organization=funder, locale="en"),
        "member": UserFactory(member=True, locale="en"),
        "applicant": UserFactory(applicant=True, locale="en"),
    }
    return programme, users


def test_each_role_sees_what_it_should(world, client, login_as):
    programme, users = world
    url = f"/programmes/{programme.id}"
    seen = {}
    for role, user in users.items():
        login_as(user)
        response = client.get(url)
        seen[role] = (response.status_code, text(response))
    assert seen["applicant"][0] == 404
    for role in ("staff", "lead", "partner", "member"):
        assert seen[role][0] == 200, role
        assert "Public words" in seen[role][1] and "Saccom Test" in seen[role][1]
    member = seen["member"][1]
    assert "Secret objectives" not in member and "Jeunes placés" not in member and "Report accepted" not in member
    partner = seen["partner"][1]
    assert "Secret objectives" in partner and "Jeunes placés" in partner and "3 of 100" in partner
    assert "Fonds Test" in partner and "Funder" in partner
    assert partner.count("From ") >= 1 and "Accepted" in partner
    assert "Submitted" not in partner and "Changes requested" not in partner  # accepted reports only
    assert "/beneficiaries" not in partner and "Documents" not in partner
    assert "Woman" in partner  # the aggregates, by gender
    for role in ("staff", "lead"):
        assert "Submitted" in seen[role][1] and "Documents" in seen[role][1]
        assert f"/programmes/{programme.id}/beneficiaries" in seen[role][1]
    assert "Edit" in seen["staff"][1] and f"/programmes/{programme.id}/edit" not in seen["lead"][1]


def test_a_partner_reads_accepted_reports_only(world, client, login_as):
    programme, users = world
    login_as(users["partner"])
    for report in database.session.scalars(sa.select(ProgressReport)):
        response = client.get(f"/programmes/{programme.id}/reports/{report.id}")
        assert response.status_code == (200 if report.state == ReportState.ACCEPTED else 404), report.state


def test_another_member_gets_404_on_a_draft_and_the_applicant_on_everything(db, client, login_as):
    draft = make_programme(state=ProgrammeState.DRAFT, title="Not yet")
    login_as(UserFactory(member=True))
    assert client.get(f"/programmes/{draft.id}").status_code == 404
    assert "Not yet" not in text(client.get("/programmes/"))
    login_as(UserFactory(applicant=True))
    assert client.get("/programmes/").status_code == 404


def test_the_secretariat_creates_a_programme_by_the_lead_name(db, client, login_as):
    staff = UserFactory(role=Role.SECRETARIAT, locale="en")
    lead = OrganizationFactory(name="Société Générale d'Oujda")
    login_as(staff)
    form = {"title": "Nouveau programme", "kind": "training", "lead": "societe generale d'oujda",
            "province": "jerada", "starts_on": "2026-03-01", "ends_on": "2026-02-01", "budget": "1 000,50"}
    refused = client.post("/programmes/new", data=form)
    assert refused.status_code == 422
    assert "The end must not be before the start." in text(refused) and 'value="Nouveau programme"' in text(refused)
    refused = client.post("/programmes/new", data={**form, "ends_on": "", "lead": "Societe Inconnue"})
    assert refused.status_code == 422 and "No organisation of the register is named" in text(refused)
    refused = client.post("/programmes/new", data={**form, "ends_on": "", "budget": "-5"})
    assert refused.status_code == 422 and "An amount cannot be negative." in text(refused)
    done = client.post("/programmes/new", data={**form, "ends_on": ""})
    assert done.status_code == 303
    programme = database.session.scalar(sa.select(Programme))
    assert (programme.lead_organization_id, programme.budget, programme.state) == (lead.id, Decimal("1000.50"),
                                                                                    ProgrammeState.DRAFT)


def test_an_edit_on_an_old_version_answers_409(world, client, login_as):
    programme, users = world
    login_as(users["staff"])
    page = client.get(f"/programmes/{programme.id}/edit")
    assert page.status_code == 200
    version = programme.version
    form = {"title": "Renamed", "kind": "training", "lead": "Saccom Test", "province": "", "starts_on":
            programme.starts_on.isoformat(), "budget": "1000000", "version": str(version)}
    assert client.post(f"/programmes/{programme.id}/edit", data=form).status_code == 303
    stale = client.post(f"/programmes/{programme.id}/edit", data={**form, "title": "Other"})
    assert stale.status_code == 409 and "Renamed" in text(stale)


def test_partners_page_refuses_shares_over_the_budget_at_the_field(world, client, login_as):
    programme, users = world
    OrganizationFactory(name="Province Test")
    login_as(users["staff"])
    response = client.post(f"/programmes/{programme.id}/partners/new",
                           data={"organization": "Province Test", "role": "funder", "funding": "600001"})
    assert response.status_code == 422 and "exceed the budget" in text(response)
    assert 'value="Province Test"' in text(response)
    ok = client.post(f"/programmes/{programme.id}/partners/new",
                     data={"organization": "Province Test", "role": "local_authority", "funding": "600000"})
    assert ok.status_code == 303
    assert database.session.scalar(sa.select(sa.func.sum(ProgrammePartner.funding))) == Decimal("1000000")


def test_the_lead_enters_a_figure_and_the_target_cannot_go_below_zero(world, client, login_as):
    programme, users = world
    figures = database.session.scalar(sa.select(Indicator).where(Indicator.source == IndicatorSource.FIGURES))
    login_as(users["lead"])
    prefix = f"figure-{figures.id}-"
    refused = client.post(f"/programmes/{programme.id}/indicators/{figures.id}/figures",
                          data={prefix + "measured_on": (local_today() + timedelta(days=1)).isoformat(),
                                prefix + "value": "5"})
    assert refused.status_code == 422 and "The date cannot be in the future." in text(refused)
    done = client.post(f"/programmes/{programme.id}/indicators/{figures.id}/figures",
                       data={prefix + "measured_on": local_today().isoformat(), prefix + "value": "5"})
    assert done.status_code == 303
    assert "5 of 24" in text(client.get(f"/programmes/{programme.id}"))
    assert client.get(f"/programmes/{programme.id}/indicators").status_code == 404  # the secretariat's page
    login_as(users["staff"])
    refused = client.post(f"/programmes/{programme.id}/indicators/new",
                          data={"name": "Négatif", "source": "figures", "target": "-3"})
    assert refused.status_code == 422 and "The target cannot be below zero." in text(refused)
    counted = database.session.scalar(sa.select(Indicator).where(Indicator.source == IndicatorSource.BENEFICIARIES))
    refused = client.post(f"/programmes/{programme.id}/indicators/{counted.id}/figures",
                          data={f"figure-{counted.id}-measured_on": local_today().isoformat(),
                                f"figure-{counted.id}-value": "5"})
    assert refused.status_code == 422 and "it takes no figures" in text(refused)


def test_report_journey_through_the_pages(world, client, login_as, outbox):
    programme, users = world
    login_as(users["lead"])
    created = client.post(f"/programmes/{programme.id}/reports/new", data={
        "period_start": "2026-01-01", "period_end": "2026-03-31", "summary": "Deux promotions"})
    assert created.status_code == 303
    report = database.session.scalar(sa.select(ProgressReport).where(ProgressReport.summary == "Deux promotions"))
    assert client.post(f"/programmes/{programme.id}/reports/{report.id}/submit").status_code == 303
    assert outbox()[-1].recipient == users["staff"].email
    login_as(users["staff"])
    refused = client.post(f"/programmes/{programme.id}/reports/{report.id}/changes", data={"note": ""})
    assert refused.status_code == 422 and "Say what should change." in text(refused)
    assert client.post(f"/programmes/{programme.id}/reports/{report.id}/accept").status_code == 303
    database.session.expire_all()
    assert database.session.get(ProgressReport, report.id).state == ReportState.ACCEPTED
    assert outbox()[-1].recipient == users["lead"].email
    login_as(users["partner"])
    assert "Deux promotions" in text(client.get(f"/programmes/{programme.id}/reports/{report.id}"))


def test_a_report_for_a_closed_programme_is_refused_at_the_field(db, client, login_as):
    programme = make_programme(state=ProgrammeState.CLOSED)
    login_as(UserFactory(role=Role.MEMBER, organization=programme.lead, locale="en"))
    response = client.post(f"/programmes/{programme.id}/reports/new", data={
        "period_start": "2026-01-01", "period_end": "2026-03-31", "summary": "Trop tard"})
    assert response.status_code == 422 and "it takes no more progress reports" in text(response)
    assert 'Trop tard' in text(response)
    assert database.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0


def test_documents_are_downloaded_by_those_who_may(world, client, login_as):
    programme, users = world
    login_as(users["lead"])
    response = client.post(f"/programmes/{programme.id}/documents",
                           data={"title": "Convention", "file": (io.BytesIO(PDF), "convention.pdf")})
    assert response.status_code == 303
    document = database.session.scalar(sa.select(ProgrammeDocument))
    url = f"/programmes/{programme.id}/documents/{document.id}"
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    refused = client.post(f"/programmes/{programme.id}/documents",
                          data={"title": "Pas un PDF", "file": (io.BytesIO(b"<html>"), "x.pdf")})
    assert refused.status_code == 422 and 'value="Pas un PDF"' in text(refused)
    login_as(users["partner"])
    assert client.get(url).status_code == 404  # a programme's document is the lead's and the secretariat's
    login_as(users["member"])
    assert client.get(url).status_code == 404


def test_a_follow_up_action_becomes_a_programme(db, client, login_as):
    from club.missions.models import FollowUpAction
    from tests.missions.factories import MissionFactory

    owner = OrganizationFactory(name="Porteur")
    mission = MissionFactory()
    action = FollowUpAction(mission_id=mission.id, task="Activité jeunesse de Figuig", owner_organization_id=owner.id)
    database.session.add(action)
    database.session.commit()
    from club.missions.models import MissionState

    mission.state = MissionState.DONE
    database.session.commit()
    staff = UserFactory(role=Role.SECRETARIAT, locale="en")
    member = UserFactory(member=True, locale="en")
    login_as(member)
    assert "Make it a programme" not in text(client.get(f"/missions/{mission.id}"))
    login_as(staff)
    assert f"/programmes/new?action_id={action.id}" in text(client.get(f"/missions/{mission.id}"))
    form = client.get(f"/programmes/new?action_id={action.id}")
    assert 'value="Activité jeunesse de Figuig"' in text(form) and 'value="Porteur"' in text(form)
    assert client.post("/programmes/new", data={"title": "Activité jeunesse de Figuig", "kind": "youth_employment",
                                                "lead": "Porteur", "starts_on": "2026-01-01", "province": "",
                                                "mission_action_id": str(action.id)}).status_code == 303
    programme = database.session.scalar(sa.select(Programme))
    assert programme.mission_action_id == action.id
    mission_page = text(client.get(f"/missions/{mission.id}"))
    assert "programme: Activité jeunesse de Figuig" in mission_page and "Make it a programme" not in mission_page
    login_as(member)
    assert "programme: Activité jeunesse de Figuig" not in text(client.get(f"/missions/{mission.id}"))  # a draft
    login_as(staff)
    again = client.get(f"/programmes/new?action_id={action.id}")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/programmes/{programme.id}")


def test_history_names_the_events(world, client, login_as):
    programme, users = world
    login_as(users["staff"])
    client.post(f"/programmes/{programme.id}/state", data={"to": "closed"})
    page = text(client.get(f"/programmes/{programme.id}"))
    assert "Programme state changed" in page and "Active → Closed" in page
    assert database.session.scalar(sa.select(AuditEvent.action)) == "programme.state"
    refused = client.post(f"/programmes/{programme.id}/state", data={"to": "active"})
    assert refused.status_code == 303
    assert database.session.get(Programme, programme.id).state == ProgrammeState.CLOSED


def test_search_and_sections(world, client, login_as):
    programme, users = world
    login_as(users["partner"])
    page = text(client.get("/search?q=jerada"))
    assert "Jeunes de Jerada (test)" in page
    org_page = text(client.get(f"/members/{users['partner'].organization_id}"))
    assert "Jeunes de Jerada (test)" in org_page and "Funder" in org_page
    login_as(users["applicant"])
    assert "Jeunes de Jerada (test)" not in text(client.get("/search?q=jerada"))
    login_as(users["staff"])
    home = text(client.get("/"))
    assert "Active programmes" in home and "Jeunes placés" in home and "3 of 100" in home
    login_as(users["lead"])
    assert "The programmes your organisation leads" in text(client.get("/"))


def test_a_partner_edited_meanwhile_answers_409_and_keeps_both_versions(world, client, login_as):
    """Two secretaries edit the same funder's share: the second save, made on the version read before the first,
    answers 409 with its input kept and the saved share named; nothing is overwritten."""
    programme, users = world
    login_as(users["staff"])
    partner = programme.partners[0]
    page = client.get(f"/programmes/{programme.id}/partners")
    prefix = f"partner-{partner.organization_id}"
    read_version = str(partner.version)
    assert f'name="{prefix}-version" type="hidden" value="{read_version}"' in page.get_data(as_text=True)
    url = f"/programmes/{programme.id}/partners/{partner.organization_id}"
    first = client.post(url, data={f"{prefix}-role": "funder", f"{prefix}-funding": "300000",
                                   f"{prefix}-version": read_version})
    assert first.status_code == 303
    second = client.post(url, data={f"{prefix}-role": "funder", f"{prefix}-funding": "350000",
                                    f"{prefix}-version": read_version})
    assert second.status_code == 409
    assert "Someone else saved this partner" in text(second) and 'value="350000"' in text(second)
    database.session.expire_all()
    assert database.session.get(ProgrammePartner, (programme.id, partner.organization_id)).funding == 300000
