"""Programme services: the state table exhaustively, and every refusal (at its field) with nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused, Stale
from club.core.timezones import local_today
from club.extensions import db as database
from club.permissions import Role
from club.programmes.models import (
    TRANSITIONS,
    Beneficiary,
    Gender,
    Indicator,
    IndicatorSource,
    Measure,
    MilestoneStatus,
    PartnerRole,
    Programme,
    ProgrammeKind,
    ProgrammeState,
    ReportState,
)
from club.programmes.queries import programmes as queries
from club.programmes.services import programmes as services
from tests.factories import OrganizationFactory, UserFactory


def make_programme(lead=None, *, state=ProgrammeState.ACTIVE, budget=Decimal("1000000"), title=None,
                   starts_on=None, **extra) -> Programme:
    """A programme written straight to the database (as the demo does), committed."""
    lead = lead or OrganizationFactory()
    programme = Programme(title=title or f"Programme of {lead.name}", kind=ProgrammeKind.YOUTH_EMPLOYMENT,
                          lead_organization_id=lead.id, starts_on=starts_on or local_today() - timedelta(days=100),
                          budget=budget, state=state, summary="Public words", objectives="Secret objectives",
                          **extra)
    database.session.add(programme)
    database.session.commit()
    return programme


def add_people(programme, n, *, reached=0, gender=Gender.MALE, status=None):
    from club.core.text import fold
    from club.programmes.models import BeneficiaryStatus

    status = status or {0: BeneficiaryStatus.ENROLLED, 1: BeneficiaryStatus.TRAINED,
                        2: BeneficiaryStatus.PLACED}[reached]
    day = programme.starts_on
    database.session.execute(sa.insert(Beneficiary), [
        {"programme_id": programme.id, "name": f"Person {programme.id}-{reached}-{i}-{gender}",
         "name_key": fold(f"person {programme.id}-{reached}-{i}-{gender}"), "gender": gender, "consent_on": day,
         "enrolled_on": day, "status": status, "version": 1,
         "trained_on": day if reached >= 1 else None, "placed_on": day if reached == 2 else None}
        for i in range(n)])
    database.session.commit()


def _events(action):
    return list(database.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture()
def staff(db):
    return UserFactory(role=Role.SECRETARIAT, locale="en")


def _data(lead, **overrides):
    values = {"title": "Jeunes de Figuig", "kind": ProgrammeKind.TRAINING, "lead_organization_id": lead.id,
              "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31), "budget": Decimal("500000")}
    values.update(overrides)
    return services.ProgrammeData(**values)


# --- the programme -----------------------------------------------------------------------------------------------

def test_create_is_a_draft_and_audited(request_context, staff):
    lead = OrganizationFactory()
    programme = services.create_programme(_data(lead), by=staff)
    database.session.commit()
    assert programme.state == ProgrammeState.DRAFT
    event = _events("programme.create")[0]
    assert event.entity_id == programme.id and event.changes["title"] == [None, "Jeunes de Figuig"]


def test_an_end_before_the_start_is_refused_at_its_field(request_context, staff):
    with pytest.raises(Refused) as refused:
        services.create_programme(_data(OrganizationFactory(), ends_on=date(2025, 12, 31)), by=staff)
    assert refused.value.field == "ends_on"


def test_a_negative_budget_is_refused(request_context, staff):
    with pytest.raises(Refused) as refused:
        services.create_programme(_data(OrganizationFactory(), budget=Decimal("-1")), by=staff)
    assert refused.value.field == "budget"


def test_a_budget_below_the_shares_is_refused(request_context, staff):
    programme = make_programme()
    services.add_partner(programme, OrganizationFactory(), role=PartnerRole.FUNDER, funding=Decimal("600000"),
                         by=staff)
    database.session.commit()
    with pytest.raises(Refused) as refused:
        services.update_programme(programme, _data(programme.lead, budget=Decimal("500000")),
                                  version=programme.version, by=staff)
    assert refused.value.field == "budget"


def test_a_stale_edit_raises_stale(request_context, staff):
    programme = make_programme()
    with pytest.raises(Stale):
        services.update_programme(programme, _data(programme.lead), version=programme.version - 1 or 99, by=staff)


def test_an_edit_records_its_changes_and_an_untouched_one_nothing(request_context, staff):
    programme = make_programme()
    data = _data(programme.lead, title=programme.title, kind=programme.kind, starts_on=programme.starts_on,
                 ends_on=None, budget=Decimal("1000000.00"), summary="Public words", objectives="Secret objectives")
    assert services.update_programme(programme, data, version=programme.version, by=staff) == {}
    data.title = "Renamed"
    changes = services.update_programme(programme, data, version=programme.version, by=staff)
    database.session.commit()
    assert changes == {"title": [programme.title and "Programme of " + programme.lead.name, "Renamed"]}
    assert len(_events("programme.update")) == 1


@pytest.mark.parametrize("start", list(ProgrammeState))
@pytest.mark.parametrize("to", list(ProgrammeState))
def test_the_transitions_table_exhaustively(request_context, staff, start, to):
    programme = make_programme(state=start)
    if to in TRANSITIONS[start]:
        services.transition(programme, to, by=staff)
        database.session.commit()
        assert database.session.get(Programme, programme.id).state == to
        assert _events("programme.state")[0].changes == {"state": [start.value, to.value]}
    else:
        with pytest.raises(Refused):
            services.transition(programme, to, by=staff)
        database.session.rollback()
        assert database.session.get(Programme, programme.id).state == start
        assert _events("programme.state") == []


def test_the_table_is_draft_active_closed_or_cancelled():
    assert TRANSITIONS == {
        ProgrammeState.DRAFT: {ProgrammeState.ACTIVE, ProgrammeState.CANCELLED},
        ProgrammeState.ACTIVE: {ProgrammeState.CLOSED, ProgrammeState.CANCELLED},
        ProgrammeState.CLOSED: set(), ProgrammeState.CANCELLED: set()}


def test_a_follow_up_action_becomes_one_programme_only(request_context, staff):
    from club.missions.models import FollowUpAction
    from tests.missions.factories import MissionFactory

    mission = MissionFactory()
    action = FollowUpAction(mission_id=mission.id, task="Activité jeunesse")
    database.session.add(action)
    database.session.commit()
    lead = OrganizationFactory()
    first = services.create_programme(_data(lead, mission_action_id=action.id), by=staff)
    database.session.commit()
    assert first.mission_action_id == action.id
    with pytest.raises(Refused) as refused:
        services.create_programme(_data(lead, title="Again", mission_action_id=action.id), by=staff)
    assert refused.value.field == "mission_action_id"


# --- partners ----------------------------------------------------------------------------------------------------

def test_shares_may_not_exceed_the_budget(request_context, staff):
    programme = make_programme(budget=Decimal("1000"))
    a, b = OrganizationFactory(), OrganizationFactory()
    services.add_partner(programme, a, role=PartnerRole.FUNDER, funding=Decimal("700"), by=staff)
    database.session.commit()
    with pytest.raises(Refused) as refused:
        services.add_partner(programme, b, role=PartnerRole.FUNDER, funding=Decimal("300.01"), by=staff)
    assert refused.value.field == "funding"
    database.session.rollback()
    services.add_partner(programme, b, role=PartnerRole.FUNDER, funding=Decimal("300"), by=staff)
    database.session.commit()
    partner = database.session.get(services.ProgrammePartner, (programme.id, a.id))
    with pytest.raises(Refused) as refused:
        services.update_partner(partner, role=PartnerRole.FUNDER, funding=Decimal("701"), by=staff,
                                version=partner.version)
    assert refused.value.field == "funding"


def test_a_negative_share_a_twice_added_partner_and_the_lead_are_refused(request_context, staff):
    programme = make_programme()
    org = OrganizationFactory()
    with pytest.raises(Refused) as refused:
        services.add_partner(programme, org, role=PartnerRole.FUNDER, funding=Decimal("-1"), by=staff)
    assert refused.value.field == "funding"
    database.session.rollback()
    services.add_partner(programme, org, role=PartnerRole.EMPLOYER, funding=None, by=staff)
    database.session.commit()
    for who in (org, programme.lead):
        with pytest.raises(Refused) as refused:
            services.add_partner(programme, who, role=PartnerRole.EMPLOYER, funding=None, by=staff)
        assert refused.value.field == "organization"
        database.session.rollback()


def test_partner_changes_are_audited(request_context, staff):
    programme = make_programme()
    org = OrganizationFactory()
    partner = services.add_partner(programme, org, role=PartnerRole.FUNDER, funding=Decimal("10"), by=staff)
    services.update_partner(partner, role=PartnerRole.LOCAL_AUTHORITY, funding=Decimal("10"), by=staff,
                            version=partner.version)
    services.remove_partner(partner, by=staff)
    database.session.commit()
    assert [e.action for e in database.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))] == [
        "programme.partner_add", "programme.partner_update", "programme.partner_remove"]
    assert _events("programme.partner_update")[0].changes["role"] == ["funder", "local_authority"]


# --- indicators and figures --------------------------------------------------------------------------------------

def _indicator(programme, staff, source=IndicatorSource.FIGURES, measure=None, name="Ateliers", target=10):
    indicator = services.add_indicator(programme, name=name, source=source, measure=measure, target=target,
                                       target_on=None, by=staff)
    database.session.commit()
    return indicator


def test_a_target_below_zero_is_refused(request_context, staff):
    with pytest.raises(Refused) as refused:
        services.add_indicator(make_programme(), name="X", source=IndicatorSource.FIGURES, measure=None,
                               target=-1, target_on=None, by=staff)
    assert refused.value.field == "target"


def test_a_counted_indicator_needs_a_measure_and_takes_no_figures(request_context, staff):
    programme = make_programme()
    with pytest.raises(Refused) as refused:
        services.add_indicator(programme, name="X", source=IndicatorSource.BENEFICIARIES, measure=None, target=1,
                               target_on=None, by=staff)
    assert refused.value.field == "measure"
    database.session.rollback()
    counted = _indicator(programme, staff, IndicatorSource.BENEFICIARIES, Measure.PLACED, "Placés")
    with pytest.raises(Refused) as refused:
        services.add_figure(counted, measured_on=local_today(), value=3, note=None, by=staff)
    assert refused.value.field == "value"


def test_figures_dates_and_values(request_context, staff):
    programme = make_programme()
    indicator = _indicator(programme, staff)
    for kwargs, field in [({"value": -1, "measured_on": local_today()}, "value"),
                          ({"value": 1, "measured_on": programme.starts_on - timedelta(days=1)}, "measured_on"),
                          ({"value": 1, "measured_on": local_today() + timedelta(days=1)}, "measured_on")]:
        with pytest.raises(Refused) as refused:
            services.add_figure(indicator, note=None, by=staff, **kwargs)
        assert refused.value.field == field
        database.session.rollback()
    services.add_figure(indicator, measured_on=local_today() - timedelta(days=5), value=7, note=None, by=staff)
    services.add_figure(indicator, measured_on=local_today() - timedelta(days=10), value=3, note=None, by=staff)
    database.session.commit()
    assert queries.indicator_results([programme.id]) == {indicator.id: 7}  # the latest by date, not by entry


def test_the_source_of_an_indicator_with_figures_cannot_change(request_context, staff):
    programme = make_programme()
    indicator = _indicator(programme, staff)
    services.add_figure(indicator, measured_on=local_today(), value=2, note=None, by=staff)
    database.session.commit()
    with pytest.raises(Refused) as refused:
        services.update_indicator(indicator, name=indicator.name, source=IndicatorSource.BENEFICIARIES,
                                  measure=Measure.ENROLLED, target=10, target_on=None, version=indicator.version,
                                  by=staff)
    assert refused.value.field == "source"


def test_results_are_counted_from_the_beneficiaries(request_context, staff):
    programme = make_programme()
    measures = {m: _indicator(programme, staff, IndicatorSource.BENEFICIARIES, m, m.value) for m in Measure}
    add_people(programme, 3, reached=0, gender=Gender.FEMALE)
    add_people(programme, 4, reached=1, gender=Gender.MALE)
    add_people(programme, 2, reached=2, gender=Gender.FEMALE)
    from club.programmes.models import BeneficiaryStatus

    add_people(programme, 1, reached=1, gender=Gender.FEMALE, status=BeneficiaryStatus.LEFT)  # left once trained
    other = make_programme()
    add_people(other, 5, reached=2)
    results = queries.indicator_results([programme.id])
    assert {m: results[i.id] for m, i in measures.items()} == {
        Measure.ENROLLED: 10, Measure.TRAINED: 7, Measure.PLACED: 2,
        Measure.WOMEN_ENROLLED: 6, Measure.WOMEN_TRAINED: 3, Measure.WOMEN_PLACED: 2}


# --- milestones --------------------------------------------------------------------------------------------------

def test_a_done_milestone_needs_its_date(request_context, staff):
    programme = make_programme()
    with pytest.raises(Refused) as refused:
        services.add_milestone(programme, title="Convention", due_on=local_today(), status=MilestoneStatus.DONE,
                               done_on=None, by=staff)
    assert refused.value.field == "done_on"
    database.session.rollback()
    milestone = services.add_milestone(programme, title="Convention", due_on=local_today(),
                                       status=MilestoneStatus.PLANNED, done_on=local_today(), by=staff)
    assert milestone.done_on is None  # a date only when done


# --- reports -----------------------------------------------------------------------------------------------------

def _report(programme, by):
    report = services.create_report(programme, period_start=programme.starts_on,
                                    period_end=programme.starts_on + timedelta(days=30), summary="Fait",
                                    difficulties=None, next_steps=None, by=by)
    database.session.commit()
    return report


@pytest.mark.parametrize("state", [ProgrammeState.CLOSED, ProgrammeState.CANCELLED])
def test_a_report_for_an_ended_programme_is_refused(request_context, staff, state):
    programme = make_programme(state=state)
    with pytest.raises(Refused) as refused:
        _report(programme, staff)
    assert refused.value.field == "period_start"


def test_a_period_ending_before_it_starts_is_refused(request_context, staff):
    programme = make_programme()
    with pytest.raises(Refused) as refused:
        services.create_report(programme, period_start=date(2026, 2, 1), period_end=date(2026, 1, 1), summary="x",
                               difficulties=None, next_steps=None, by=staff)
    assert refused.value.field == "period_end"


def test_submit_accept_and_changes_flow(request_context, staff, outbox):
    programme = make_programme()
    author = UserFactory(role=Role.MEMBER, organization=programme.lead, locale="en")
    report = _report(programme, author)
    assert services.submit_report(report, by=author) == 1  # the one secretariat user
    database.session.commit()
    assert [m.recipient for m in outbox()] == [staff.email]
    with pytest.raises(Refused):
        services.submit_report(report, by=author)  # already submitted
    database.session.rollback()
    with pytest.raises(Refused) as refused:
        services.request_changes(report, note="  ", by=staff)
    assert refused.value.field == "note"
    database.session.rollback()
    assert services.request_changes(report, note="Ajoutez les chiffres", by=staff)
    database.session.commit()
    assert report.state == ReportState.CHANGES_REQUESTED and report.review_note == "Ajoutez les chiffres"
    assert outbox()[-1].recipient == author.email and "Ajoutez les chiffres" in outbox()[-1].body_text
    services.update_report(report, period_start=report.period_start, period_end=report.period_end,
                           summary="Fait, chiffres joints", difficulties=None, next_steps=None,
                           version=report.version, by=author)
    services.submit_report(report, by=author)
    database.session.commit()
    assert services.accept_report(report, by=staff)
    database.session.commit()
    assert report.state == ReportState.ACCEPTED
    with pytest.raises(Refused):
        services.accept_report(report, by=staff)
    database.session.rollback()
    with pytest.raises(Refused):
        services.update_report(report, period_start=report.period_start, period_end=report.period_end,
                               summary="Changed afterwards", difficulties=None, next_steps=None,
                               version=report.version, by=author)
    actions = [e.action for e in database.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["programme.report_create", "programme.report_submit", "programme.report_changes",
                       "programme.report_update", "programme.report_submit", "programme.report_accept"]


def test_may_lead_is_the_secretariat_and_the_leads_members(request_context, staff):
    programme = make_programme()
    member = UserFactory(role=Role.MEMBER, organization=programme.lead)
    other = UserFactory(member=True)
    partner = UserFactory(role=Role.PARTNER, organization=OrganizationFactory())
    database.session.add(services.ProgrammePartner(programme_id=programme.id, organization_id=partner.organization_id,
                                                   role=PartnerRole.FUNDER))
    database.session.commit()
    assert [services.may_lead(programme, u) for u in (staff, member, other, partner)] == [True, True, False, False]


def test_indicators_are_kept_in_order(request_context, staff):
    programme = make_programme()
    first = _indicator(programme, staff, name="A")
    second = _indicator(programme, staff, name="B")
    assert (first.position, second.position) == (0, 1)
    assert queries.main_indicators([programme.id])[programme.id].id == first.id
    with pytest.raises(Refused) as refused:
        _indicator(programme, staff, name="A")
    assert refused.value.field == "name"
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Indicator)) == 2


# --- what an ended programme, an accepted report and the lead refuse ----------------------------------------------

@pytest.mark.parametrize("state", [ProgrammeState.CLOSED, ProgrammeState.CANCELLED])
def test_an_ended_programme_takes_no_figure_milestone_nor_document(request_context, staff, state):
    programme = make_programme()
    indicator = _indicator(programme, staff)
    programme.state = state
    database.session.commit()
    with pytest.raises(Refused) as refused:
        services.add_figure(indicator, measured_on=local_today(), value=3, note=None, by=staff)
    assert refused.value.field == "value"
    database.session.rollback()
    with pytest.raises(Refused) as refused:
        services.add_milestone(programme, title="Bilan", due_on=local_today(), status=MilestoneStatus.PLANNED,
                               done_on=None, by=staff)
    assert refused.value.field == "title"
    database.session.rollback()
    with pytest.raises(Refused) as refused:
        services.add_document(programme, title="Convention", data=PDF, filename="c.pdf", by=staff)
    assert refused.value.field == "file"
    database.session.rollback()
    assert _events("programme.figure_add") == [] and _events("programme.document_add") == []


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.ACCEPTED])
def test_a_document_goes_with_a_report_only_while_it_is_written(request_context, staff, state):
    """Once submitted (and, accepted, shown to the partners) a report's documents no longer change: a file added
    after the review would reach the partners unreviewed."""
    programme = make_programme()
    report = _report(programme, staff)
    services.add_document(programme, title="Annexe", data=PDF, filename="a.pdf", by=staff, report=report)
    report.state = state
    database.session.commit()
    with pytest.raises(Refused) as refused:
        services.add_document(programme, title="Tableau", data=PDF, filename="t.pdf", by=staff, report=report)
    assert refused.value.field == "file"
    database.session.rollback()
    assert [d.title for d in queries.documents(programme.id, staff, report_id=report.id)] == ["Annexe"]


def test_a_partner_cannot_become_the_lead_by_an_edit(request_context, staff):
    programme = make_programme()
    funder = OrganizationFactory()
    services.add_partner(programme, funder, role=PartnerRole.FUNDER, funding=None, by=staff)
    database.session.commit()
    with pytest.raises(Refused) as refused:
        services.update_programme(programme, _data(funder, title=programme.title, starts_on=programme.starts_on),
                                  version=programme.version, by=staff)
    assert refused.value.field == "lead"
