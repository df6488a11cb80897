"""The activity report's content (club.reports.content): every section for a period, figures that match the
database, a partner's report holding only what that partner may see, an empty period that still builds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale


@pytest.fixture()
def en(app):
    with app.test_request_context(), force_locale("en"):
        yield


def _table(section, title):
    return next(t for t in section.tables if t.title == title)


def _firo(db):
    from club.members.models import Organization

    return db.session.scalar(sa.select(Organization).where(Organization.name == "FIRO"))


def test_the_2020_report_has_every_section_with_figures_from_the_register(demo_world, en):
    from club.deals.models import Deal, Stage
    from club.reports.content import SECTION_KEYS, Period, build_report

    steps = []
    report = build_report(Period.year(2020), progress=lambda percent, step: steps.append((percent, step)),
                          today=date(2026, 1, 15))
    assert [s.key for s in report.sections] == list(SECTION_KEYS)
    assert report.period.label == "Year 2020" and report.generated_on == date(2026, 1, 15)
    assert [p for p, _ in steps] == sorted(p for p, _ in steps) and len(steps) == len(SECTION_KEYS) + 1
    sections = {s.key: s for s in report.sections}

    signed = demo_world.session.scalars(sa.select(Deal).where(
        Deal.stage.in_((Stage.SIGNED, Stage.CLOSED)), Deal.signed_on.between(date(2020, 1, 1), date(2020, 12, 31)))
    ).all()
    deals = _table(sections["deals"], "Deals signed")
    assert sorted(r[0] for r in deals.rows) == sorted(d.title for d in signed) and len(signed) >= 2
    pact = next(r for r in deals.rows if r[0] == "Pacte d'associés FIRO × Notoriety")
    # Typed values: money as Decimal, the stake as a fraction, the date as a date; parties named.
    assert pact[1] == "Notoriety" and "FIRO" in pact[2] and pact[5] == Decimal("10000000.00")
    assert pact[6] == Decimal("0.2") and pact[7] == date(2020, 7, 10)
    figures = {f.label: f for f in sections["deals"].figures}
    assert figures["Amount signed in the period"].value == sum(d.amount or 0 for d in signed)
    assert "MAD" in figures["Amount signed in the period"].text

    jobs = sections["jobs"]
    assert {f.label: f.value for f in jobs.figures}["The club's jobs target"] == 3000
    assert any(c.series[-1].values and c.series[-1].values[0] == 3000 for c in jobs.charts)  # the target line
    by_org = _table(jobs, "Jobs by organisation")
    assert by_org.total == len(by_org.rows) and all(isinstance(r[1], int) for r in by_org.rows)

    members = sections["members"]
    new = _table(members, "New members")
    assert new.total == len(new.rows) > 0 and all(r[3].year == 2020 for r in new.rows)
    assert {f.label: f.value for f in members.figures}["Members who joined in the period"] == new.total

    awards = _table(sections["recognitions"], "Awards")
    assert awards.rows and all(r[4].year == 2020 for r in awards.rows)
    missions = _table(sections["missions"], "Missions held")
    assert missions.rows and all(isinstance(r[5], int) for r in missions.rows)


def test_a_long_table_prints_its_first_rows_and_streams_all_of_them(demo_world, en, monkeypatch):
    from club.reports import content

    monkeypatch.setattr(content, "PDF_ROWS", 2)
    report = content.build_report(content.Period.year(2020))
    jobs = _table(next(s for s in report.sections if s.key == "jobs"), "Jobs by organisation")
    assert len(jobs.rows) == 2 and jobs.total > 2 and jobs.truncated
    everything = list(jobs.all_rows())
    assert len(everything) == jobs.total and everything[:2] == jobs.rows
    awards = _table(next(s for s in report.sections if s.key == "recognitions"), "Awards")
    assert len(awards.rows) == 2 and awards.total == len(list(awards.all_rows())) > 2


def test_a_partner_report_holds_only_what_the_partner_may_see(demo_world, en):
    from club.deals.models import Deal, DealShare
    from club.reports.content import SECTION_KEYS, Period, build_report

    firo = _firo(demo_world)
    period = Period.between(date(2019, 1, 1), date(2030, 12, 31))
    report = build_report(period, audience=firo)
    assert report.audience == "FIRO" and [s.key for s in report.sections] == list(SECTION_KEYS)
    sections = {s.key: s for s in report.sections}
    shared = set(demo_world.session.scalars(sa.select(Deal.title).join(DealShare).where(
        DealShare.organization_id == firo.id)))
    signed = {r[0] for r in _table(sections["deals"], "Deals signed").rows}
    assert signed and signed <= shared
    # The pipeline counts only the shared deals.
    pipeline = _table(sections["deals"], "Pipeline by stage")
    assert sum(r[1] for r in pipeline.rows) == len(shared)
    # No list of members, no organisation's dues, no cohort (names of startups), no named person.
    titles = {t.title for s in report.sections for t in s.tables}
    assert not titles & {"New members", "Dues by organisation", "The cohort"}
    assert all("(" not in r[3] for r in _table(sections["recognitions"], "Awards").rows)


def test_an_empty_period_still_builds(db, app):
    from club.reports.content import SECTION_KEYS, Period, build_report
    from club.reports.pdf import render_pdf
    from club.reports.xlsx import render_xlsx

    with app.test_request_context(), force_locale("en"):
        report = build_report(Period.quarter(1990, 2))
        assert [s.key for s in report.sections] == list(SECTION_KEYS)
        assert all(not t.rows or t.title in ("Members by status", "Pipeline by stage")
                   for s in report.sections for t in s.tables)
        assert render_pdf(report).startswith(b"%PDF")
        assert render_xlsx(report)[:2] == b"PK"


def test_a_partner_report_leaves_out_the_programmes_it_has_no_part_in(demo_world, en):
    """A partner outside a programme sees only its public description in the app: its budget, indicators and
    beneficiaries stay out of that partner's report, while the club's own report has them."""
    from club.programmes.models import Programme, ProgrammeKind, ProgrammeState
    from club.reports.content import Period, build_report
    from tests.factories import OrganizationFactory

    lead = OrganizationFactory(name="Porteur sans FIRO")
    demo_world.session.add(Programme(title="Programme sans FIRO", kind=ProgrammeKind.YOUTH_EMPLOYMENT,
                                     lead_organization_id=lead.id, starts_on=date(2020, 3, 1),
                                     state=ProgrammeState.ACTIVE, budget=Decimal("777777")))
    demo_world.session.commit()
    period = Period.year(2020)

    def programme_cells(report):
        section = next(s for s in report.sections if s.key == "programmes")
        return {str(cell) for t in section.tables for row in t.rows for cell in row}

    assert "Programme sans FIRO" in programme_cells(build_report(period))
    assert "Programme sans FIRO" not in programme_cells(build_report(period, audience=_firo(demo_world)))
