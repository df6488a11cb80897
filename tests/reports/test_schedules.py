"""Schedules: created, edited (version-checked), paused and deleted by the secretariat, audited; the periodic job
queues the previous complete period's runs for the partners once, however many times it runs."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.extensions import db
from club.permissions import Role
from club.reports import runs
from club.reports.jobs import send_scheduled_reports
from club.reports.models import Frequency, PeriodKind, ReportSchedule, RunState
from tests.conftest import text
from tests.reports.helpers import all_runs, partner_org


@pytest.fixture()
def world(factories):
    staff = factories.UserFactory(email="salma@club.example", role=Role.SECRETARIAT, locale="en")
    firo, people = partner_org(factories, "FIRO", "youssef@firo.example")
    medz, _ = partner_org(factories, "MedZ", "karim@medz.example")
    return {"staff": staff, "firo": firo, "medz": medz, "people": people}


def schedules() -> list[ReportSchedule]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ReportSchedule).order_by(ReportSchedule.id)))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_create_edit_pause_delete(client, login_as, world):
    login_as(world["staff"])
    assert client.get("/reports/schedules/new").status_code == 200
    response = client.post("/reports/schedules/new", data={"frequency": "quarterly", "language": "fr",
                                                           "partners": "FIRO", "active": "y"})
    assert response.status_code == 303
    [schedule] = schedules()
    assert (schedule.frequency, schedule.language, schedule.active) == (Frequency.QUARTERLY, "fr", True)
    assert [o.name for o in schedule.partners] == ["FIRO"]
    assert schedule.next_run_on.day == 1 and schedule.next_run_on.month in (1, 4, 7, 10)
    page = text(client.get("/reports/schedules"))
    assert "FIRO" in page and "Every quarter" in page
    # edit: add MedZ, monthly
    form = client.get(f"/reports/schedules/{schedule.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form or 'value="1"' in form
    response = client.post(f"/reports/schedules/{schedule.id}/edit", data={
        "frequency": "monthly", "language": "en", "partners": "FIRO\nMedZ", "active": "y", "version": "1"})
    assert response.status_code == 303
    [schedule] = schedules()
    assert (schedule.frequency, schedule.language) == (Frequency.MONTHLY, "en")
    assert [o.name for o in schedule.partners] == ["FIRO", "MedZ"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report_schedule.updated"))
    assert event.changes["partners"] == ["FIRO", "FIRO, MedZ"]
    # a stale edit (version 1 again) is refused and changes nothing
    stale = client.post(f"/reports/schedules/{schedule.id}/edit", data={
        "frequency": "quarterly", "language": "fr", "partners": "FIRO", "version": "1"})
    assert stale.status_code == 409
    assert schedules()[0].frequency == Frequency.MONTHLY
    # pause (the active box unticked)
    response = client.post(f"/reports/schedules/{schedule.id}/edit", data={
        "frequency": "monthly", "language": "en", "partners": "FIRO\nMedZ", "version": str(schedule.version)})
    assert response.status_code == 303
    assert schedules()[0].active is False
    assert "paused" in text(client.get("/reports/schedules"))
    # delete
    assert client.post(f"/reports/schedules/{schedule.id}/delete").status_code == 303
    assert schedules() == []
    assert actions() == ["report_schedule.created", "report_schedule.updated", "report_schedule.updated",
                         "report_schedule.deleted"]


def test_a_schedule_form_refuses_bad_partners_at_the_field(client, login_as, world):
    login_as(world["staff"])
    response = client.post("/reports/schedules/new", data={"frequency": "quarterly", "language": "fr",
                                                           "partners": "Nobody"})
    assert response.status_code == 422
    assert 'id="partners-error"' in response.get_data(as_text=True) and "Nobody" in text(response)
    assert schedules() == []
    response = client.post("/reports/schedules/new", data={"frequency": "yearly", "language": "fr",
                                                           "partners": "FIRO"})
    assert response.status_code == 422 and schedules() == []


def test_a_schedule_due_today_queues_once_even_if_the_job_runs_twice(world, jobs):
    schedule = runs.create_schedule(Frequency.QUARTERLY, "fr", [world["firo"], world["medz"]],
                                    today=date(2026, 9, 15), by=world["staff"])
    db.session.commit()
    assert schedule.next_run_on == date(2026, 10, 1)
    assert runs.send_due_schedules(date(2026, 9, 30)) == []  # not yet
    ids = runs.send_due_schedules(date(2026, 10, 1))
    again = runs.send_due_schedules(date(2026, 10, 1))
    assert len(ids) == 2 and again == []
    made = all_runs()
    assert {(r.period_kind, r.starts_on, r.ends_on, r.send, r.schedule_id) for r in made} == {
        (PeriodKind.QUARTER, date(2026, 7, 1), date(2026, 9, 30), True, schedule.id)}
    assert sorted(r.audience_id for r in made) == sorted([world["firo"].id, world["medz"].id])
    [schedule] = schedules()
    assert schedule.next_run_on == date(2027, 1, 1)
    assert actions().count("report_schedule.ran") == 1


def test_the_periodic_job_queues_and_the_worker_sends(world, jobs, outbox, monkeypatch):
    from club.reports import jobs as report_jobs

    schedule = runs.create_schedule(Frequency.MONTHLY, "fr", [world["firo"]], today=date(2026, 1, 10),
                                    by=world["staff"])
    db.session.commit()
    monkeypatch.setattr("club.core.timezones.local_today", lambda: date(2026, 2, 3))
    assert send_scheduled_reports.call_local() == 1
    assert send_scheduled_reports.call_local() == 0  # run again: nothing more
    jobs.run()
    [run] = all_runs()
    assert (run.starts_on, run.ends_on, run.state) == (date(2026, 1, 1), date(2026, 1, 31), RunState.DONE)
    assert run.sent_at is not None and run.schedule_id == schedule.id
    assert [m.recipient for m in outbox(template="reports_sent")] == ["youssef@firo.example"]
    assert report_jobs  # the module the worker imports


def test_a_paused_schedule_sends_nothing(world):
    schedule = runs.create_schedule(Frequency.MONTHLY, "fr", [world["firo"]], active=False,
                                    today=date(2026, 1, 10), by=world["staff"])
    db.session.commit()
    assert runs.send_due_schedules(date(2026, 3, 1)) == []
    assert schedules()[0].next_run_on == schedule.next_run_on


def test_two_workers_at_once_take_a_schedule_once(app, world, database_url):
    """Two sessions read the same due schedule; one UPDATE on the value read decides."""
    import threading

    schedule = runs.create_schedule(Frequency.QUARTERLY, "fr", [world["firo"]], today=date(2026, 1, 10),
                                    by=world["staff"])
    db.session.commit()
    results, barrier = [], threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait(timeout=10)
            results.append(runs.send_due_schedules(date(2026, 4, 2)))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(all_runs()) == 1
    assert schedules()[0].next_run_on == date(2026, 7, 1) and schedule.id


def test_others_never_reach_the_schedules(client, login_as, world, factories):
    schedule = runs.create_schedule(Frequency.QUARTERLY, "fr", [world["firo"]], today=date(2026, 1, 10),
                                    by=world["staff"])
    db.session.commit()
    for user in (world["people"][0], factories.UserFactory(role=Role.MEMBER,
                                                           organization=factories.OrganizationFactory())):
        login_as(user)
        for url in ("/reports/schedules", "/reports/schedules/new", f"/reports/schedules/{schedule.id}/edit"):
            assert client.get(url).status_code == 404
        assert client.post(f"/reports/schedules/{schedule.id}/delete").status_code == 404
    assert len(schedules()) == 1
