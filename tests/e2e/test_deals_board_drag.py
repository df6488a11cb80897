"""The deal board with JavaScript on: a card dragged to a column is posted to that column, at 1366 and
1920 px, whatever list the drag crossed on the way (found: a card dropped on "Abandonné" in a wide window
landed in "Signé"); and the same moves without JavaScript, through each card's move menu and the move form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from club.deals.models import STAGES, TRANSITIONS, Deal, Stage
from tests.e2e.conftest import sign_in, wait_for_the_board

pytestmark = pytest.mark.e2e

# The column a card is taken from to reach each column: the previous stage (a card from the next one for the
# first column); "Dropped" is reached from "Term sheet", across "Signed" and "Closed", as in the report.
SOURCE = {Stage.LEAD: Stage.SCREENING, Stage.DROPPED: Stage.TERM_SHEET}


def _stage_of(db, deal_id: int) -> Stage:
    db.session.expire_all()
    return db.session.get(Deal, deal_id).stage


def _drag(page, card, column, *, release: str) -> None:
    """Drag ``card`` with the mouse, in small steps, along the columns, and release it over ``column``: on its
    heading, or at the bottom of the column, below its last card."""
    wait_for_the_board(page)
    column.evaluate("c => c.scrollIntoView({block: 'nearest', inline: 'nearest'})")
    grip = card.locator(".small").first
    start = grip.bounding_box()
    head = column.locator("h2").bounding_box()
    box = column.bounding_box()
    if release == "heading":
        end = (head["x"] + head["width"] / 2, head["y"] + head["height"] / 2)
    else:
        end = (box["x"] + box["width"] / 2, box["y"] + box["height"] - 12)
    x0, y0 = start["x"] + 10, start["y"] + start["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    steps = 24
    low = max(y0, end[1]) + 40  # cross the other columns low down, through their lists (the tall "Signed" one)
    for i in range(1, steps + 1):
        x = x0 + (end[0] - x0) * i / steps
        page.mouse.move(x, low if i < steps - 2 else end[1])
        page.wait_for_timeout(15)
    if release != "heading":  # the columns' height may have changed while the card was carried: aim again
        box = column.bounding_box()
        end = (box["x"] + box["width"] / 2, box["y"] + box["height"] - 12)
    page.mouse.move(*end)
    page.wait_for_timeout(50)
    page.mouse.up()


@pytest.mark.parametrize("width", [1366, 1920])
def test_a_card_dragged_to_each_column_is_posted_to_that_column(page, demo_world, width):
    db = demo_world
    page.set_viewport_size({"width": width, "height": 1000})
    sign_in(page, "secretariat@club.example")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.post_data or "") if r.method == "POST" and "/move" in r.url else None)
    for n, stage in enumerate(STAGES):
        source = SOURCE.get(stage, STAGES[STAGES.index(stage) - 1])
        page.goto("/deals/")
        card = page.locator(f'.deal-cards[data-stage="{source.value}"] .deal-card').first
        if not card.count():
            continue  # the demo's "closed" column is empty: nothing to take from it
        deal_id = int(card.get_attribute("data-deal-id"))
        before = _stage_of(db, deal_id)
        column = page.locator(f'.deal-column:has(.deal-cards[data-stage="{stage.value}"])')
        posted.clear()
        with page.expect_response(lambda r: "/move" in r.url):
            _drag(page, card, column, release="heading" if n % 2 == 0 else "bottom")
        assert len(posted) == 1 and f"to_stage={stage.value}" in posted[0], (stage, posted)
        alert = page.locator("#deal-board .alert")
        expect(alert).to_be_visible()
        moved = page.locator(f'.deal-cards[data-stage="{stage.value}"] .deal-card[data-deal-id="{deal_id}"]')
        if "alert-success" in alert.get_attribute("class"):
            expect(moved).to_be_visible()
            assert _stage_of(db, deal_id) == stage
        else:
            # Refused (not an allowed move, or the move needs a reason or a date): the card stays where it was
            assert stage not in TRANSITIONS[before] or stage in (Stage.DROPPED, Stage.SIGNED, Stage.COMMITTEE)
            expect(page.locator(f'.deal-cards[data-stage="{before.value}"] .deal-card[data-deal-id="{deal_id}"]'))\
                .to_be_visible()
            assert _stage_of(db, deal_id) == before
    assert _stage_of(db, db.session.scalar(sa.select(Deal.id).where(Deal.title.like("Prise de participation — Oriental%")))) \
        in (Stage.TERM_SHEET, Stage.DROPPED)


def test_dropping_a_card_on_dropped_asks_for_the_reason_then_drops_it(page, demo_world):
    """The found instance: from "Term sheet", across "Signed", released on the "Dropped" heading, 1920 px."""
    db = demo_world
    page.set_viewport_size({"width": 1920, "height": 1000})
    sign_in(page, "secretariat@club.example")
    page.goto("/deals/")
    card = page.locator('.deal-cards[data-stage="term_sheet"] .deal-card').first
    deal_id = int(card.get_attribute("data-deal-id"))
    column = page.locator('.deal-column:has(.deal-cards[data-stage="dropped"])')
    with page.expect_response(lambda r: "/move" in r.url):
        _drag(page, card, column, release="heading")
    alert = page.locator("#deal-board .alert-danger")
    expect(alert).to_contain_text("Indiquez pourquoi le dossier est abandonné")
    assert _stage_of(db, deal_id) == Stage.TERM_SHEET
    alert.get_by_role("link").click()
    expect(page.locator("#to_stage")).to_have_value("dropped")
    page.locator("#reason").fill("Le porteur a choisi un autre investisseur.")
    page.get_by_role("button", name="Déplacer").click()
    expect(page.locator(f'.deal-cards[data-stage="dropped"] .deal-card[data-deal-id="{deal_id}"]')).to_be_visible()
    db.session.expire_all()
    deal = db.session.get(Deal, deal_id)
    assert deal.stage == Stage.DROPPED and deal.drop_reason == "Le porteur a choisi un autre investisseur."


def test_a_card_released_outside_every_column_goes_back(page, demo_world):
    db = demo_world
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "secretariat@club.example")
    page.goto("/deals/")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    card = page.locator('.deal-cards[data-stage="lead"] .deal-card').first
    deal_id = int(card.get_attribute("data-deal-id"))
    start = card.locator(".small").first.bounding_box()
    heading = page.locator("h1").bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 5)
    page.mouse.down()
    for i in range(1, 16):  # across "Screening", then up out of the board, over the page title
        page.mouse.move(start["x"] + 10 + 15 * i, start["y"] + 5 if i < 8 else heading["y"] + 5)
        page.wait_for_timeout(15)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert posted == []
    expect(page.locator(f'.deal-cards[data-stage="lead"] .deal-card[data-deal-id="{deal_id}"]')).to_be_visible()
    assert _stage_of(db, deal_id) == Stage.LEAD
