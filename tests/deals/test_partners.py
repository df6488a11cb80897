"""The partners' room: only shared deals, no internal notes, revocation at once, opinions, the access log."""

from __future__ import annotations

import sqlalchemy as sa

from club.core.refusals import Refused
from club.deals import services
from club.deals.models import AccessAction, Deal, DealAccess, DealComment, DealShare, Opinion, Stage, Verdict
from tests.deals.factories import PDF, make_deal, partner_of, staff
from tests.factories import OrganizationFactory, UserFactory


def _setup(db, stage=Stage.COMMITTEE):
    by = staff()
    fund = OrganizationFactory(name="Fonds A", kind="investor")
    partner = partner_of(fund)
    deal = make_deal(by, title="Pact under review", stage=stage, shared_with=[fund])
    services.add_note(deal, "Secret internal note", by=by)
    db.session.commit()
    return by, fund, partner, deal


def _document_urls(deal):
    return [f"/deals/{deal.id}/documents/{doc.id}/versions/{v.id}" for doc in deal.documents for v in doc.versions]


def test_partner_sees_shared_deal_without_internal_notes(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    login_as(partner)
    response = client.get(f"/deals/{deal.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pact under review" in html
    assert "Secret internal note" not in html
    assert "access-log" not in html and 'id="shares"' not in html and 'id="committee"' not in html
    listing = client.get("/deals/").get_data(as_text=True)
    assert "Pact under review" in listing


def test_partner_gets_404_for_unshared_deal_and_its_documents(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    other = make_deal(by, title="Not shared", stage=Stage.COMMITTEE)
    stranger = partner_of()
    login_as(stranger)
    assert client.get(f"/deals/{deal.id}").status_code == 404
    for url in _document_urls(deal):
        assert client.get(url).status_code == 404
    assert "Pact under review" not in client.get("/deals/").get_data(as_text=True)
    login_as(partner)
    assert client.get(f"/deals/{other.id}").status_code == 404
    for url in _document_urls(other):
        assert client.get(url).status_code == 404
    # Nested URLs must agree: a version of another deal's document under this deal is 404.
    doc = other.documents[0]
    assert client.get(f"/deals/{deal.id}/documents/{doc.id}/versions/{doc.versions[0].id}").status_code == 404
    assert client.post(f"/deals/{other.id}/comments", data={"body": "hello"}).status_code == 404
    assert client.post(f"/deals/{other.id}/opinion", data={"verdict": "favourable"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealComment)) == 0


def test_revocation_is_immediate(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    login_as(partner)
    urls = [f"/deals/{deal.id}"] + _document_urls(deal)
    assert all(client.get(u).status_code == 200 for u in urls)
    share = db.session.scalar(sa.select(DealShare).where(DealShare.deal_id == deal.id))
    login_as(by)
    assert client.post(f"/deals/{deal.id}/shares/{share.id}/revoke").status_code == 303
    login_as(partner)
    assert all(client.get(u).status_code == 404 for u in urls)
    assert client.post(f"/deals/{deal.id}/comments", data={"body": "late"}).status_code == 404


def test_member_and_applicant_see_nothing(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    for user in (UserFactory(member=True), UserFactory(applicant=True)):
        login_as(user)
        assert client.get("/deals/").status_code == 404
        assert client.get(f"/deals/{deal.id}").status_code == 404
        for url in _document_urls(deal):
            assert client.get(url).status_code == 404


def test_views_and_downloads_are_logged_for_the_secretariat(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    login_as(partner)
    client.get(f"/deals/{deal.id}")
    url = _document_urls(deal)[0]
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert "no-store" in response.headers["Cache-Control"]
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(db.session.scalars(sa.select(DealAccess).order_by(DealAccess.id)))
    assert [(r.user_id, r.action) for r in rows] == [(partner.id, AccessAction.VIEW), (partner.id, AccessAction.DOWNLOAD)]
    assert rows[1].version_id is not None
    login_as(by)
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert partner.name in html and "memo.pdf" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealAccess)) == 2  # staff views are not logged


def test_partner_comments_in_their_own_thread(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    other_fund = OrganizationFactory(name="Fonds B", kind="investor")
    other_partner = partner_of(other_fund)
    services.share(deal, other_fund, by=by)
    db.session.commit()
    login_as(partner)
    assert client.post(f"/deals/{deal.id}/comments", data={"body": "From A"}).status_code == 303
    login_as(other_partner)
    assert client.post(f"/deals/{deal.id}/comments", data={"body": "From B", "organization_id": fund.id}).status_code == 303
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "From B" in html and "From A" not in html
    comment = db.session.scalar(sa.select(DealComment).where(DealComment.body == "From B"))
    assert comment.organization_id == other_fund.id  # the posted organisation is ignored
    login_as(by)
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "From A" in html and "From B" in html


def test_comment_on_unshared_deal_is_refused_by_the_service(db):
    by = staff()
    deal = make_deal(by)
    fund = OrganizationFactory()
    try:
        services.add_comment(deal, "x", by=by, organization_id=fund.id)
    except Refused:
        db.session.rollback()
    else:
        raise AssertionError("refused expected")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealComment)) == 0


def test_secretariat_comment_into_unshared_thread_keeps_input(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    stranger = OrganizationFactory()
    login_as(by)
    response = client.post(f"/deals/{deal.id}/comments", data={"body": "Kept text", "organization_id": stranger.id})
    assert response.status_code == 422
    assert "Kept text" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealComment)) == 0


def test_one_opinion_per_partner_editable_while_in_committee(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    login_as(partner)
    assert client.post(f"/deals/{deal.id}/opinion", data={"verdict": "reserved", "comment": "Hmm"}).status_code == 303
    assert client.post(f"/deals/{deal.id}/opinion", data={"verdict": "favourable", "comment": "Yes"}).status_code == 303
    opinions = list(db.session.scalars(sa.select(Opinion)))
    assert len(opinions) == 1 and opinions[0].verdict == Verdict.FAVOURABLE and opinions[0].comment == "Yes"
    services.move_deal(db.session.get(Deal, deal.id), Stage.TERM_SHEET, by=by)
    db.session.commit()
    response = client.post(f"/deals/{deal.id}/opinion", data={"verdict": "unfavourable", "comment": "Changed"})
    assert response.status_code == 422
    assert "Changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Opinion)).verdict == Verdict.FAVOURABLE


def test_other_partners_opinions_hidden_until_opened(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    other_fund = OrganizationFactory(name="Fonds B", kind="investor")
    other_partner = partner_of(other_fund)
    services.share(deal, other_fund, by=by)
    db.session.commit()
    login_as(other_partner)
    client.post(f"/deals/{deal.id}/opinion", data={"verdict": "unfavourable", "comment": "Opinion of B"})
    login_as(partner)
    client.post(f"/deals/{deal.id}/opinion", data={"verdict": "favourable", "comment": "Opinion of A"})
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Opinion of A" in html and "Opinion of B" not in html
    login_as(by)
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Opinion of A" in html and "Opinion of B" in html
    assert client.post(f"/deals/{deal.id}/opinions-open", data={"open": "1"}).status_code == 303
    login_as(partner)
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Opinion of A" in html and "Opinion of B" in html


def test_secretariat_cannot_give_an_opinion(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    login_as(by)
    assert client.post(f"/deals/{deal.id}/opinion", data={"verdict": "favourable"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Opinion)) == 0


def test_partner_cannot_reach_secretariat_routes(db, login_as, client):
    by, fund, partner, deal = _setup(db)
    share = db.session.scalar(sa.select(DealShare))
    login_as(partner)
    for method, url in [("get", f"/deals/{deal.id}/edit"), ("post", f"/deals/{deal.id}/move"),
                        ("post", f"/deals/{deal.id}/notes"), ("post", f"/deals/{deal.id}/shares/{share.id}/revoke"),
                        ("get", "/deals/table"), ("get", "/deals/table.csv"), ("get", f"/deals/{deal.id}/committee")]:
        assert getattr(client, method)(url).status_code == 404, url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealShare)) == 1
