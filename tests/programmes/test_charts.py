"""A programme's indicators against their targets, as a chart on its page (for whoever sees its indicators: the
secretariat, the lead, its partners; aggregates only)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from markupsafe import escape

from club import formats
from club.core.timezones import local_today
from club.extensions import db as database
from club.permissions import Role
from club.programmes import charts
from club.programmes.models import (
    Gender,
    Indicator,
    IndicatorFigure,
    IndicatorSource,
    Measure,
    PartnerRole,
    ProgrammePartner,
)
from tests.factories import OrganizationFactory, UserFactory
from tests.programmes.test_programmes_services import add_people, make_programme


def indicators(programme, *rows):
    """(name, measure or None for figures entered by the lead, target, [figures, oldest first])."""
    for position, (name, measure, target, figures) in enumerate(rows):
        indicator = Indicator(programme_id=programme.id, name=name, target=target, position=position,
                              source=IndicatorSource.BENEFICIARIES if measure else IndicatorSource.FIGURES,
                              measure=measure)
        database.session.add(indicator)
        database.session.flush()
        database.session.add_all([IndicatorFigure(indicator_id=indicator.id, value=value,
                                                  measured_on=local_today() - timedelta(days=len(figures) - n))
                                  for n, value in enumerate(figures)])
    database.session.commit()


@pytest.fixture()
def world(db):
    """Saccom's programme with FIRO as a funder: three indicators (young people enrolled, 10 %; women placed in a
    job, 300 %; firms visited, entered by the lead, 125 %) and 120 people."""
    lead, firo = OrganizationFactory(name="Saccom"), OrganizationFactory(name="FIRO")
    programme = make_programme(lead, title="Activité jeunesse de Jerada")
    database.session.add(ProgrammePartner(programme_id=programme.id, organization_id=firo.id, role=PartnerRole.FUNDER,
                                          funding=Decimal(100000), position=0))
    database.session.commit()
    indicators(programme, ("Jeunes inscrits", Measure.ENROLLED, 1200, []),
               ("Femmes placées", Measure.WOMEN_PLACED, 10, []),
               ("Entreprises visitées", None, 12, [5, 15]))
    add_people(programme, 30, reached=2, gender=Gender.FEMALE)
    add_people(programme, 50, reached=1)
    add_people(programme, 40, reached=0)
    return {"programme": programme, "lead": lead, "firo": firo}


def row(*cells) -> str:
    head, *rest = cells
    return f'<tr><th scope="row">{escape(head)}</th>' + "".join(f'<td class="text-end">{escape(c)}</td>'
                                                                 for c in rest) + "</tr>"


def test_the_chart_puts_each_indicator_against_its_target(world, request_context):
    from club.programmes.queries import programmes as queries

    programme = world["programme"]
    results = queries.indicator_results([programme.id])
    chart = charts.indicators_chart(programme.indicators, results)
    assert chart.title == "Results against targets"
    assert chart.labels == ["Jeunes inscrits", "Femmes placées", "Entreprises visitées"]
    assert chart.series[0].values == [10, 300, 125]
    assert chart.table_rows == [["Jeunes inscrits", "10%", "120 of 1,200"],
                                ["Femmes placées", "300%", "30 of 10"],
                                ["Entreprises visitées", "125%", "15 of 12"]]
    assert "Targets reached: 2 of 3 indicators." in chart.description
    assert chart.options == {"range": (0, 300)}
    assert "<script" not in chart.svg


def test_an_indicator_without_a_target_shows_a_dash(db, request_context):
    programme = make_programme()
    indicators(programme, ("Sans cible", None, 0, [4]))
    database.session.refresh(programme)
    chart = charts.indicators_chart(programme.indicators, {programme.indicators[0].id: 4})
    assert chart.table_rows == [["Sans cible", "—", "4 of 0"]]
    assert chart.description.startswith("The indicator's result to date as a share of its target")
    assert chart.description.endswith("Target reached: 0 of 1 indicator.")


@pytest.mark.parametrize("who", ["secretariat", "lead", "partner"])
def test_whoever_sees_the_indicators_sees_the_chart(world, login_as, who):
    user = {"secretariat": lambda: UserFactory(role=Role.SECRETARIAT, locale="en"),
            "lead": lambda: UserFactory(role=Role.MEMBER, organization=world["lead"], locale="en"),
            "partner": lambda: UserFactory(role=Role.PARTNER, organization=world["firo"], locale="en")}[who]()
    html = login_as(user).get(f"/programmes/{world['programme'].id}").get_data(as_text=True)
    assert "Results against targets" in html and 'alt="Results against targets"' in html
    assert row("Jeunes inscrits", "10%", "120 of 1,200") in html
    assert row("Femmes placées", "300%", "30 of 10") in html
    assert row("Entreprises visitées", "125%", "15 of 12") in html
    if who == "partner":  # aggregates only: no one by name
        assert "Person " not in html


def test_who_does_not_see_the_indicators_sees_no_chart(world, login_as, client):
    outsider = UserFactory(member=True, locale="en")  # another member: the public description only
    html = login_as(outsider).get(f"/programmes/{world['programme'].id}").get_data(as_text=True)
    assert "Activité jeunesse de Jerada" in html and "club-chart" not in html and "Jeunes inscrits" not in html
    applicant = UserFactory(applicant=True, locale="en")
    assert login_as(applicant).get(f"/programmes/{world['programme'].id}").status_code == 404


def test_the_chart_follows_the_page_language(world, app, login_as):
    html = login_as(UserFactory(role=Role.SECRETARIAT, locale="fr")).get(
        f"/programmes/{world['programme'].id}").get_data(as_text=True)
    with app.test_request_context(), force_locale("fr"):
        from flask_babel import gettext

        title = gettext("Results against targets")
        cell = gettext("%(reached)s of %(target)s", reached=formats.number(120), target=formats.number(1200))
    assert cell != "120 of 1,200" and formats_fr_grouped(cell)
    assert f'alt="{escape(title)}"' in html
    assert row("Jeunes inscrits", "10\xa0%", cell) in html  # French: a no-break space before the sign


def formats_fr_grouped(text: str) -> bool:
    """French groups thousands with a (narrow) no-break space: "1 200"."""
    return "1\u202f200" in text or "1\xa0200" in text


def test_a_programme_without_indicators_has_no_chart(db, login_as):
    programme = make_programme(title="Sans indicateur")
    html = login_as(UserFactory(role=Role.SECRETARIAT, locale="en")).get(
        f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Sans indicateur" in html and "club-chart" not in html and "No indicator yet." in html


