"""Browser journey of issue 14 (reports as jobs, sent to partners), JavaScript on and off: the secretariat prepares
the 2020 activity report (the queue runs in the test, the page follows it), downloads the PDF and the XLSX and opens
both; sends the quarterly report to FIRO; FIRO's partner signs in, opens "Rapports" and downloads it, and finds only
the deals shared with FIRO. Then the pages fit a phone (390 px) and pass axe-core."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from club.deals.models import Deal
from club.members.queries import organisation_named
from club.reports.models import ReportRun, RunState
from tests.e2e.conftest import axe_violations, open_tab, sign_in

pytestmark = pytest.mark.e2e


def _download(page, link) -> tuple[str, bytes]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    with open(download.path(), "rb") as fh:
        return download.suggested_filename, fh.read()


def _follow_until_ready(page, jobs, run_id: int) -> None:
    """The run's page before the worker, then after: with JavaScript htmx swaps the progress in, without it the page
    refreshes itself (a reload here, not to wait 3 s)."""
    assert page.locator("#run-progress").count() == 1
    jobs.run()
    if page.js:
        page.wait_for_selector(f"a[href='/reports/runs/{run_id}.pdf']", timeout=10_000)
    else:
        page.reload()
    assert page.locator(f"a[href='/reports/runs/{run_id}.pdf']").count() == 1


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def test_prepare_download_send_to_firo_and_firo_downloads(demo_world, tab, jobs, browser, live_server, app):
    page, db = tab, demo_world
    sign_in(page, "secretariat@club.example")
    page.locator("a[href='/reports/']").first.click()  # "Rapports" in the navigation
    page.wait_for_url(re.compile(r"/reports/$"))
    assert not page.js or axe_violations(page) == []  # axe runs a script: JavaScript on only

    # The 2020 report, in French
    page.select_option("#period_kind", "year")
    page.fill("#year", "2020")
    page.select_option("#language", "fr")
    page.locator("form[action='/reports/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/runs/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    _follow_until_ready(page, jobs, run_id)
    assert page.locator("#run-progress .text-bg-success").count() == 1  # "Prêt"
    assert not page.js or axe_violations(page) == []  # axe runs a script: JavaScript on only
    name, pdf = _download(page, page.locator(f"a[href='/reports/runs/{run_id}.pdf']"))
    assert name == "rapport-activite-2020.pdf" and pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    name, xlsx = _download(page, page.locator(f"a[href='/reports/runs/{run_id}.xlsx']"))
    assert name == "rapport-activite-2020.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames

    # The list shows it ready
    page.goto("/reports/")
    assert page.locator(f"a[href='/reports/runs/{run_id}.xlsx']").count() == 1

    # The third quarter of 2020, sent to FIRO
    page.goto("/reports/send")
    page.select_option("#period_kind", "quarter")
    page.fill("#year", "2020")
    page.select_option("#quarter", "3")
    page.fill("#partners", "FIRO")
    assert not page.js or axe_violations(page) == []  # axe runs a script: JavaScript on only
    page.locator("form[action='/reports/send'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/reports/$"))
    firo = organisation_named("FIRO")
    sent = db.session.scalar(sa.select(ReportRun).where(ReportRun.audience_id == firo.id))
    assert sent is not None and sent.send
    jobs.run()
    db.session.expire_all()
    sent = db.session.get(ReportRun, sent.id)
    assert sent.state == RunState.DONE and sent.sent_at is not None

    # FIRO's partner: "Rapports", the report, its files
    for partner_page in open_tab(browser, live_server, app, js=page.js):
        sign_in(partner_page, "partner@firo.example")
        partner_page.locator("a[href='/reports/mine']").first.click()  # their "Rapports"
        partner_page.wait_for_url(re.compile(r"/reports/mine$"))
        assert not page.js or axe_violations(partner_page) == []
        link = partner_page.locator(f"a[href='/reports/runs/{sent.id}.pdf']")
        assert link.count() == 1
        name, pdf = _download(partner_page, link)
        assert name == "rapport-activite-2020-t3-firo.pdf" and pdf.startswith(b"%PDF")
        words = _pdf_text(pdf)
        shared = set(db.session.scalars(sa.select(Deal.title).where(Deal.visible_to(_firo_user(db)))))
        others = set(db.session.scalars(sa.select(Deal.title))) - shared
        assert not [t for t in others if t in words], "a deal not shared with FIRO is in FIRO's report"
        name, xlsx = _download(partner_page, partner_page.locator(f"a[href='/reports/runs/{sent.id}.xlsx']"))
        assert name.endswith(".xlsx") and openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames
        # the club's own report is not theirs
        response = partner_page.request.get(f"/reports/runs/{run_id}.pdf")
        assert response.status == 404


def _firo_user(db):
    from club.auth.models import User

    return db.session.scalar(sa.select(User).where(User.email == "partner@firo.example"))


def test_the_reports_pages_fit_a_phone(demo_world, browser, live_server, app, jobs):
    for page in open_tab(browser, live_server, app, width=390):
        sign_in(page, "secretariat@club.example")
        for url in ("/reports/", "/reports/send", "/reports/schedules"):
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (url, width)
        schedule_edit = page.locator("a[href*='/reports/schedules/'][href$='/edit']").first
        schedule_edit.click()
        page.wait_for_url("**/edit")  # the click navigates: measure the page it leads to, not one torn down
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(page) == []
