"""Browser journeys of the deals module: the secretariat's board and committee, the FIRO partner's opinion."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from club.deals.models import CommitteeDecision, CommitteeMeeting, Deal, Decision, Opinion, Stage, Verdict
from tests.e2e.conftest import axe_violations, sign_in, wait_for_the_board

pytestmark = pytest.mark.e2e


def _deal(db, stage: Stage) -> Deal:
    return db.session.scalar(sa.select(Deal).where(Deal.stage == stage).order_by(Deal.id).limit(1))


def test_secretariat_drags_a_card_across_the_board(page, demo_world):
    db = demo_world
    deal = _deal(db, Stage.LEAD)
    sign_in(page, "secretariat@club.example")
    page.goto("/deals/")
    card = page.locator(f'.deal-card[data-deal-id="{deal.id}"]')
    expect(card).to_be_visible()
    wait_for_the_board(page)
    target = page.locator('.deal-cards[data-stage="screening"]')
    card.locator(".small").first.drag_to(target)
    expect(page.locator('#deal-board .alert-success')).to_be_visible()
    expect(page.locator(f'.deal-cards[data-stage="screening"] .deal-card[data-deal-id="{deal.id}"]')).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.SCREENING
    # Posted to the board's one move menu, the move is audited as any other
    from club.core.models import AuditEvent

    assert db.session.scalar(sa.select(AuditEvent.changes).where(AuditEvent.action == "deal.move",
                                                                 AuditEvent.entity_id == deal.id))["stage"][1] == "screening"


def test_secretariat_moves_with_the_menu_and_records_a_committee_decision(page, demo_world):
    db = demo_world
    lead = _deal(db, Stage.LEAD)
    committee = _deal(db, Stage.COMMITTEE)
    sign_in(page, "secretariat@club.example")
    page.goto("/deals/")
    card = page.locator(f'.deal-card[data-deal-id="{lead.id}"]')
    page.locator("#move-to").select_option("screening")
    card.get_by_role("button").click()
    expect(page.locator(f'.deal-cards[data-stage="screening"] .deal-card[data-deal-id="{lead.id}"]')).to_be_visible()

    page.goto(f"/deals/{committee.id}/committee")
    page.locator("#held_on").fill("2026-11-20")
    page.locator("#quorum_reached").check()
    page.locator("#members-0-name").fill("Karim Bernoussi")
    page.locator("#members-0-vote").select_option("for")
    page.locator("#members-1-name").fill("Salma Idrissi")
    page.locator("#members-1-vote").select_option("for")
    page.locator("#members-2-name").fill("Youssef Benali")
    page.locator("#members-2-conflict_declared").check()
    page.locator("#decision").select_option("approved_with_conditions")
    page.locator("#minutes").fill("Approuvé sous réserve du plan d'emplois.")
    page.locator("form[action$='/committee'] button[type=submit]").click()
    expect(page.locator(".deal-decision")).to_contain_text("Approuvé sous réserve du plan d'emplois.")
    expect(page.locator(".deal-meeting")).to_contain_text("Youssef Benali")
    db.session.expire_all()
    decisions = db.session.scalars(sa.select(CommitteeDecision).join(CommitteeMeeting)
                                   .where(CommitteeMeeting.deal_id == committee.id)).all()
    assert [d.decision for d in decisions] == [Decision.APPROVED_WITH_CONDITIONS]
    assert db.session.get(Deal, lead.id).stage == Stage.SCREENING


def test_firo_partner_reads_a_shared_deal_and_gives_an_opinion(page, demo_world):
    db = demo_world
    committee = _deal(db, Stage.COMMITTEE)
    sign_in(page, "partner@firo.example")
    page.goto("/deals/")
    page.get_by_role("link", name=committee.title).click()
    expect(page.locator("h1")).to_have_text(committee.title)
    expect(page.locator("#notes")).to_have_count(0)
    page.locator("input[name=verdict][value=reserved]").check()
    page.locator("#opinion-comment").fill("Nous souhaitons voir le plan de recrutement.")
    page.locator(".deal-opinion-form button[type=submit]").click()
    expect(page.locator(".deal-opinion")).to_contain_text("Nous souhaitons voir le plan de recrutement.")
    db.session.expire_all()
    opinion = db.session.scalar(sa.select(Opinion))
    assert opinion.verdict == Verdict.RESERVED
    assert re.search("plan de recrutement", opinion.comment)


def test_deal_pages_pass_axe(page, demo_world):
    db = demo_world
    committee = _deal(db, Stage.COMMITTEE)
    signed = _deal(db, Stage.SIGNED)
    sign_in(page, "secretariat@club.example")
    for path in ("/deals/", "/deals/table", f"/deals/{committee.id}", f"/deals/{signed.id}",
                 f"/deals/{committee.id}/committee", f"/deals/{committee.id}/edit", f"/deals/{committee.id}/move",
                 "/deals/new", "/"):
        page.goto(path)
        assert axe_violations(page) == [], path


def test_partner_pages_pass_axe(page, demo_world):
    db = demo_world
    committee = _deal(db, Stage.COMMITTEE)
    sign_in(page, "partner@firo.example")
    for path in ("/deals/", f"/deals/{committee.id}", "/"):
        page.goto(path)
        assert axe_violations(page) == [], path
