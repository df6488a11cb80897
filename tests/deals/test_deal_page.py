"""The deal page, create and edit (optimistic locking), documents, notes, shares, bad input."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused
from club.deals import services
from club.deals.models import Deal, DealDocument, DealNote, DealShare, DocumentVersion, Stage, StageChange
from club.extensions import db as _db
from club.models import utcnow
from tests.conftest import text
from tests.deals.factories import PDF, make_deal, partner_of, staff
from tests.factories import OrganizationFactory


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _form(deal: Deal, **changes) -> dict:
    data = {"title": deal.title, "kind": deal.kind.value, "target_id": deal.target.name,
            "investor_ids": [str(o.id) for o in deal.investors],
            "amount": f"{deal.amount:.2f}".replace(".", ",") if deal.amount else "",  # as the French form shows it
            "stake": "", "owner_id": str(deal.owner_id or 0), "summary": deal.summary, "next_step": deal.next_step,
            "version": str(deal.version)}
    data.update(changes)
    return data


def test_create_a_deal(db, login_as, client):
    by = staff()
    target, fund, cosigner = OrganizationFactory(name="Notoriety"), OrganizationFactory(name="FIRO"), OrganizationFactory()
    login_as(by)
    assert client.get("/deals/new").status_code == 200
    response = client.post("/deals/new", data={
        "title": "Pacte", "kind": "shareholders_pact", "target_id": target.name, "investor_ids": [fund.id],
        "signatory_ids": [cosigner.id], "amount": "1 250 000,50", "stake": "20,5", "owner_id": by.id})
    assert response.status_code == 303, response.get_data(as_text=True)
    deal = db.session.scalar(sa.select(Deal))
    assert deal.amount == Decimal("1250000.50") and deal.stake == Decimal("20.50")
    assert [o.name for o in deal.investors] == ["FIRO"] and deal.signatories == [cosigner]
    assert deal.stage == Stage.LEAD
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StageChange)) == 1
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "deals")) == "deal.create"


def test_mou_needs_no_amount_but_others_do(db, login_as, client):
    by = staff()
    target, fund = OrganizationFactory(), OrganizationFactory()
    login_as(by)
    base = {"title": "MoU", "target_id": target.name, "investor_ids": [fund.id], "owner_id": by.id, "amount": ""}
    assert client.post("/deals/new", data={**base, "kind": "mou"}).status_code == 303
    response = client.post("/deals/new", data={**base, "kind": "loan", "title": "Loan kept"})
    assert response.status_code == 422
    assert "Loan kept" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deal)) == 1


def test_bad_amounts_and_stakes_are_refused_with_input_kept(db, login_as, client):
    by = staff()
    target, fund = OrganizationFactory(), OrganizationFactory()
    login_as(by)
    base = {"title": "Bad input", "kind": "equity", "target_id": target.name, "investor_ids": [fund.id],
            "owner_id": by.id, "amount": "100", "stake": "10"}
    for field, value in [("amount", "-5"), ("amount", "12abc"), ("amount", "1.234"), ("amount", "1e5"),
                         ("stake", "101"), ("stake", "-1"), ("stake", "ten")]:
        response = client.post("/deals/new", data={**base, field: value})
        assert response.status_code == 422, (field, value)
        html = response.get_data(as_text=True)
        assert f'value="{value}"' in html, (field, value)
        assert "invalid-feedback" in html
    response = client.post("/deals/new", data={**base, "investor_ids": []})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deal)) == 0


def test_service_refuses_bad_values(db):
    by = staff()
    target, fund = OrganizationFactory(), OrganizationFactory()
    for values in ({"amount": Decimal("-1")}, {"amount": Decimal("1"), "stake": Decimal("100.01")}, {"amount": None}):
        try:
            services.create_deal(by=by, investor_ids=[fund.id], title="x", kind="equity", target_id=target.id,
                                 **values)
        except Refused:
            db.session.rollback()
        else:
            raise AssertionError(values)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deal)) == 0


def test_deal_page_shows_everything_to_the_secretariat(db, login_as, client):
    by = staff()
    fund = OrganizationFactory(name="FIRO test")
    partner_of(fund)
    deal = make_deal(by, title="Full page", stage=Stage.COMMITTEE, shared_with=[fund], next_step="Call the CFO",
                     next_step_due=utcnow().date() - timedelta(days=1))
    services.add_note(deal, "Only for us", by=by)
    db.session.commit()
    login_as(by)
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    for shown in ("Full page", "Only for us", "Call the CFO", "FIRO test", "memo.pdf", 'id="access-log"',
                  'id="committee"', f"/deals/{deal.id}/committee"):
        assert shown in html, shown
    # Stage history with the time spent in each stage.
    assert html.count("table-active") == 1


def test_deal_page_runs_a_constant_number_of_queries(db, login_as, client, count_queries):
    by = staff()
    fund = OrganizationFactory()
    partner = partner_of(fund)

    def grow(deal, n):
        for i in range(n):
            services.add_note(deal, f"note {i}", by=by)
            services.add_document(deal, title=f"Doc {i}", kind="other", data=PDF, filename=f"d{i}.pdf", by=by)
            _db.session.add(StageChange(deal_id=deal.id, from_stage=Stage.LEAD, to_stage=Stage.SCREENING, by_id=by.id,
                                        at=utcnow() - timedelta(days=100 + i)))
            services.add_comment(deal, f"comment {i}", by=by, organization_id=fund.id)
            services.log_access(deal, partner, "view")
        _db.session.commit()

    counts = []
    for n in (2, 20):
        deal = make_deal(by, stage=Stage.COMMITTEE, shared_with=[fund])
        grow(deal, n)
        for user in (by, partner):
            login_as(user)
            client.get(f"/deals/{deal.id}")
            with count_queries() as q:
                assert client.get(f"/deals/{deal.id}").status_code == 200
            counts.append((n, user.role, q.count))
    assert [c for n, r, c in counts if n == 2] == [c for n, r, c in counts if n == 20], counts


def test_upload_documents_and_versions(db, login_as, client):
    by = staff()
    deal = make_deal(by)
    login_as(by)
    response = client.post(f"/deals/{deal.id}/documents", data={
        "title": "Business plan", "kind": "financials", "file": (io.BytesIO(_docx()), "plan.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    document = db.session.scalar(sa.select(DealDocument))
    response = client.post(f"/deals/{deal.id}/documents/{document.id}/versions",
                           data={"file": (io.BytesIO(PDF), "plan-v2.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    numbers = db.session.scalars(sa.select(DocumentVersion.number).order_by(DocumentVersion.number)).all()
    assert numbers == [1, 2]
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "plan.docx" in html and "plan-v2.pdf" in html


def test_wrong_or_too_big_documents_are_refused(db, login_as, client, configured):
    by = staff()
    deal = make_deal(by)
    login_as(by)
    response = client.post(f"/deals/{deal.id}/documents", data={
        "title": "Fake memo", "kind": "memo", "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "memo.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Fake memo" in html and "invalid-feedback" in html
    big = b"%PDF-1.4\n" + b"0" * (services.MAX_DOCUMENT_SIZE + 1)
    with configured(MAX_CONTENT_LENGTH=services.MAX_DOCUMENT_SIZE * 2):
        response = client.post(f"/deals/{deal.id}/documents", data={
            "title": "Big memo", "kind": "memo", "file": (io.BytesIO(big), "memo.pdf")},
            content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Big memo" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealDocument)) == 0


def test_notes_and_shares(db, login_as, client):
    by = staff()
    deal = make_deal(by)
    fund = OrganizationFactory(name="Partner fund")
    partner_of(fund)
    member_org = OrganizationFactory(name="Member org")
    login_as(by)
    assert client.post(f"/deals/{deal.id}/notes", data={"body": "A note"}).status_code == 303
    assert client.post(f"/deals/{deal.id}/notes", data={"body": ""}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealNote)) == 1
    assert client.post(f"/deals/{deal.id}/shares", data={"organization_id": fund.id}).status_code == 303
    assert client.post(f"/deals/{deal.id}/shares", data={"organization_id": fund.id}).status_code == 303
    # Only organisations with partner users can be chosen.
    assert client.post(f"/deals/{deal.id}/shares", data={"organization_id": member_org.id}).status_code == 422
    assert db.session.scalars(sa.select(DealShare.organization_id)).all() == [fund.id]


def test_nested_urls_must_agree(db, login_as, client):
    by = staff()
    fund = OrganizationFactory()
    one = make_deal(by, stage=Stage.COMMITTEE, shared_with=[fund])
    two = make_deal(by)
    share = db.session.scalar(sa.select(DealShare))
    document = one.documents[0]
    login_as(by)
    assert client.post(f"/deals/{two.id}/shares/{share.id}/revoke").status_code == 404
    assert client.get(f"/deals/{two.id}/documents/{document.id}/versions/{document.versions[0].id}").status_code == 404
    assert client.post(f"/deals/{two.id}/documents/{document.id}/versions",
                       data={"file": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealShare)) == 1
    assert client.get("/deals/999999").status_code == 404


def test_edit_saves_and_audits(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Before", amount=Decimal("10.00"))
    login_as(by)
    assert client.get(f"/deals/{deal.id}/edit").status_code == 200
    response = client.post(f"/deals/{deal.id}/edit", data=_form(deal, title="After", amount="20,00"))
    assert response.status_code == 303
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert (deal.title, deal.amount, deal.version) == ("After", Decimal("20.00"), 2)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "deal.update"))
    assert event.changes["title"] == ["Before", "After"] and event.changes["amount"] == ["10.00", "20.00"]


def test_second_concurrent_save_is_refused_with_both_versions(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Original", amount=Decimal("10.00"))
    login_as(by)
    first = _form(deal, title="First save")
    second = _form(deal, title="Second save", summary="Typed at length")
    assert client.post(f"/deals/{deal.id}/edit", data=first).status_code == 303
    response = client.post(f"/deals/{deal.id}/edit", data=second)
    assert response.status_code == 409
    html = text(response)
    assert 'value="Second save"' in html and "Typed at length" in html  # nothing typed is lost
    # core's one answer (core/_stale.html): field by field, what was typed beside what is saved now
    assert "Enregistré entre-temps par quelqu'un d'autre" in html
    assert '<tr><th scope="row">Titre</th><td>Second save</td><td>First save</td></tr>' in html
    assert '<tr><th scope="row">Résumé</th><td>Typed at length</td><td>—</td></tr>' in html
    assert '<th scope="row">Montant (MAD)</th>' not in html  # a field nobody changed is not listed
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).title == "First save"
    # Saving again (the form now carries the current version) overwrites knowingly.
    second["version"] = str(db.session.get(Deal, deal.id).version)
    assert client.post(f"/deals/{deal.id}/edit", data=second).status_code == 303
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).title == "Second save"


def test_stale_write_is_stopped_by_the_version_column(db):
    """The backstop: an UPDATE carrying an old version changes nothing (both databases)."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    deal = make_deal(staff(), title="Locked")
    with Session(db.engine) as one, Session(db.engine) as two:
        a = one.get(Deal, deal.id)
        b = two.get(Deal, deal.id)
        a.title = "One"
        one.commit()
        b.title = "Two"
        try:
            two.commit()
        except StaleDataError:
            two.rollback()
        else:
            raise AssertionError("stale write accepted")
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).title == "One"


