"""Activity reports as runs of the job queue: the form (validated at the field), queued → running → done, the files
through a real HTTP server, a failure recorded and audited, a run a dead worker left behind."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.extensions import db
from club.models import utcnow
from club.permissions import Role
from club.reports import runs
from club.reports.models import PeriodKind, ReportRun, RunState
from tests.conftest import live_request, session_cookie, text
from tests.reports.helpers import all_runs


@pytest.fixture()
def staff(factories):
    return factories.UserFactory(email="salma@club.example", role=Role.SECRETARIAT, locale="fr")


def test_the_reports_page_offers_the_form_and_the_list(client, login_as, staff):
    page = client.get("/reports/")
    assert page.status_code == 302  # signed out
    login_as(staff)
    page = client.get("/reports/")
    assert page.status_code == 200
    body = text(page)
    assert "Préparer le rapport" in body or "Prepare the report" in body
    assert 'name="period_kind"' in body and 'name="language"' in body


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"period_kind": "year", "year": "", "language": "fr"}, "year", "Enter the year of the report"),
    ({"period_kind": "year", "year": "1850", "language": "fr"}, "year", ""),
    ({"period_kind": "range", "starts_on": "2020-05-01", "ends_on": "2020-04-01", "language": "fr"}, "ends_on",
     "The end must not be before the start."),
    ({"period_kind": "range", "starts_on": "2001-01-01", "ends_on": "2020-12-31", "language": "fr"}, "ends_on",
     "ten years at most"),
    ({"period_kind": "range", "starts_on": "", "ends_on": "2020-12-31", "language": "fr"}, "starts_on",
     "Enter the first day of the report."),
    ({"period_kind": "range", "starts_on": "01/02/2020", "ends_on": "2020-12-31", "language": "fr"}, "starts_on",
     ""),
    ({"period_kind": "year", "year": "2020", "language": "xx"}, "language", ""),
    ({"period_kind": "decade", "year": "2020", "language": "fr"}, "period_kind", ""),
])
def test_a_bad_period_is_refused_at_its_field_with_the_input_kept(client, login_as, staff, data, field, message):
    staff.locale = "en"
    db.session.commit()
    login_as(staff)
    response = client.post("/reports/", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body
    if message:
        assert message in text(response)
    for name, value in data.items():
        if value and name not in ("period_kind", "language"):
            assert f'value="{value}"' in body
    assert all_runs() == []


def test_a_run_goes_from_queued_to_done_and_its_files_download(app, client, login_as, staff, jobs, live_server):
    login_as(staff)
    response = client.post("/reports/", data={"period_kind": "year", "year": "2020", "language": "fr"})
    assert response.status_code == 303
    [run] = all_runs()
    assert response.headers["Location"].endswith(f"/reports/runs/{run.id}")
    assert (run.state, run.progress, run.period_kind) == (RunState.QUEUED, 0, PeriodKind.YEAR)
    assert (run.starts_on, run.ends_on, run.language, run.audience_id) == (date(2020, 1, 1), date(2020, 12, 31),
                                                                           "fr", None)
    page = client.get(f"/reports/runs/{run.id}")
    assert "En attente" in text(page) or "Waiting" in text(page)
    assert 'http-equiv="refresh"' in page.get_data(as_text=True)
    assert "hx-trigger=\"every 2s\"" in page.get_data(as_text=True)
    assert jobs.pending() == ["build_report_run"]
    assert jobs.run() == 1
    [run] = all_runs()
    assert (run.state, run.progress, run.error) == (RunState.DONE, 100, None)
    assert run.pdf is not None and run.xlsx is not None and run.finished_at is not None
    page = client.get(f"/reports/runs/{run.id}")
    body = page.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in body and "every 2s" not in body
    assert f"/reports/runs/{run.id}.pdf" in body and f"/reports/runs/{run.id}.xlsx" in body
    fragment = client.get(f"/reports/runs/{run.id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "run-progress" in fragment.get_data(as_text=True)
    cookie = session_cookie(app, staff)
    pdf = live_request(f"{live_server}/reports/runs/{run.id}.pdf", cookie=cookie)
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    assert "rapport-activite-2020.pdf" in pdf.headers["content-disposition"]
    assert "no-store" in pdf.headers["cache-control"]
    xlsx = live_request(f"{live_server}/reports/runs/{run.id}.xlsx", cookie=cookie)
    assert xlsx.status == 200
    assert "rapport-activite-2020.xlsx" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.body))
    assert book.sheetnames
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["report.requested", "report.built"]


def test_the_run_list_shows_state_and_downloads(client, login_as, staff, jobs):
    login_as(staff)
    client.post("/reports/", data={"period_kind": "quarter", "year": "2020", "quarter": "2", "language": "en"})
    jobs.run()
    [run] = all_runs()
    assert (run.starts_on, run.ends_on) == (date(2020, 4, 1), date(2020, 6, 30))
    body = text(client.get("/reports/"))
    assert "Prêt" in body or "Ready" in body
    assert f"/reports/runs/{run.id}.pdf" in body


def test_english_file_names(app, client, login_as, staff, jobs, live_server):
    login_as(staff)
    client.post("/reports/", data={"period_kind": "quarter", "year": "2020", "quarter": "3", "language": "en"})
    jobs.run()
    [run] = all_runs()
    pdf = live_request(f"{live_server}/reports/runs/{run.id}.pdf", cookie=session_cookie(app, staff))
    assert "activity-report-2020-q3.pdf" in pdf.headers["content-disposition"]


def test_a_double_click_asks_for_one_report(client, login_as, staff, jobs):
    login_as(staff)
    data = {"period_kind": "year", "year": "2021", "language": "fr"}
    first = client.post("/reports/", data=data)
    second = client.post("/reports/", data=data)
    [run] = all_runs()
    assert first.headers["Location"] == second.headers["Location"]
    assert jobs.pending() == ["build_report_run"]
    # another language is another report
    client.post("/reports/", data={**data, "language": "en"})
    assert len(all_runs()) == 2


def test_a_failing_build_is_marked_failed_and_audited(client, login_as, staff, jobs, monkeypatch):
    from club.reports import content

    def broken(*args, **kwargs):
        raise RuntimeError("the figures are unreachable")

    # The content builder is another helper's: here it fails as any bug would (the run must say so).
    monkeypatch.setattr(content, "build_report", broken)
    login_as(staff)
    client.post("/reports/", data={"period_kind": "year", "year": "2020", "language": "fr"})
    jobs.run()
    [run] = all_runs()
    assert run.state == RunState.FAILED
    assert "the figures are unreachable" in run.error
    assert run.pdf_id is None and run.xlsx_id is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.failed"))
    assert event.entity_id == run.id and event.changes["state"] == ["running", "failed"]
    page = client.get(f"/reports/runs/{run.id}")
    assert "could not be built" in text(page) or "n'a pas pu" in text(page) or "pas pu être" in text(page)
    assert client.get(f"/reports/runs/{run.id}.pdf").status_code == 404
    # asked again: a new run, built this time
    monkeypatch.undo()
    again = client.post(f"/reports/runs/{run.id}/retry")
    assert again.status_code == 303
    # a double click on "ask again" asks once
    assert client.post(f"/reports/runs/{run.id}/retry").headers["Location"] == again.headers["Location"]
    jobs.run()
    states = [r.state for r in all_runs()]
    assert states == [RunState.FAILED, RunState.DONE]
    # and once built, asking again from the failed run still gives that one
    assert client.post(f"/reports/runs/{run.id}/retry").headers["Location"] == again.headers["Location"]
    assert len(all_runs()) == 2


def test_a_run_is_built_once_even_if_its_task_runs_twice(client, login_as, staff, jobs):
    login_as(staff)
    client.post("/reports/", data={"period_kind": "year", "year": "2020", "language": "fr"})
    [run] = all_runs()
    assert runs.build_run(run.id) is True
    assert runs.build_run(run.id) is False
    assert jobs.run() == 1  # the queued task finds it built
    [run] = all_runs()
    assert run.state == RunState.DONE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report.built")) == 1


def test_a_run_left_running_by_a_dead_worker_is_queued_again_then_failed(client, login_as, staff, jobs):
    login_as(staff)
    client.post("/reports/", data={"period_kind": "year", "year": "2020", "language": "fr"})
    [run] = all_runs()
    assert runs.claim(run.id)  # a worker took it, then died
    now = utcnow()
    assert runs.sweep_stalled_runs(now).requeued == []  # fresh: left alone
    later = now + runs.STALL_AFTER + timedelta(minutes=1)
    sweep = runs.sweep_stalled_runs(later)
    assert sweep.requeued == [run.id]
    [run] = all_runs()
    assert run.state == RunState.QUEUED
    assert runs.claim(run.id)  # and again the worker dies
    db.session.execute(sa.update(ReportRun).values(started_at=now))
    db.session.commit()
    sweep = runs.sweep_stalled_runs(later)
    assert (sweep.requeued, sweep.failed) == ([], [run.id])
    [run] = all_runs()
    assert run.state == RunState.FAILED and ("twice" in run.error or "deux fois" in run.error)


def test_a_run_whose_task_was_lost_is_enqueued_again(client, login_as, staff, jobs):
    login_as(staff)
    client.post("/reports/", data={"period_kind": "year", "year": "2020", "language": "fr"})
    [run] = all_runs()
    assert runs.sweep_stalled_runs().requeued == []
    assert runs.sweep_stalled_runs(utcnow() + timedelta(minutes=5)).requeued == [run.id]


def test_others_never_see_the_club_reports(client, login_as, staff, factories, jobs):
    login_as(staff)
    client.post("/reports/", data={"period_kind": "year", "year": "2020", "language": "fr"})
    jobs.run()
    [run] = all_runs()
    for role in (Role.PARTNER, Role.MEMBER, Role.APPLICANT):
        user = factories.UserFactory(role=role, organization=factories.OrganizationFactory())
        login_as(user)
        for url in (f"/reports/runs/{run.id}", f"/reports/runs/{run.id}.pdf", f"/reports/runs/{run.id}.xlsx",
                    "/reports/", "/reports/send", "/reports/schedules"):
            assert client.get(url).status_code == 404, (role, url)
