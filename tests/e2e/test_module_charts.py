"""Browser journey: the secretariat opens a call, a mission and a programme of the demo world and sees each one's
chart (an SVG image with its alt text, drawn; its figures as a table under it), JavaScript on and off, on a
1280 px screen and on a 390 px phone with nothing scrolling sideways; the pages pass axe-core."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _pages(app, db):
    """(path, chart title, a row of its table as the reader sees it) for the demo's call, mission and programme,
    in French (the browser's language), as the catalogue translates them."""
    from club.incubator.models import Call
    from club.missions.models import Mission
    from club.programmes.models import Programme

    call_id = db.session.scalar(sa.select(Call.id).order_by(Call.id))
    mission_id = db.session.scalar(sa.select(Mission.id).where(Mission.title.like("Visite de Casa-shore%")))
    programme_id = db.session.scalar(sa.select(Programme.id).order_by(Programme.id))
    with app.test_request_context(), force_locale("fr"):
        return [
            # The demo call: four applications submitted, one accepted (a quarter of them).
            (f"/incubator/calls/{call_id}", _("From submission to graduation"),
             [_("Submitted applications"), "4", "100\xa0%"]),
            # The Casa-shore visit: its six seats taken, two people waiting.
            (f"/missions/{mission_id}", _("Seats and waiting list"), [_("Waiting list"), "2"]),
            # The Jerada youth activity: 80 young people enrolled of the 200 targeted.
            (f"/programmes/{programme_id}", _("Results against targets"),
             ["Jeunes inscrits", "40\xa0%", _("%(reached)s of %(target)s", reached="80", target="200")]),
        ]


def test_the_secretariat_sees_each_module_chart(demo_world, app, tab):
    page = tab
    pages = _pages(app, demo_world)
    sign_in(page, "secretariat@club.example")
    for path, title, cells in pages:
        page.goto(path)
        figure = page.locator("figure.club-chart").filter(has=page.get_by_role("heading", name=title, exact=True))
        image = figure.get_by_role("img", name=title, exact=True)
        assert image.get_attribute("src").startswith("data:image/svg+xml;base64,"), path
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), path  # the SVG is drawn
        table = figure.get_by_role("table")
        assert not table.is_visible()  # folded under the picture until asked for
        figure.locator("summary").click()
        rows = [[c.strip() for c in r.locator("th, td").all_inner_texts()] for r in table.locator("tbody tr").all()]
        assert cells in [r[:len(cells)] for r in rows], (path, rows)
        if page.js:  # axe-core is a script: it runs where scripts do (the page is the same HTML either way)
            assert axe_violations(page) == [], path


def test_the_charts_fit_a_phone(demo_world, app, browser, live_server):
    from tests.e2e.conftest import open_tab

    pages = _pages(app, demo_world)
    for js in (True, False):
        tabs = open_tab(browser, live_server, app, js=js, width=390)
        page = next(tabs)
        sign_in(page, "secretariat@club.example")
        for path, title, _cells in pages:
            page.goto(path)
            figure = page.locator("figure.club-chart").filter(has=page.get_by_role("heading", name=title))
            figure.locator("summary").click()
            image = figure.get_by_role("img", name=title)
            box = image.bounding_box()
            assert box and 0 < box["width"] <= 390, (path, box)
            assert page.evaluate(FITS), (path, js)
            if js:
                assert axe_violations(page) == [], path
        next(tabs, None)
