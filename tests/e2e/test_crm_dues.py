"""Browser journey of the dues follow-up (issue 13, point 6), JavaScript on and off, on a desktop and at phone width:
the secretariat opens its home, follows the unpaid figure to the dues page, filters on the unpaid dues, exports them
(the CSV parsed), then renews a membership due for renewal from the renewals page.

The locators use addresses and field names, not words: the pages read the same before and after the French
catalogue is merged."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from club.core.timezones import local_today
from club.members.models import Dues, Membership, Organization, add_months
from tests.e2e.conftest import axe_violations, open_tab, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[("js-on", 1280), ("js-off", 1280), ("js-on", 390), ("js-off", 390)],
                ids=lambda p: f"{p[0]}-{p[1]}")
def dues_tab(request, browser, live_server, app, db):
    js, width = request.param
    yield from open_tab(browser, live_server, app, js=js == "js-on", width=width)


def _fits(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_from_the_unpaid_figure_to_the_export_and_a_renewal(demo_world, dues_tab):
    page, db = dues_tab, demo_world
    today = local_today()
    sign_in(page, "secretariat@club.example")

    # The home's unpaid figure leads to this year's unpaid dues.
    page.goto("/")
    unpaid = page.locator(f"a[href*='/members/dues'][href*='state=unpaid'][href*='year={today.year}']")
    unpaid.click()
    page.wait_for_url("**/members/dues?**")
    expected = sorted(db.session.execute(
        sa.select(Organization.name).join(Dues, Dues.organization_id == Organization.id)
        .where(Dues.year == today.year, Dues.paid_on.is_(None), Organization.archived_at.is_(None))).scalars())
    assert len(expected) >= 2
    rows = page.locator("#dues-rows tbody tr th a")
    assert sorted(rows.all_inner_texts()) == expected
    _fits(page)
    if page.js:
        assert axe_violations(page) == []

    # All the dues, then the unpaid filter chosen in the form (htmx swaps the rows; without JavaScript, the button).
    page.goto("/members/dues")
    assert page.locator("#dues-rows tbody tr").count() > len(expected)  # paid ones too
    page.select_option("select[name=state]", "unpaid")
    if not page.js:
        page.locator("form[action$='/members/dues'] button[type=submit]").click()
    page.wait_for_url("**state=unpaid**")
    page.wait_for_function("n => document.querySelectorAll('#dues-rows tbody tr').length === n", arg=len(expected))
    assert sorted(rows.all_inner_texts()) == expected

    # The export downloads what is listed.
    with page.expect_download() as download:
        page.locator("a[href*='/members/dues/export.csv'][href*='state=unpaid']").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert sorted(line[0] for line in lines[1:]) == expected
    assert all(line[4] == str(today.year) and line[7] == "" for line in lines[1:])

    # The renewals page lists Saccom (due within 30 days); the secretariat renews it.
    page.goto("/members/dues")
    page.locator("a[href$='/members/renewals']").first.click()
    page.wait_for_url("**/members/renewals")
    _fits(page)
    saccom = db.session.scalar(sa.select(Organization).where(Organization.name == "Saccom"))
    before = db.session.scalar(sa.select(Membership.renews_on).where(Membership.organization_id == saccom.id))
    assert before is not None and (before - today).days <= 30
    page.locator(f"a[href$='/members/{saccom.id}/renew']").click()
    page.wait_for_url(f"**/members/{saccom.id}/renew")
    _fits(page)
    if page.js:
        assert axe_violations(page) == []
    page.locator(f"form[action$='/members/{saccom.id}/renew'] button[type=submit]").click()
    page.wait_for_url("**/members/renewals")
    db.session.expire_all()
    after = db.session.scalar(sa.select(Membership.renews_on).where(Membership.organization_id == saccom.id))
    assert after == add_months(before, 12)
    assert page.locator(".alert-success").count() == 1
    # Renewed, Saccom is no longer due: the list no longer offers it.
    assert page.locator(f"a[href$='/members/{saccom.id}/renew']").count() == 0
