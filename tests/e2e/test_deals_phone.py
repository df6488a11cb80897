"""Every deals page fits a 390 px phone: nothing scrolls sideways (``scrollWidth <= innerWidth``); wide tables and
the board scroll inside their own keyboard-focusable region. Found: a partner's deal page was 416 px wide."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from club.auth.models import User
from club.deals import services
from club.deals.models import Deal, Decision, DocumentKind, Stage
from club.members.models import Organization
from tests.deals.factories import PDF
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

LONG = "Participation" * 6  # one word of 78 letters, as a careless title or file name would be

OVERFLOW = """() => {
  const width = innerWidth;
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !e.closest('.table-responsive, .deal-board')) {
      wide.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""

REGIONS = """() => Array.from(document.querySelectorAll('.table-responsive, .deal-board')).map(e => ({
  name: e.getAttribute('aria-label'), role: e.getAttribute('role'), tabindex: e.getAttribute('tabindex')}))"""


def _long_deal(db) -> Deal:
    """A deal in committee whose every text is one long word, shared with FIRO, with a meeting."""
    by = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    firo = db.session.scalar(sa.select(Organization).where(Organization.name == "FIRO"))
    deal = db.session.scalar(sa.select(Deal).where(Deal.stage == Stage.COMMITTEE).order_by(Deal.id).limit(1))
    deal.title = f"{LONG} Oujda"
    deal.next_step = LONG
    deal.summary = LONG * 2
    services.add_document(deal, title=LONG, kind=DocumentKind.MEMO, data=PDF, filename=f"{LONG}.pdf", by=by)
    services.add_note(deal, LONG * 2, by=by)
    services.add_comment(deal, LONG * 2, by=by, organization_id=firo.id)
    services.record_meeting(deal, by=by, held_on=date(2026, 11, 20), quorum_reached=True,
                            members=[{"name": LONG[:100], "vote": "for", "conflict_note": ""}],
                            decision=Decision.APPROVED, minutes=LONG * 3)
    db.session.commit()
    return deal


def _check(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    measure = page.evaluate(OVERFLOW)
    assert measure["scroll"] <= measure["width"], (path, measure)
    for region in page.evaluate(REGIONS):
        assert region["role"] == "region" and region["tabindex"] == "0" and region["name"], (path, region)


def test_every_deals_page_fits_a_phone(page, demo_world):
    db = demo_world
    deal = _long_deal(db)
    signed = db.session.scalar(sa.select(Deal).where(Deal.stage == Stage.SIGNED).order_by(Deal.id).limit(1))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "secretariat@club.example")
    for path in ("/deals/", "/deals/table", f"/deals/{deal.id}", f"/deals/{signed.id}", f"/deals/{deal.id}/committee",
                 f"/deals/{deal.id}/edit", f"/deals/{deal.id}/move", f"/deals/{deal.id}/move?to_stage=dropped",
                 "/deals/new", "/deals/table?overdue=y&sort=amount&dir=asc", "/"):
        _check(page, path)
    # The board scrolls inside itself, and the keyboard reaches it
    page.goto("/deals/")
    board = page.locator(".deal-board")
    assert board.evaluate("e => e.scrollWidth > e.clientWidth")
    board.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    assert board.evaluate("e => e.scrollLeft") > 0


def test_every_partner_deals_page_fits_a_phone(page, demo_world):
    db = demo_world
    deal = _long_deal(db)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "partner@firo.example")
    for path in ("/deals/", f"/deals/{deal.id}", "/"):
        _check(page, path)
