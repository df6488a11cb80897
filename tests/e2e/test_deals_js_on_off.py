"""Every scripted or htmx control of the deals pages, once with JavaScript on and once with it off: the board's
move menu, the table's filters and sorting, the deal page's forms (move, document, version, note, comment, share,
revoke, opinions shown), the committee, the edit form and its stale save, the partner's opinion. Each refusal
shows its message at the field and keeps what was typed."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from club.deals.models import (
    CommitteeDecision,
    CommitteeMeeting,
    Deal,
    DealComment,
    DealDocument,
    DealNote,
    DealShare,
    Decision,
    DocumentVersion,
    Opinion,
    Stage,
    Verdict,
)
from tests.deals.factories import PDF
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _deal(db, stage: Stage) -> Deal:
    db.session.expire_all()
    return db.session.scalar(sa.select(Deal).where(Deal.stage == stage).order_by(Deal.id).limit(1))


def _count(db, model, **where) -> int:
    db.session.expire_all()
    stmt = sa.select(sa.func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def _settle(page):
    page.wait_for_load_state("networkidle")


def test_board_move_menu(tab, demo_world):
    db = demo_world
    lead = _deal(db, Stage.LEAD)
    sign_in(tab, "secretariat@club.example")
    tab.goto("/deals/")
    card = tab.locator(f'.deal-card[data-deal-id="{lead.id}"]')
    tab.locator("#move-to").select_option("screening")
    card.get_by_role("button", name="Déplacer").click()
    expect(tab.locator(f'.deal-cards[data-stage="screening"] .deal-card[data-deal-id="{lead.id}"]')).to_be_visible()
    expect(tab.locator("main").get_by_text("déplacé vers « Présélection »")).to_be_visible()
    assert _deal(db, Stage.SCREENING) is not None and db.session.get(Deal, lead.id).stage == Stage.SCREENING
    # A move that needs a reason goes to the move form, which keeps what was typed when it refuses
    card = tab.locator(f'.deal-card[data-deal-id="{lead.id}"]')
    tab.locator("#move-to").select_option("dropped")
    card.get_by_role("button", name="Déplacer").click()
    _settle(tab)
    expect(tab.locator("#reason-error")).to_contain_text("Indiquez pourquoi")
    expect(tab.locator("#to_stage")).to_have_value("dropped")
    tab.locator("#reason").fill("Hors du périmètre du club.")
    tab.locator("main form button[type=submit]").click()
    expect(tab.locator(f'.deal-cards[data-stage="dropped"] .deal-card[data-deal-id="{lead.id}"]')).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Deal, lead.id).drop_reason == "Hors du périmètre du club."


def test_table_filters_and_sorting(tab, demo_world):
    sign_in(tab, "secretariat@club.example")
    tab.goto("/deals/table")
    expect(tab.locator(".deal-table-totals")).to_contain_text("8 dossiers")
    tab.locator("#stage").select_option("signed")
    if not tab.js:
        tab.get_by_role("button", name="Filtrer").click()
    expect(tab.locator(".deal-table-totals")).to_contain_text("2 dossiers")
    expect(tab).to_have_url(re.compile(r"stage=signed"))
    rows = tab.locator("#deal-table tbody tr")
    expect(rows).to_have_count(2)
    tab.locator("#deal-table thead").get_by_role("link", name="Montant").click()
    expect(tab.locator("#deal-table th[aria-sort]")).to_contain_text("Montant")
    expect(tab).to_have_url(re.compile(r"(?=.*sort=amount)(?=.*stage=signed)"))
    first = tab.locator("#deal-table tbody tr").first
    expect(first).to_contain_text("Pacte d'associés FIRO × Notoriety")  # 10 000 000 MAD before the MoU (none)
    tab.reload()  # what the address bar says can be loaded again
    expect(tab.locator(".deal-table-totals")).to_contain_text("2 dossiers")


def test_deal_page_forms(tab, demo_world, tmp_path):
    db = demo_world
    deal = _deal(db, Stage.TERM_SHEET)
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/deals/{deal.id}")
    # A note: refused empty, then added
    tab.locator("#note-body").fill("   ")
    tab.locator("#notes button[type=submit]").click()
    expect(tab.locator("#notes .invalid-feedback")).to_be_visible()
    tab.locator("#note-body").fill("Appeler le directeur financier lundi.")
    tab.locator("#notes button[type=submit]").click()
    expect(tab.locator(".deal-note")).to_contain_text("Appeler le directeur financier lundi.")
    assert _count(db, DealNote, deal_id=deal.id) == 1
    # Share with FIRO, comment in its thread, show opinions, revoke
    tab.locator("#share-organization").select_option(label="FIRO")
    tab.locator("#shares button[type=submit]").click()
    expect(tab.locator(".deal-share")).to_contain_text("FIRO")
    assert _count(db, DealShare, deal_id=deal.id) == 1
    tab.locator("#comment-body").fill("Merci de relire la lettre d'intention.")
    tab.locator("#comments button[type=submit]").click()
    expect(tab.locator(".deal-comment")).to_contain_text("Merci de relire la lettre d'intention.")
    assert _count(db, DealComment, deal_id=deal.id) == 1
    tab.locator("#opinions button[type=submit]").click()
    expect(tab.locator("#opinions")).to_contain_text("Les partenaires voient les avis des uns et des autres.")
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).opinions_open
    tab.locator(".deal-share").get_by_role("button", name="Révoquer").click()
    expect(tab.locator("#shares")).to_contain_text("Partagé avec aucun partenaire")
    assert _count(db, DealShare, deal_id=deal.id) == 0
    # A document: refused when the content is not a PDF (the title is kept), then added; then a new version
    fake = tmp_path / "lettre.pdf"
    fake.write_bytes(b"<html>not a pdf</html>")
    real = tmp_path / "lettre-intention.pdf"
    real.write_bytes(PDF)
    documents = _count(db, DealDocument, deal_id=deal.id)  # the memo written during due diligence
    if not tab.locator("#document-title").is_visible():
        tab.locator("#documents summary").click()
    tab.locator("#document-title").fill("Lettre d'intention signée")
    tab.locator("#document-file").set_input_files(str(fake))
    tab.locator("#documents form[action$='/documents'] button[type=submit]").click()
    expect(tab.locator("#document-file-error")).to_be_visible()
    expect(tab.locator("#document-title")).to_have_value("Lettre d'intention signée")
    assert _count(db, DealDocument, deal_id=deal.id) == documents
    tab.locator("#document-file").set_input_files(str(real))
    tab.locator("#documents form[action$='/documents'] button[type=submit]").click()
    expect(tab.locator(".deal-document").last).to_contain_text("Lettre d'intention signée")
    assert _count(db, DealDocument, deal_id=deal.id) == documents + 1
    document = db.session.scalar(sa.select(DealDocument).where(DealDocument.deal_id == deal.id)
                                 .order_by(DealDocument.id.desc()).limit(1))
    tab.locator(f"#version-{document.id}").set_input_files(str(real))
    tab.locator(".deal-document").last.get_by_role("button", name="Ajouter une version").click()
    expect(tab.locator(".deal-document").last).to_contain_text("Version 2")
    assert _count(db, DocumentVersion, document_id=document.id) == 2
    # The move form of the deal page: to "Signed" without a date goes to the move form, keeping the choice
    tab.locator("#to_stage").select_option("signed")
    tab.locator("main form[action$='/move'] button[type=submit]").click()
    expect(tab.locator("#to_stage")).to_have_value("signed")
    expect(tab.locator("main")).to_contain_text("Indiquez la date de signature")
    tab.locator("#signed_on").fill("2026-11-30")
    tab.locator("main form[action$='/move'] button[type=submit]").click()
    expect(tab.locator(".deal-stage")).to_have_text("Signé")
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.SIGNED


def test_committee_and_correction(tab, demo_world):
    db = demo_world
    deal = _deal(db, Stage.COMMITTEE)
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/deals/{deal.id}/committee")
    tab.locator("#quorum_reached").check()
    for n, (name, vote) in enumerate([("Karim Bernoussi", "for"), ("Salma Idrissi", "against"),
                                      ("Youssef Benali", "against")]):
        tab.locator(f"#members-{n}-name").fill(name)
        tab.locator(f"#members-{n}-vote").select_option(vote)
    tab.locator("#decision").select_option("approved")
    tab.locator("#minutes").fill("Vote serré sur l'entrée au capital.")
    tab.locator("form[action$='/committee'] button[type=submit]").click()
    expect(tab.locator("#decision-error")).to_contain_text("1 voix pour, 2 voix contre, 0 abstention")
    expect(tab.locator("#minutes")).to_have_value("Vote serré sur l'entrée au capital.")
    expect(tab.locator("#members-2-name")).to_have_value("Youssef Benali")
    assert _count(db, CommitteeMeeting, deal_id=deal.id) == 0
    tab.locator("#decision").select_option("rejected")
    tab.locator("form[action$='/committee'] button[type=submit]").click()
    expect(tab.locator(".deal-decision")).to_contain_text("Vote serré sur l'entrée au capital.")
    # A correction to "approved" is refused with the count too; to "deferred" it is recorded
    meeting = tab.locator(".deal-meeting").first
    if not meeting.locator("#correction-minutes").is_visible():
        meeting.locator("summary").click()
    meeting.locator("#correction-decision").select_option("approved")
    meeting.locator("#correction-minutes").fill("Correction : approuvé.")
    meeting.get_by_role("button", name="Enregistrer la correction").click()
    expect(tab.locator("#correction-decision-error")).to_contain_text("1 voix pour, 2 voix contre")
    expect(tab.locator("#correction-minutes")).to_have_value("Correction : approuvé.")
    tab.locator("#correction-decision").select_option("deferred")
    tab.get_by_role("button", name="Enregistrer la correction").click()
    expect(tab.locator(".deal-decision")).to_have_count(2)
    db.session.expire_all()
    decisions = db.session.scalars(sa.select(CommitteeDecision.decision).join(CommitteeMeeting)
                                   .where(CommitteeMeeting.deal_id == deal.id).order_by(CommitteeDecision.id)).all()
    assert decisions == [Decision.REJECTED, Decision.DEFERRED]


def test_edit_and_a_stale_save(tab, demo_world):
    db = demo_world
    deal = _deal(db, Stage.SCREENING)
    sign_in(tab, "secretariat@club.example")
    tab.goto(f"/deals/{deal.id}/edit")
    tab.locator("#title").fill("Subvention formation — Groupe B (révisée)")
    tab.locator("#amount").fill("1 600 000,00")
    tab.get_by_role("button", name="Enregistrer").click()
    expect(tab.locator("h1")).to_have_text("Subvention formation — Groupe B (révisée)")
    expect(tab.locator(".deal-amount")).to_contain_text("1\u202f600\u202f000,00")
    # A colleague saves while this form is open: the save answers with both versions, nothing typed is lost
    tab.goto(f"/deals/{deal.id}/edit")
    db.session.expire_all()
    other = db.session.get(Deal, deal.id)
    other.title = "Titre enregistré par une collègue"
    db.session.commit()
    tab.locator("#summary").fill("Résumé tapé longuement.")
    tab.get_by_role("button", name="Enregistrer").click()
    expect(tab.locator("section[aria-labelledby=stale-title]")).to_contain_text("Titre enregistré par une collègue")
    expect(tab.locator("#summary")).to_have_value("Résumé tapé longuement.")
    expect(tab.locator("#title")).to_have_value("Subvention formation — Groupe B (révisée)")
    tab.get_by_role("button", name="Enregistrer").click()  # saving again keeps mine, knowingly
    expect(tab.locator("h1")).to_have_text("Subvention formation — Groupe B (révisée)")
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).summary == "Résumé tapé longuement."


def test_partner_opinion(tab, demo_world):
    db = demo_world
    deal = _deal(db, Stage.COMMITTEE)
    sign_in(tab, "partner@firo.example")
    tab.goto(f"/deals/{deal.id}")
    tab.locator("#opinion-comment").fill("Nous attendons le plan de recrutement.")
    tab.locator(".deal-opinion-form button[type=submit]").click()  # no verdict chosen: refused, comment kept
    expect(tab.locator(".deal-opinion-form .invalid-feedback")).to_be_visible()
    expect(tab.locator("#opinion-comment")).to_have_value("Nous attendons le plan de recrutement.")
    assert _count(db, Opinion, deal_id=deal.id) == 0
    tab.locator("input[name=verdict][value=reserved]").check()
    tab.locator(".deal-opinion-form button[type=submit]").click()
    expect(tab.locator(".deal-opinion")).to_contain_text("Nous attendons le plan de recrutement.")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Opinion.verdict).where(Opinion.deal_id == deal.id)) == Verdict.RESERVED
    tab.locator("input[name=verdict][value=favourable]").check()
    tab.locator(".deal-opinion-form button[type=submit]").click()
    expect(tab.locator(".deal-opinion")).to_contain_text("Favorable")
    assert _count(db, Opinion, deal_id=deal.id) == 1
