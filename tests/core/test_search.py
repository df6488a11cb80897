"""The global search's core: the folding both databases share, the page, the fragment, what is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from club.core.text import contains_folded, fold, folded
from tests.conftest import text


@pytest.mark.parametrize("typed", ["Éca GRÔUPE", "Saccom", "Oujda-Shore", "ÇA ÇÀ", "Straße", "Notoriety — Œuvre",
                                   "Þórr Ångström Łódź", "100 % _"])
def test_the_database_folds_as_python_does(db, typed):
    assert db.session.scalar(sa.select(folded(sa.literal(typed)))) == fold(typed)


def test_contains_folded_matches_whatever_the_case_and_accents(db):
    rows = sa.select(sa.literal("Centre d'appels Éca à Oujda").label("name")).subquery()
    for term, found in (("eca", True), ("ÉCA", True), ("appels éca", True), ("a oujda", True), ("nador", False),
                        ("100%", False), ("_", False)):
        assert bool(db.session.scalar(sa.select(sa.func.count()).select_from(rows)
                                      .where(contains_folded(rows.c.name, term)))) is found, term


def test_the_search_is_for_signed_in_users(client, db):
    response = client.get("/search?q=saccom")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_search_page_says_what_it_found_or_not(client, db, factories, login_as):
    login_as(factories.UserFactory())
    page = text(client.get("/search?q=a"))
    assert "Tapez au moins 2 caractères." in page
    page = text(client.get("/search?q=zzzz-rien-de-tel"))
    assert "Rien trouvé pour « zzzz-rien-de-tel »." in page
    assert "0 résultat pour « zzzz-rien-de-tel »" in page
    long = "x" * 500
    response = client.get(f"/search?q={long}")
    assert response.status_code == 200 and f"Rien trouvé pour « {'x' * 100} »." in text(response)


def test_the_live_box_gets_the_fragment_only(client, db, factories, login_as):
    login_as(factories.UserFactory())
    response = client.get("/search?q=zzzz", headers={"HX-Request": "true"})
    body = text(response)
    assert response.status_code == 200 and "<html" not in body and "Rien trouvé pour « zzzz »." in body
    assert "no-store" in response.headers["Cache-Control"]
    page = text(client.get("/"))
    assert 'role="search"' in page and 'hx-get="/search"' in page and 'hx-target="#search-live"' in page