def test_a_stale_save_with_an_error_answers_409_with_both_versions_and_the_errors(db, login_as, client):
    """Stale and invalid at once: the conflict is said at once (409), with the field errors, nothing lost."""
    by = staff()
    deal = make_deal(by, title="Original", amount=Decimal("10.00"))
    login_as(by)
    stale = _form(deal, title="Mon titre", amount="dix", summary="Tapé longuement")
    assert client.post(f"/deals/{deal.id}/edit", data=_form(deal, title="Saved by a colleague")).status_code == 303
    response = client.post(f"/deals/{deal.id}/edit", data=stale)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'value="Mon titre"' in html and "Tapé longuement" in html and 'value="dix"' in html
    assert "Saved by a colleague" in html  # the version now saved, beside
    assert "Saisissez un montant en MAD" in html  # the field error too
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).title == "Saved by a colleague"


def test_a_save_without_its_version_is_a_conflict_not_an_overwrite(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Original", amount=Decimal("10.00"))
    login_as(by)
    for version in ("", "pas-une-version", "99999999999999999999"):
        response = client.post(f"/deals/{deal.id}/edit", data=_form(deal, title="Forged", version=version))
        assert response.status_code == 409
        assert 'value="Forged"' in response.get_data(as_text=True)
    data = _form(deal, title="Forged")
    del data["version"]
    assert client.post(f"/deals/{deal.id}/edit", data=data).status_code == 409
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).title == "Original"


def test_a_refused_new_version_is_said_at_its_document(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)  # with its memo
    memo = deal.documents[0]
    login_as(by)
    response = client.post(f"/deals/{deal.id}/documents/{memo.id}/versions",
                           data={"file": (io.BytesIO(b"<html>not a pdf</html>"), "memo-v2.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = text(response)
    error = f'<div id="version-{memo.id}-error" class="invalid-feedback d-block">'
    assert error in html and f'aria-describedby="version-{memo.id}-error"' in html
    assert re.search(re.escape(error) + r"\s*<div>Ce fichier n’est pas d’un type accepté \(Word \(DOCX\), PDF", html)
    response = client.post(f"/deals/{deal.id}/documents/{memo.id}/versions", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and error in text(response)
    assert db.session.scalars(sa.select(DocumentVersion.number).where(DocumentVersion.document_id == memo.id)).all() \
        == [1]
