"""The secretariat's dashboard in a browser: the jobs chart against the club's 3,000-job target in French and in
English (the image with its alt, the table with "3 000" / "3,000"), with JavaScript on and off; at 390 px nothing
overflows; axe-core finds nothing serious; a change of the target shows on the dashboard at once.

``SCREENSHOTS=/some/dir`` saves what the browser saw (1366 and 390 px) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import axe_violations, open_tab, sign_in
from tests.e2e.test_deals_phone import OVERFLOW
from tests.reports.dashboard_helpers import number, tr

pytestmark = pytest.mark.e2e

JOBS_CHART = "Jobs created against jobs announced and the club's target"


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _switch_language(page, label: str) -> None:
    page.get_by_role("button", name=label).first.click()
    page.wait_for_load_state("networkidle")


def _jobs_figure(page, app, lang: str):
    title = tr(app, lang, JOBS_CHART)
    figure = page.locator("figure", has=page.get_by_role("heading", name=title, exact=True))
    image = figure.get_by_role("img", name=title, exact=True)
    assert image.count() == 1
    assert image.get_attribute("src").startswith("data:image/svg+xml;base64,")
    if page.js:  # (a script cannot run in a page without JavaScript, the test's neither)
        assert image.evaluate("i => i.complete && i.naturalWidth > 0")
    figure.locator("summary").click()
    table = figure.get_by_role("table")
    assert table.is_visible()
    return figure, table.inner_text()


def test_the_dashboard_shows_the_jobs_against_the_target(tab, app, demo_world):
    sign_in(tab, "secretariat@club.example")
    tab.goto("/")
    _, text = _jobs_figure(tab, app, "fr")
    assert tr(app, "fr", "Club's target") in text
    assert "3\u202f000" in text  # the target, in every row, as French writes it
    standing = tab.locator(".club-standing").inner_text()
    assert number(app, "fr", 3000) in standing and "31 décembre 2025" in standing
    if tab.js:
        assert axe_violations(tab) == []
    _shot(tab, f"dashboard-fr-{'js' if tab.js else 'nojs'}")

    _switch_language(tab, "English")
    _, text = _jobs_figure(tab, app, "en")
    assert "Club's target" in text and "3,000" in text and "3\u202f000" not in text
    assert "of a target of 3,000 (" in tab.locator(".club-standing").inner_text()
    assert "31 December 2025" in tab.locator(".club-standing").inner_text()
    if tab.js:
        assert axe_violations(tab) == []
    _shot(tab, f"dashboard-en-{'js' if tab.js else 'nojs'}")


@pytest.mark.parametrize(("email", "path"), [
    ("secretariat@club.example", "/"), ("secretariat@club.example", "/deals/figures"),
    ("secretariat@club.example", "/members/figures"), ("secretariat@club.example", "/reports/target"),
    ("partner@firo.example", "/"), ("partner@firo.example", "/deals/figures"), ("contact@saccom.example", "/")])
def test_the_charts_fit_a_phone(browser, live_server, app, demo_world, email, path):
    name = email.split("@")[0] + path.replace("/", "-").rstrip("-")
    for page in open_tab(browser, live_server, app, width=390):
        sign_in(page, email)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        measure = page.evaluate(OVERFLOW)
        assert measure["scroll"] <= measure["width"], (path, measure)
        if path != "/reports/target":
            assert page.locator("figure.club-chart img").count() >= 1
        assert axe_violations(page) == []
        _shot(page, "phone-" + name)
        page.set_viewport_size({"width": 1366, "height": 900})
        _shot(page, "wide-" + name)


def test_a_new_target_shows_on_the_dashboard(tab, app, demo_world):
    sign_in(tab, "secretariat@club.example")
    tab.goto("/")
    tab.get_by_role("link", name=tr(app, "fr", "Change the target")).click()
    tab.wait_for_load_state("networkidle")
    tab.get_by_label(tr(app, "fr", "Jobs target")).fill("4500")
    tab.get_by_label(tr(app, "fr", "Horizon")).fill("2030-12-31")
    tab.get_by_role("button", name=tr(app, "fr", "Save the target")).click()
    tab.wait_for_url(lambda url: "/reports/" not in url)  # back on the dashboard
    tab.wait_for_load_state("networkidle")
    assert tr(app, "fr", "The club's jobs target is saved.") in tab.locator("body").inner_text()
    standing = tab.locator(".club-standing").inner_text()
    assert "4\u202f500" in standing and "31 décembre 2030" in standing
    _, text = _jobs_figure(tab, app, "fr")
    assert "4\u202f500" in text and "3\u202f000" not in text
