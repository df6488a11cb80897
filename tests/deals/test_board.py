"""The board and the table: columns, totals and days in stage from SQL, moves, filters, CSV, query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from club.deals import services
from club.deals.models import Deal, DealKind, Stage, StageChange
from club.models import utcnow
from tests.conftest import text
from tests.deals.factories import make_deal, staff
from tests.factories import OrganizationFactory


def _many(db, n: int, by, stage=Stage.LEAD):
    target, investor = OrganizationFactory(), OrganizationFactory()
    for i in range(n):
        services.create_deal(by=by, investor_ids=[investor.id], title=f"Deal {i}", kind=DealKind.LOAN,
                             target_id=target.id, amount=Decimal("100.00"), owner_id=by.id)
    db.session.commit()


def test_board_columns_totals_and_days(db, login_as, client):
    by = staff()
    make_deal(by, title="Alpha", amount=Decimal("1250000.00"))
    make_deal(by, title="Beta", amount=Decimal("250000.50"))
    gamma = make_deal(by, title="Gamma", amount=Decimal("10.00"), stage=Stage.SCREENING)
    db.session.execute(sa.update(Deal).where(Deal.id == gamma.id).values(stage_entered_at=utcnow() - timedelta(days=12, hours=2)))
    db.session.commit()
    login_as(by)  # in French (tests.deals.factories.staff)
    response = client.get("/deals/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha" in html and "Gamma" in html
    assert "1 500 000,50" in html.replace("\u202f", " ").replace("\xa0", " ")
    assert "12 jours" in html and "12 days" not in html
    assert 'src="/static/deals.js"' in html and "Sortable.min.js" in html
    assert "<script>" not in html and 'style="' not in html


def test_column_figures_are_sql_sums(db):
    from club.deals.queries import board_cards, column_figures

    by = staff()
    make_deal(by, amount=Decimal("0.10"))
    make_deal(by, amount=Decimal("0.20"))
    make_deal(by, kind=DealKind.MOU, amount=None)
    figures = column_figures()
    assert figures[Stage.LEAD] == {"count": 3, "total": Decimal("0.30")}
    assert figures[Stage.SIGNED]["count"] == 0
    cards = board_cards()
    assert [days for _, days in cards[Stage.LEAD]] == [0, 0, 0]
    assert all(cards[s] == [] for s in Stage if s != Stage.LEAD)


def test_board_partial_for_htmx(db, login_as, client):
    login_as(staff())
    response = client.get("/deals/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_move_menu_without_javascript(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Menu")
    login_as(by)
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "screening", "next": "/deals/"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/deals/")
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.SCREENING


def test_the_board_shares_one_move_menu_without_javascript(db, login_as, client):
    """One form for the whole board (not one per card): the stage chosen in it, the deal named by the card's
    button; a real post with its CSRF token, the move recorded and audited."""
    from club.core.models import AuditEvent

    by = staff()
    deal = make_deal(by, title="Shared menu")
    make_deal(by, title="Other card")
    login_as(by)
    html = client.get("/deals/").get_data(as_text=True)
    board = html[html.index("<main"):]
    assert board.count("<form") == 1 and 'id="deal-move"' in board and 'name="csrf_token"' in board
    assert f'form="deal-move" name="deal_id" value="{deal.id}"' in board and 'data-move-url' not in board
    response = client.post("/deals/move", data={"deal_id": deal.id, "to_stage": "screening", "next": "/deals/"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/deals/")
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.SCREENING
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "deal.move",
                                                          AuditEvent.entity_id == deal.id))
    assert event is not None and event.changes["stage"][1] == "screening"


def test_the_shared_move_menu_reports_what_is_missing(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Unmoved")
    login_as(by)
    # No stage chosen: the move form, its field says so; no deal named: the board says so; nothing moves.
    response = client.post("/deals/move", data={"deal_id": deal.id, "to_stage": "", "next": "/deals/"})
    assert response.status_code == 422 and 'id="to_stage-error"' in response.get_data(as_text=True)
    response = client.post("/deals/move", data={"to_stage": "screening"})
    assert response.status_code == 422 and "alert-danger" in response.get_data(as_text=True)
    response = client.post("/deals/move", data={"deal_id": "x", "to_stage": "screening"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="deal-board"' in response.get_data(as_text=True)
    assert client.post("/deals/move", data={"deal_id": 10**9, "to_stage": "screening"}).status_code == 404
    html = client.post("/deals/move", data={"deal_id": deal.id, "to_stage": "screening"},
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html and "alert-success" in html
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.SCREENING


def test_move_with_htmx_returns_the_board(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Dragged")
    login_as(by)
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "screening"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="deal-board"' in html
    assert "Dragged" in html and "alert-success" in html
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.SCREENING


def test_forbidden_move_is_refused_with_a_message(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Jumpy")
    login_as(by)
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "signed"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "alert-danger" in html and "Jumpy" in html
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "dropped", "reason": ""})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.LEAD
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StageChange).where(StageChange.deal_id == deal.id)) == 1


def test_move_page_keeps_input(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.TERM_SHEET)
    login_as(by)
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "signed", "reason": "Typed words"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Typed words" in html
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "signed", "signed_on": "2020-07-10"})
    assert response.status_code == 303


def test_board_and_table_figures_agree(db, login_as, client):
    by = staff()
    for stage, amount in [(Stage.LEAD, "100.00"), (Stage.LEAD, "50.25"), (Stage.SCREENING, "7.00"),
                          (Stage.DROPPED, "3.00")]:
        make_deal(by, stage=stage, amount=Decimal(amount))
    login_as(by)
    board = client.get("/deals/").get_data(as_text=True)
    for stage in (Stage.LEAD, Stage.SCREENING, Stage.DROPPED):
        count = re.search(rf'class="deal-count" data-stage="{stage.value}">([^<]+)<', board).group(1)
        total = re.search(rf'class="small fw-semibold deal-total" data-stage="{stage.value}">([^<]+)<', board).group(1)
        table = client.get(f"/deals/table?stage={stage.value}").get_data(as_text=True)
        table_count = re.search(r"<strong>([^<]+)</strong> ·", table).group(1)
        table_total = re.search(r'class="deal-table-total">([^<]+)<', table).group(1)
        assert count == table_count, stage
        assert total == table_total, stage


def test_table_filters_and_sorting(db, login_as, client):
    by = staff()
    other = staff()
    fund = OrganizationFactory(name="Fonds Test")
    target = OrganizationFactory(name="Cible Test")
    make_deal(by, title="Fund deal", investors=[fund], amount=Decimal("5.00"))
    make_deal(by, title="Target deal", target=target, amount=Decimal("500.00"), kind=DealKind.GRANT)
    make_deal(other, title="Other owner", owner=other, amount=Decimal("50.00"))
    late = make_deal(by, title="Late one", next_step="Call", next_step_due=utcnow().date() - timedelta(days=3))
    login_as(by)

    def titles(query):
        html = client.get("/deals/table?" + query).get_data(as_text=True)
        return re.findall(r'<a href="/deals/\d+">([^<]+)</a>', html)

    assert titles(f"investor={fund.id}") == ["Fund deal"]
    assert titles(f"target={target.id}") == ["Target deal"]
    assert titles("kind=grant") == ["Target deal"]
    assert titles(f"owner={other.id}") == ["Other owner"]
    assert titles("overdue=y") == ["Late one"]
    assert titles("sort=amount&dir=desc")[:3] == ["Late one", "Target deal", "Other owner"]
    assert titles("sort=title&dir=asc")[0] == "Fund deal"
    everyone = ["Late one", "Other owner", "Target deal", "Fund deal"]  # the last updated first
    assert titles("kind=nonsense&sort=nonsense&investor=abc") == everyone  # bad filters are ignored, not a 500
    overdue = client.get("/deals/table?overdue=y").get_data(as_text=True)
    row = re.search(rf'<a href="/deals/{late.id}">Late one</a>.*?</tr>', overdue, re.S).group(0)
    assert "<td>Call <span" in row and "— en retard)</span>" in row


def test_csv_export_is_safe(db, login_as, client):
    by = staff()
    make_deal(by, title="=HYPERLINK(\"http://evil\")", amount=Decimal("12.50"))
    login_as(by)
    response = client.get("/deals/table.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode()) and b"\r\n" in body  # the club's one dialect (club.core.exports)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1].startswith("'=")
    assert rows[1][7] == "12.50"


def test_board_and_table_run_a_constant_number_of_queries(db, login_as, client, count_queries):
    by = staff()
    login_as(by)
    counts = {}
    for n in (5, 50):
        _many(db, n - (5 if n == 50 else 0), by)
        client.get("/deals/")
        with count_queries() as board:
            assert client.get("/deals/").status_code == 200
        with count_queries() as table:
            assert client.get("/deals/table").status_code == 200
        with count_queries() as export:
            assert client.get("/deals/table.csv").status_code == 200
        with count_queries() as sheet:
            assert client.get("/deals/table.xlsx").status_code == 200
        counts[n] = (board.count, table.count, export.count, sheet.count)
    assert counts[5] == counts[50]


def test_boosted_navigation_to_the_board_asks_for_a_full_load(db, login_as, client):
    login_as(staff())
    response = client.get("/deals/?x=1", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.headers["HX-Redirect"] == "/deals/?x=1"


def test_refused_drop_on_the_board_offers_the_move_form(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Needs a reason")
    login_as(by)
    html = client.post(f"/deals/{deal.id}/move", data={"to_stage": "dropped"},
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "alert-danger" in html and f"/deals/{deal.id}/move?to_stage=dropped" in html
    html = client.get(f"/deals/{deal.id}/move?to_stage=dropped").get_data(as_text=True)
    assert '<option selected value="dropped">' in html


def test_table_partial_for_htmx(db, login_as, client):
    make_deal(staff(), title="In the table")
    login_as(staff())
    response = client.get("/deals/table?stage=lead", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="deal-table"' in html and "In the table" in html
    assert "HX-Request" in response.headers["Vary"]


def test_partners_room_runs_a_constant_number_of_queries(db, login_as, client, count_queries):
    from tests.deals.factories import partner_of

    fund = OrganizationFactory()
    partner = partner_of(fund)
    by = staff()
    counts = []
    for n in (3, 30):
        for _ in range(n - len(counts) * 3):
            make_deal(by, shared_with=[fund])
        login_as(partner)
        client.get("/deals/")
        with count_queries() as q:
            html = client.get("/deals/").get_data(as_text=True)
        counts.append(q.count)
        assert html.count('href="/deals/') >= n
    assert counts[0] == counts[1]


def test_table_headers_sort(db, login_as, client):
    by = staff()
    make_deal(by, title="Small", amount=Decimal("1.00"))
    make_deal(by, title="Large", amount=Decimal("900.00"))
    login_as(by)
    html = client.get("/deals/table?sort=amount&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html and "sort=amount&amp;dir=asc" in html
    titles = re.findall(r'<a href="/deals/\d+">([^<]+)</a>', html)
    assert titles == ["Large", "Small"]
    html = client.get("/deals/table?sort=amount&dir=asc").get_data(as_text=True)
    assert re.findall(r'<a href="/deals/\d+">([^<]+)</a>', html) == ["Small", "Large"]


def _moved_meanwhile(monkeypatch, db, deal_id: int) -> None:
    """Someone else saves the deal between this request's read and its write."""
    move = services.move_deal

    def racing(deal, *args, **kwargs):
        with db.engine.begin() as other:
            other.execute(sa.update(Deal.__table__).where(Deal.__table__.c.id == deal_id)
                          .values(version=Deal.__table__.c.version + 1, title="Renamed meanwhile"))
        return move(deal, *args, **kwargs)

    monkeypatch.setattr(services, "move_deal", racing)


def test_a_move_racing_another_save_is_the_one_stale_answer(db, login_as, client, monkeypatch):
    by = staff()
    deal = make_deal(by, title="Raced")
    login_as(by)
    _moved_meanwhile(monkeypatch, db, deal.id)
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "dropped", "reason": "Typed reason"})
    assert response.status_code == 409
    html = text(response)
    assert "Enregistré entre-temps par quelqu'un d'autre" in html  # core/_stale.html
    assert '<tr><th scope="row">Déplacer vers</th><td>Abandonné</td><td>Piste</td></tr>' in html
    assert '<option selected value="dropped">' in html and "Typed reason" in html  # the input kept
    response = client.post(f"/deals/{deal.id}/move", data={"to_stage": "screening"}, headers={"HX-Request": "true"})
    html = text(response)
    assert response.status_code == 200 and 'id="deal-board"' in html and "alert-danger" in html  # htmx swaps it
    assert "Quelqu'un d'autre a modifié ce dossier au même moment" in html
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).stage == Stage.LEAD
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StageChange)
                             .where(StageChange.deal_id == deal.id)) == 1
