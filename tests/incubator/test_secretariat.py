"""The secretariat: calls and rubrics, moves with an editable email, cohort, home panels, organisation page."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.timezones import to_local, to_utc
from club.incubator.models import Application, Call, Criterion, Status, StatusChange
from tests.conftest import text
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory


def _call_form(**overrides):
    data = {"title": "Promotion 2027", "description": "Appel", "opens_at": "2027-01-10T09:00",
            "closes_at": "2027-03-01T18:00", "capacity": "8", "is_blind_first_round": "y",
            "criteria-0-name": "Équipe", "criteria-0-weight": "3", "criteria-0-low_anchor": "seul",
            "criteria-0-high_anchor": "complète", "criteria-1-name": "Marché", "criteria-1-weight": "2"}
    data.update(overrides)
    return data


def test_create_a_call_with_its_rubric_in_oujda_time(db, factories, login_as):
    client = login_as(factories.UserFactory())
    response = client.post("/incubator/calls/new", data=_call_form())
    assert response.status_code == 303
    call = db.session.scalar(sa.select(Call))
    # What was typed is Casablanca time, converted with the zone database the pages display with
    # (Morocco's offset has changed often: the test does not hard-code it).
    assert call.opens_at == to_utc(datetime(2027, 1, 10, 9, 0))
    assert to_local(call.opens_at) == datetime(2027, 1, 10, 9, 0)
    assert [(c.name, c.weight, c.low_anchor) for c in call.criteria] == [("Équipe", 3, "seul"), ("Marché", 2, "")]
    assert call.is_blind_first_round and call.capacity == 8
    # refused at the field, what was typed kept: closing before opening, no criterion, duplicate title
    for bad, message in (({"title": "X", "closes_at": "2027-01-01T00:00"},
                          "La date de clôture doit suivre la date d'ouverture."),
                         ({"title": "Y", "criteria-0-name": "", "criteria-1-name": ""},
                          "Un appel doit avoir au moins un critère de notation."),
                         ({"title": "Promotion 2027"}, "Un appel porte déjà ce titre.")):
        response = client.post("/incubator/calls/new", data=_call_form(**bad))
        assert response.status_code == 422 and message in text(response), message
        assert f'value="{bad["title"]}"' in response.text  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 1


def test_edit_a_call_with_optimistic_locking(db, factories, login_as):
    call = CallFactory(title="Avant")
    client = login_as(factories.UserFactory())
    assert client.get(f"/incubator/calls/{call.id}/edit").status_code == 200
    ids = [c.id for c in call.criteria]
    form = _call_form(title="Après", version=call.version, **{
        "criteria-0-criterion_id": ids[0], "criteria-0-name": "Équipe", "criteria-0-weight": "4",
        "criteria-1-criterion_id": ids[1], "criteria-1-name": "Marché", "criteria-1-weight": "2",
        "criteria-2-criterion_id": ids[2], "criteria-2-name": "Emplois", "criteria-2-weight": "1"})
    assert client.post(f"/incubator/calls/{call.id}/edit", data=form).status_code == 303
    db.session.expire_all()
    call = db.session.get(Call, call.id)
    assert call.title == "Après" and call.criteria[0].weight == 4
    stale = dict(form, title="Écrasé ?")
    response = client.post(f"/incubator/calls/{call.id}/edit", data=stale)
    page = text(response)
    assert response.status_code == 409 and "Enregistré entre-temps par quelqu'un d'autre" in page
    assert "<td>Écrasé ?</td><td>Après</td>" in page  # yours beside the version saved now
    assert 'value="Écrasé ?"' in page and f'name="version" type="hidden" value="{call.version}"' in page
    db.session.expire_all()
    assert db.session.get(Call, call.id).title == "Après"
    # sending it again (with the version shown) replaces the saved version, knowingly
    assert client.post(f"/incubator/calls/{call.id}/edit", data=dict(stale, version=call.version)).status_code == 303
    db.session.expire_all()
    assert db.session.get(Call, call.id).title == "Écrasé ?"


def test_rubric_cannot_lose_a_scored_criterion(db, factories, login_as):
    from tests.incubator.factories import score

    review = ReviewFactory()
    score(review, [3, 3, 3])
    call = review.application.call
    ids = [c.id for c in call.criteria]
    client = login_as(factories.UserFactory())
    form = _call_form(title=call.title, version=call.version, **{
        "criteria-0-criterion_id": ids[0], "criteria-0-name": "Équipe", "criteria-0-weight": "3",
        "criteria-1-criterion_id": ids[1], "criteria-1-name": "Marché", "criteria-1-weight": "2",
        "criteria-2-name": ""})
    response = client.post(f"/incubator/calls/{call.id}/edit", data=form)
    assert response.status_code == 422 and "Des évaluations sont notées" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Criterion)) == 3


def test_move_with_an_edited_email_in_the_applicants_language(db, factories, login_as, outbox):
    founder = factories.UserFactory(applicant=True, locale="en", email="en@founder.example")
    application = ApplicationFactory(applicant=founder, status=Status.INTERVIEW)
    client = login_as(factories.UserFactory())
    preview = client.get(f"/incubator/applications/{application.id}/move?to_status=accepted")
    assert preview.status_code == 200
    assert "Your application has been accepted" in preview.text and "Congratulations" in preview.text
    response = client.post(f"/incubator/applications/{application.id}/move",
                           data={"to_status": "accepted", "version": application.version, "send_mail": "y",
                                 "subject": "Accepted!", "body": "Edited text by the secretariat."})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.ACCEPTED
    mails = outbox(template="incubator_status")
    assert len(mails) == 1 and mails[0].subject == "Accepted!" and "Edited text by the secretariat." in mails[0].body_text
    assert f"/incubator/applications/{application.id}" in mails[0].body_text
    # a French applicant gets the French default, and a move without email sends none
    fr = ApplicationFactory(status=Status.SUBMITTED)
    preview = client.get(f"/incubator/applications/{fr.id}/move?to_status=screening")
    assert "Bonjour" in preview.text
    client.post(f"/incubator/applications/{fr.id}/move", data={"to_status": "screening", "version": fr.version})
    assert len(outbox(template="incubator_status")) == 1
    db.session.expire_all()
    assert db.session.get(Application, fr.id).status == Status.SCREENING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "incubator.application.move")) == 2


def test_a_header_injection_in_the_subject_is_refused(db, factories, login_as, outbox):
    application = ApplicationFactory(status=Status.SUBMITTED)
    client = login_as(factories.UserFactory())
    response = client.post(f"/incubator/applications/{application.id}/move",
                           data={"to_status": "screening", "version": application.version, "send_mail": "y",
                                 "subject": "Hi\r\nBcc: x@evil.example", "body": "Text"})
    assert response.status_code == 422 and "Les retours à la ligne ne sont pas autorisés ici." in text(response)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.SUBMITTED
    assert outbox() == []


def test_cohort_page(db, factories, login_as):
    call = CallFactory()
    ApplicationFactory(call=call, status=Status.ACCEPTED, startup_name="Alpha", jobs_12m=3, jobs_36m=10)
    ApplicationFactory(call=call, status=Status.GRADUATED, startup_name="Beta", jobs_12m=4, jobs_36m=12)
    ApplicationFactory(call=call, status=Status.REJECTED, startup_name="Gamma")
    client = login_as(factories.UserFactory())
    page = client.get(f"/incubator/calls/{call.id}/cohort").text
    assert "Alpha" in page and "Beta" in page and "Gamma" not in page
    assert ">7<" in page and ">22<" in page  # totals of jobs planned


def test_cohort_pages_keep_the_whole_cohort_s_totals_in_constant_queries(db, factories, login_as, count_queries,
                                                                          monkeypatch):
    from club.incubator import queries

    monkeypatch.setattr(queries, "COHORT_PER_PAGE", 2)  # two a page: five startups make three pages
    call = CallFactory(capacity=10)
    for i, name in enumerate(["Alpha", "Beta", "Delta", "Epsilon", "Gamma"]):
        ApplicationFactory(call=call, status=Status.ACCEPTED if i % 2 else Status.GRADUATED, startup_name=name,
                           jobs_12m=i + 1, jobs_36m=10)
    ApplicationFactory(call=call, status=Status.REJECTED, startup_name="Aaron")
    client = login_as(factories.UserFactory())
    url = f"/incubator/calls/{call.id}/cohort"
    first = client.get(url).text
    assert "Alpha" in first and "Beta" in first and "Delta" not in first and "Aaron" not in first
    assert "5 startups pour 10 places." in first and ">15<" in first and ">50<" in first  # the whole cohort's totals
    assert f'href="/incubator/calls/{call.id}/cohort?page=3"' in first
    last = client.get(url + "?page=3").text
    assert "Gamma" in last and "Alpha" not in last and ">15<" in last
    assert "Gamma" in client.get(url + "?page=99").text  # past the end: the last page
    counts = []
    for extra in (0, 6):
        for _ in range(extra):
            ApplicationFactory(call=call, status=Status.INCUBATED)
        client.get(url + "?page=2")
        with count_queries() as q:
            assert client.get(url + "?page=2").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_home_panels_and_index_per_role(db, factories, login_as):
    staff = factories.UserFactory()
    partner = factories.UserFactory(partner=True)
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, startup_name="Ma Startup", status=Status.SUBMITTED)
    review = ReviewFactory(application=application, reviewer=partner, has_conflict=None)
    client = login_as(founder)
    assert "Ma Startup" in client.get("/").text and "Ma Startup" in client.get("/incubator/").text
    client = login_as(partner)
    home = client.get("/").text
    assert f"/incubator/reviews/{review.id}" in home and "Ma Startup" not in home
    client = login_as(staff)
    home = client.get("/").text
    assert "Ma Startup" in home
    assert application.call.title in client.get("/incubator/").text


def test_organisation_section_for_the_secretariat_only(db, app, factories):
    from club.core.sections import sections_for

    org = factories.OrganizationFactory(name="Atlas")
    ApplicationFactory(organization=org, project_title="Projet Atlas")
    staff = factories.UserFactory()
    member = factories.UserFactory(member=True)
    with app.test_request_context():
        shown = sections_for("organization", org, staff)
        assert any(s["template"] == "incubator/_organization_section.html" for s in shown)
        assert not any(s["template"] == "incubator/_organization_section.html"
                       for s in sections_for("organization", org, member))
        from flask import render_template_string

        html = render_template_string(
            '{% from "_macros/sections.html" import render_sections %}{{ render_sections(sections) }}',
            sections=shown)
        assert "Projet Atlas" in html


def test_htmx_fragment_of_the_application_list(db, factories, login_as):
    call = CallFactory()
    ApplicationFactory(call=call, startup_name="Fragment Startup")
    client = login_as(factories.UserFactory())
    response = client.get(f"/incubator/calls/{call.id}/applications", headers={"HX-Request": "true"})
    assert "Fragment Startup" in response.text and "<html" not in response.text
    assert "HX-Request" in response.headers.get("Vary", "")
    assert "Fragment Startup" not in client.get(f"/incubator/calls/{call.id}/applications?q=zzz").text
