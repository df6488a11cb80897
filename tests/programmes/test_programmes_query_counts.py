"""The programmes list, a programme's page and the home panels run a constant number of queries, whatever the
number of programmes, indicators, figures and beneficiaries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.timezones import local_today
from club.extensions import db as database
from club.permissions import Role
from club.programmes.models import (
    Gender,
    Indicator,
    IndicatorFigure,
    IndicatorSource,
    Measure,
    Milestone,
    PartnerRole,
    ProgrammePartner,
    ProgressReport,
    ReportState,
)
from tests.factories import OrganizationFactory, UserFactory
from tests.programmes.test_programmes_services import add_people, make_programme


def _grow(programme, n: int, partner_org):
    """n indicators of each source (with figures), partners, milestones, reports and 10·n beneficiaries."""
    database.session.add_all([
        Indicator(programme_id=programme.id, name=f"{m.value} {i}", source=IndicatorSource.BENEFICIARIES, measure=m,
                  target=100, position=i * 10 + k) for i in range(n) for k, m in enumerate(Measure)])
    figures = [Indicator(programme_id=programme.id, name=f"Figures {i}", source=IndicatorSource.FIGURES, target=50,
                         position=1000 + i) for i in range(n)]
    database.session.add_all(figures)
    database.session.flush()
    database.session.add_all([IndicatorFigure(indicator_id=f.id, measured_on=local_today() - timedelta(days=d),
                                              value=d) for f in figures for d in range(3)])
    extra = [OrganizationFactory() for _ in range(n)]
    database.session.add_all([ProgrammePartner(programme_id=programme.id, organization_id=o.id,
                                               role=PartnerRole.EMPLOYER, funding=Decimal(1), position=i + 1)
                              for i, o in enumerate(extra)])
    database.session.add_all([Milestone(programme_id=programme.id, title=f"M{i}", due_on=local_today())
                              for i in range(n)])
    database.session.add_all([ProgressReport(programme_id=programme.id, period_start=programme.starts_on,
                                             period_end=programme.starts_on, summary="r", state=state)
                              for _ in range(n) for state in ReportState])
    database.session.commit()
    add_people(programme, 5 * n, reached=2, gender=Gender.FEMALE)
    add_people(programme, 5 * n, reached=1)


def _count(client, count_queries, url) -> int:
    database.session.expire_all()
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


@pytest.fixture()
def users(db):
    lead, funder = OrganizationFactory(), OrganizationFactory()
    return {"secretariat": UserFactory(role=Role.SECRETARIAT), "lead": UserFactory(role=Role.MEMBER, organization=lead),
            "partner": UserFactory(role=Role.PARTNER, organization=funder), "member": UserFactory(member=True)}


@pytest.mark.parametrize("role", ["secretariat", "lead", "partner", "member"])
def test_a_programme_page_is_constant(users, login_as, count_queries, role):
    lead = users["lead"].organization
    funder = users["partner"].organization
    small, big = make_programme(lead, title="Small"), make_programme(lead, title="Big")
    for programme in (small, big):
        database.session.add(ProgrammePartner(programme_id=programme.id, organization_id=funder.id,
                                              role=PartnerRole.FUNDER, funding=Decimal(10), position=0))
    database.session.commit()
    _grow(small, 1, funder)
    _grow(big, 8, funder)
    ids = [small.id, big.id]
    reports = {i: database.session.scalar(sa.select(ProgressReport.id).where(
        ProgressReport.programme_id == i, ProgressReport.state == ReportState.ACCEPTED)) for i in ids}
    client = login_as(users[role])
    client.get("/")
    urls = ["/programmes/{id}"] + (["/programmes/{id}/reports/{report}"] if role != "member" else [])
    if role == "secretariat":
        urls += ["/programmes/{id}/indicators", "/programmes/{id}/partners", "/programmes/{id}/edit"]
    for url in urls:
        counts = [_count(client, count_queries, url.format(id=i, report=reports[i])) for i in ids]
        assert counts[0] == counts[1], url


@pytest.mark.parametrize("role", ["secretariat", "lead", "partner", "member"])
def test_the_list_and_home_are_constant(users, login_as, count_queries, role):
    lead = users["lead"].organization
    funder = users["partner"].organization
    lead_id, funder_id = lead.id, funder.id
    client = login_as(users[role])
    client.get("/")

    def make(n):
        for i in range(n):
            lead = database.session.get(type(funder), lead_id)
            programme = make_programme(lead if i % 2 else OrganizationFactory(), title=f"P{i} {n}")
            database.session.add(ProgrammePartner(programme_id=programme.id, organization_id=funder_id,
                                                  role=PartnerRole.FUNDER, funding=Decimal(1)))
            database.session.commit()
            _grow(programme, 1, None)

    make(3)
    small = [_count(client, count_queries, url) for url in ("/programmes/", "/programmes/?state=active", "/",
                                                             f"/members/{lead_id}", "/search?q=P1")]
    make(12)
    big = [_count(client, count_queries, url) for url in ("/programmes/", "/programmes/?state=active", "/",
                                                           f"/members/{lead_id}", "/search?q=P1")]
    assert small == big
