"""What a reader of the deals pages sees of numbers: a plural form for every count, decimals and percentages
as the reader's locale writes them, money by Babel; in French and in English."""

from __future__ import annotations

import html as html_lib
from decimal import Decimal

from club.auth.models import User
from club.deals import queries
from club.deals.models import Deal, Stage
from club.extensions import db as _db
from tests.deals.factories import make_deal, staff


def _text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def _speak(user, locale: str) -> None:
    _db.session.get(User, user.id).locale = locale
    _db.session.commit()


def test_stake_and_amounts_follow_the_locale(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Pacte", amount=Decimal("1250000.50"), stake=Decimal("3.70"), stage=Stage.SCREENING)
    login_as(by)
    page = _text(client.get(f"/deals/{deal.id}"))
    assert "3,7\u00a0%" in page and "1\u202f250\u202f000,50\u00a0MAD" in page and "3.70" not in page
    board = _text(client.get("/deals/"))
    assert "3,7\u00a0%" in board
    edit = _text(client.get(f"/deals/{deal.id}/edit"))
    assert 'value="1250000,50"' in edit and 'value="3,70"' in edit
    _speak(by, "en")
    page = _text(client.get(f"/deals/{deal.id}"))
    assert "3.7%" in page and "1,250,000.50\u00a0MAD" in page
    edit = _text(client.get(f"/deals/{deal.id}/edit"))
    assert 'value="1250000.50"' in edit and 'value="3.70"' in edit


def test_an_edit_form_in_french_saved_untouched_changes_nothing(db, login_as, client):
    by = staff()
    deal = make_deal(by, title="Pacte", amount=Decimal("1250000.50"), stake=Decimal("20.50"))
    login_as(by)
    data = {"title": "Pacte", "kind": deal.kind.value, "target_id": deal.target.name,
            "investor_ids": [o.id for o in deal.investors], "amount": "1250000,50", "stake": "20,50",
            "owner_id": by.id, "version": str(deal.version)}
    response = client.post(f"/deals/{deal.id}/edit", data=data)
    assert response.status_code == 303
    assert "Rien à modifier" in _text(client.get(f"/deals/{deal.id}"))
    _db.session.expire_all()
    saved = _db.session.get(Deal, deal.id)
    assert (saved.amount, saved.stake, saved.version) == (Decimal("1250000.50"), Decimal("20.50"), deal.version)


def test_counts_have_their_plural_forms(db, login_as, client, monkeypatch):
    by = staff()
    cards = queries.board_cards
    monkeypatch.setattr(queries, "board_cards", lambda: cards(per_column=0))  # every column links to the table
    make_deal(by, title="Un", stage=Stage.SCREENING)
    make_deal(by, title="Deux", stage=Stage.LEAD)
    make_deal(by, title="Trois", stage=Stage.LEAD)
    login_as(by)
    board = _text(client.get("/deals/"))
    assert "Voir 1 dossier dans le tableau" in board and "Voir les 2 dossiers dans le tableau" in board
    assert "1 dossiers" not in board
    _speak(by, "en")
    board = _text(client.get("/deals/"))
    assert "See 1 deal in the table" in board and "See all 2 deals in the table" in board


def test_overdue_next_steps_on_the_home_page_have_a_plural(db, login_as, client):
    from datetime import timedelta

    from club.core.timezones import local_today

    by = staff()
    yesterday = local_today() - timedelta(days=1)
    for n in range(11):  # the home page lists ten
        make_deal(by, title=f"Dossier {n}", next_step="Appeler", next_step_due=yesterday)
    login_as(by)
    assert "Voir les 11 prochaines étapes en retard" in _text(client.get("/"))
    _speak(by, "en")
    assert "See all 11 overdue next steps" in _text(client.get("/"))
