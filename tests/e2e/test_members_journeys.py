"""Browser journeys of the register: the secretariat and a member contact find Saccom by typing "sacc", add a
contact, record a job report and see the totals move (htmx in place, CSRF on)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def find_saccom_and_open_it(page):
    page.goto("/members/")
    page.locator("#q").press_sequentially("sacc", delay=40)
    expect(page).to_have_url(re.compile(r"/members/\?q=sacc"))  # the URL follows the filters
    rows = page.locator("#member-rows tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="Saccom").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saccom")


def add_contact(page, name: str):
    contacts = page.locator("#contacts")
    contacts.locator("summary").click()
    form = contacts.locator("form[action$='/contacts/new']")
    form.locator("input[name='contact-name']").fill(name)
    form.locator("input[name='contact-title']").fill("Chargée de recrutement")
    form.locator("input[name='contact-phone']").fill("06 70 11 22 33")
    form.get_by_role("button").click()
    expect(page.locator("#contacts")).to_contain_text(name)
    expect(page.locator("#contacts")).to_contain_text("06 70 11 22 33")


def record_job_report(page, jobs: int):
    jobs_section = page.locator("#jobs")
    before_org = jobs_section.locator("#org-jobs-total").inner_text()
    before_club = jobs_section.locator("#club-jobs-total").inner_text()
    jobs_section.locator("details summary").first.click()
    form = jobs_section.locator("form[action*='/reports']").first
    form.locator("input[type='date']").fill(date.today().isoformat())
    form.locator("input[name$='-jobs_created']").fill(str(jobs))
    form.get_by_role("button").click()
    expect(page.locator("#org-jobs-total")).not_to_have_text(before_org)
    expect(page.locator("#club-jobs-total")).not_to_have_text(before_club)
    shown = page.locator("#org-jobs-total").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert shown.startswith(f"{jobs} ")
    expect(page.locator("#jobs progress").first).to_have_attribute("value", str(jobs))


def test_secretariat_journey(page, demo_world):
    sign_in(page, "secretariat@club.example")
    find_saccom_and_open_it(page)
    add_contact(page, "Khadija Ouali")
    record_job_report(page, 700)
    # the whole page, reloaded, agrees with what htmx showed
    page.reload()
    expect(page.locator("#contacts")).to_contain_text("Khadija Ouali")
    expect(page.locator("#club-jobs-total")).to_contain_text("1")


def test_member_contact_journey(page, demo_world):
    sign_in(page, "contact@saccom.example")
    find_saccom_and_open_it(page)
    expect(page.locator("#dues")).to_be_visible()  # their own dues
    expect(page.locator("#membership form")).to_have_count(0)  # no membership change
    add_contact(page, "Yassine Amrani")
    record_job_report(page, 650)
