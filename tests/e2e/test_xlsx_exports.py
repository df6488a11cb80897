"""Browser journey of the exports (issue 14, point 4): the secretariat filters the register, then downloads the very
list as XLSX, with JavaScript on (the filter applied by htmx, the link following it) and off; the file opens in
openpyxl with the filtered rows and typed cells. The pages offering both formats stay axe-clean."""

from __future__ import annotations

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e


def test_the_filtered_register_downloads_as_xlsx(tab, demo_world):
    sign_in(tab, "secretariat@club.example")
    if tab.js:
        tab.goto("/members/")
        tab.locator("#q").press_sequentially("sacc", delay=40)
        expect(tab).to_have_url(re.compile(r"/members/\?q=sacc"))
        expect(tab.locator("#member-rows tbody tr")).to_have_count(1)
    else:
        tab.goto("/members/?q=sacc")
    # Beside the CSV link, with the same filter (found by address: the label's French comes with the catalogue).
    expect(tab.locator("#member-rows a[href='/members/export.csv?q=sacc']")).to_be_visible()
    link = tab.locator("#member-rows a[href='/members/export.xlsx?q=sacc']")
    expect(link).to_contain_text("XLSX")
    with tab.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        sheet = openpyxl.load_workbook(file).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("name", "kind") and [row[0] for row in rows[1:]] == ["Saccom"]
    assert rows[1][8] == 260 and sheet.freeze_panes == "A2"  # the headcount: a number, not text


@pytest.mark.parametrize("path", ["/members/?kind=bpo", "/deals/table?kind=equity", "/members/dues",
                                  "/programmes/awards/"])
def test_pages_with_both_exports_are_axe_clean(page, demo_world, path):
    sign_in(page, "secretariat@club.example")
    page.goto(path)
    expect(page.locator("a[href*='.xlsx']").first).to_be_visible()
    assert axe_violations(page) == []
