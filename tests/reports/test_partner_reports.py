"""Reports sent to partner organisations: one run each, built for that partner, mailed (a link, never the file) to
its partner users only, then in their space; nobody else reaches them."""

from __future__ import annotations

import io
import threading
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.extensions import db
from club.members.models import OrgKind
from club.permissions import Role
from club.reports.models import ReportRun, RunState
from tests.conftest import live_request, session_cookie, text
from tests.reports.helpers import all_runs, partner_org

SEND = {"period_kind": "quarter", "year": "2020", "quarter": "3", "language": "fr", "partners": "FIRO"}


@pytest.fixture()
def world(factories):
    staff = factories.UserFactory(email="salma@club.example", role=Role.SECRETARIAT, locale="fr")
    firo, firo_people = partner_org(factories, "FIRO", "youssef@firo.example", "amal@firo.example")
    medz, medz_people = partner_org(factories, "MedZ", "karim@medz.example")
    firo_people[1].locale = "en"
    member = factories.UserFactory(email="nadia@saccom.example", role=Role.MEMBER,
                                   organization=factories.OrganizationFactory(name="Saccom"))
    db.session.commit()
    return {"staff": staff, "firo": firo, "firo_people": firo_people, "medz": medz, "medz_people": medz_people,
            "member": member}


def test_sending_to_firo_builds_firos_report_and_mails_its_partners_only(app, client, login_as, world, jobs,
                                                                         smtp_server, outbox, live_server):
    login_as(world["staff"])
    response = client.post("/reports/send", data=SEND)
    assert response.status_code == 303
    [run] = all_runs()
    assert (run.audience_id, run.send, run.state, run.sent_at) == (world["firo"].id, True, RunState.QUEUED, None)
    assert (run.starts_on, run.ends_on) == (date(2020, 7, 1), date(2020, 9, 30))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.sent"))
    assert event.changes["partners"] == [None, "FIRO"]
    # Not sent yet: FIRO's partner does not see it
    login_as(world["firo_people"][0])
    assert client.get(f"/reports/runs/{run.id}").status_code == 404
    jobs.run()
    [run] = all_runs()
    assert run.state == RunState.DONE and run.sent_at is not None
    messages = outbox(template="reports_sent")
    assert sorted(m.recipient for m in messages) == ["amal@firo.example", "youssef@firo.example"]
    assert all(m.attachments == [] for m in messages)
    assert all("http://club.test/reports/mine" in m.body_text for m in messages)
    english = next(m for m in messages if m.recipient == "amal@firo.example")
    assert "Quarter 3 2020" in english.subject or "Q3 2020" in english.subject or "2020" in english.subject
    assert sorted(rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos) == ["amal@firo.example",
                                                                                "youssef@firo.example"]
    # FIRO's partner finds it in their space and downloads both files through a real server
    page = client.get("/reports/mine")
    assert page.status_code == 200 and f"/reports/runs/{run.id}.pdf" in page.get_data(as_text=True)
    cookie = session_cookie(app, world["firo_people"][0])
    pdf = live_request(f"{live_server}/reports/runs/{run.id}.pdf", cookie=cookie)
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    assert "rapport-activite-2020-t3-firo.pdf" in pdf.headers["content-disposition"]
    xlsx = live_request(f"{live_server}/reports/runs/{run.id}.xlsx", cookie=cookie)
    assert xlsx.status == 200 and openpyxl.load_workbook(io.BytesIO(xlsx.body)).sheetnames
    # MedZ's partner: not in their space, 404 on every URL of it
    login_as(world["medz_people"][0])
    assert f"/reports/runs/{run.id}" not in client.get("/reports/mine").get_data(as_text=True)
    for url in (f"/reports/runs/{run.id}", f"/reports/runs/{run.id}.pdf", f"/reports/runs/{run.id}.xlsx"):
        assert client.get(url).status_code == 404
    medz_cookie = session_cookie(app, world["medz_people"][0])
    assert live_request(f"{live_server}/reports/runs/{run.id}.pdf", cookie=medz_cookie).status == 404
    # members: nothing here
    login_as(world["member"])
    for url in ("/reports/mine", f"/reports/runs/{run.id}", f"/reports/runs/{run.id}.pdf"):
        assert client.get(url).status_code == 404


def test_the_report_is_built_for_the_partner(client, login_as, world, jobs, monkeypatch):
    from club.reports import content

    seen = []
    real = content.build_report

    def spy(period, *, audience=None, **kwargs):
        seen.append((period.starts_on, getattr(audience, "name", None)))
        return real(period, audience=audience, **kwargs)

    monkeypatch.setattr(content, "build_report", spy)
    login_as(world["staff"])
    client.post("/reports/send", data={**SEND, "partners": "FIRO\nmedz"})
    jobs.run()
    assert sorted(seen) == [(date(2020, 7, 1), "FIRO"), (date(2020, 7, 1), "MedZ")]
    assert {r.audience_id for r in all_runs()} == {world["firo"].id, world["medz"].id}


@pytest.mark.parametrize(("partners", "message"), [
    ("", "Name at least one partner organisation."),
    ("Nowhere Ltd", "No organisation of the register is named “Nowhere Ltd”."),
    ("Saccom", "receives no reports"),
    ("FIRO\nSacc", "Did you mean: Saccom?"),
])
def test_partners_are_checked_at_the_field(client, login_as, world, partners, message):
    world["staff"].locale = "en"
    db.session.commit()
    login_as(world["staff"])
    response = client.post("/reports/send", data={**SEND, "partners": partners})
    assert response.status_code == 422
    assert 'id="partners-error"' in response.get_data(as_text=True)
    assert message in text(response)
    if partners:
        assert partners.split("\n")[0] in response.get_data(as_text=True)
    assert all_runs() == []


def test_an_institution_without_partner_users_may_receive_a_report(client, login_as, world, factories):
    factories.OrganizationFactory(name="CRI de l'Oriental", kind=OrgKind.INSTITUTION)
    login_as(world["staff"])
    assert client.post("/reports/send", data={**SEND, "partners": "CRI de l'Oriental"}).status_code == 303


def test_twenty_identical_sends_at_once_queue_one_set(app, world, live_server):
    cookie = session_cookie(app, world["staff"])
    body = "&".join(f"{k}={v}" for k, v in {**SEND, "partners": "FIRO%0AMedZ"}.items()).encode()
    statuses, lock = [], threading.Lock()
    barrier = threading.Barrier(20)

    def racer():
        barrier.wait(timeout=30)
        response = live_request(f"{live_server}/reports/send", cookie=cookie, data=body,
                                headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=60)
        with lock:
            statuses.append(response.status)

    threads = [threading.Thread(target=racer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(set(statuses)) == [303]
    runs = all_runs()
    assert sorted(r.audience_id for r in runs) == sorted([world["firo"].id, world["medz"].id])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report.sent")) == 1


def test_the_club_report_is_never_in_a_partners_space(client, login_as, world, jobs):
    login_as(world["staff"])
    client.post("/reports/", data={"period_kind": "year", "year": "2020", "language": "fr"})
    jobs.run()
    [run] = all_runs()
    db.session.execute(sa.update(ReportRun).values(audience_id=None))
    db.session.commit()
    login_as(world["firo_people"][0])
    assert "/reports/runs/" not in client.get("/reports/mine").get_data(as_text=True)
    assert client.get(f"/reports/runs/{run.id}.pdf").status_code == 404
