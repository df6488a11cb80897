"""The global search's "Deals" group (``queries.search``, registered by ``hooks.register``): a deal's title or its
target's name, case and accents folded, only what the reader may see, in one count and one page of hits."""

from __future__ import annotations

import html as html_lib
import re

import sqlalchemy as sa

from club.auth.models import User
from club.deals import queries
from club.deals.models import Deal, DealKind
from club.extensions import db as _db
from club.members.models import Organization
from tests.deals.factories import make_deal, partner_of, staff
from tests.factories import OrganizationFactory, UserFactory


def _by_email(email: str) -> User:
    return _db.session.scalar(sa.select(User).where(User.email == email))


def _deals_found(client, term: str, **headers) -> tuple[int | None, list[str]]:
    """The total the "Deals" group announces and the titles it lists (None, []: no such group)."""
    response = client.get("/search", query_string={"q": term}, headers=headers)
    assert response.status_code == 200
    page = html_lib.unescape(response.get_data(as_text=True))
    group = re.search(r'<section class="search-group" aria-labelledby="search-deals">(.*?)</section>', page, re.S)
    if group is None:
        return None, []
    total = int(re.search(r'class="badge text-bg-secondary">(\d+)<', group.group(1)).group(1))
    return total, re.findall(r'<li><a href="/deals/\d+">([^<]+)</a>', group.group(1))


PACT = "Pacte d'associés FIRO × Notoriety"
MOU = "Mémorandum d'entente — Groupe international A"
INTELCIA = "Prise de participation — centre d'appels Intelcia Oujda"
ODL = "Prise de participation — Oriental Digital Lab"
LOAN = "Prêt d'amorçage — pôle anglophone Saccom"
ECA = "Convention d'implantation — Eca groupe"
NADOR = "Extension d'un plateau à Nador"


def test_each_role_finds_the_deals_it_may_see(demo_world, login_as, client):
    secretariat = _by_email("secretariat@club.example")  # the demo's users speak French
    firo = _by_email("partner@firo.example")
    login_as(secretariat)
    assert _deals_found(client, "prise de participation") == (2, [INTELCIA, ODL])
    assert _deals_found(client, "MEMORANDUM") == (1, [MOU])  # case and accents folded
    assert _deals_found(client, "pret d'amorcage") == (1, [LOAN])
    assert _deals_found(client, "PRÊT") == (1, [LOAN])
    assert _deals_found(client, "eca groupe") == (2, [ECA, NADOR])  # Nador's deal: by its target's name
    assert _deals_found(client, "notoriety pacte") == (1, [PACT])  # every word, in any order
    assert _deals_found(client, "%_") == (None, [])  # LIKE's wildcards are plain characters
    login_as(firo)  # FIRO's partner: the pact, Intelcia and the loan are shared with FIRO
    assert _deals_found(client, "prise de participation") == (1, [INTELCIA])
    assert _deals_found(client, "memorandum") == (None, [])
    assert _deals_found(client, "eca groupe") == (None, [])
    assert _deals_found(client, "notoriety") == (1, [PACT])
    for user in (partner_of(), _by_email("contact@saccom.example"), _by_email("founder@startup.example")):
        login_as(user)
        for term in ("prise de participation", "notoriety", "saccom", "eca"):
            assert _deals_found(client, term) == (None, []), (user.role, term)


def test_the_hits_say_the_target_and_the_stage(demo_world, login_as, client):
    login_as(_by_email("secretariat@club.example"))
    page = html_lib.unescape(client.get("/search?q=notoriety").get_data(as_text=True))
    pact = _demo_deal(PACT)
    assert f'<a href="/deals/{pact.id}">{PACT}</a> <span class="text-body-secondary small">Notoriety · Signé</span>' \
        in page


def _demo_deal(title: str) -> Deal:
    return _db.session.scalar(sa.select(Deal).where(Deal.title == title))


def test_the_live_box_gets_the_fragment(demo_world, login_as, client):
    login_as(_by_email("partner@firo.example"))
    response = client.get("/search?q=intelcia", headers={"HX-Request": "true"})
    page = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "<html" not in page
    assert f'<a href="/deals/{_demo_deal(INTELCIA).id}">{INTELCIA}</a>' in page
    assert _deals_found(client, "nador", **{"HX-Request": "true"}) == (None, [])


def test_one_count_and_one_page_whatever_the_number_of_deals(app, db, count_queries):
    by = staff()
    fund = OrganizationFactory(name="Fonds Été")
    readers = [by.id, partner_of(fund).id]
    fund_id, target_id = fund.id, OrganizationFactory(name="Société Générale d'Études").id
    counts = []
    for n in (3, 30):
        while _db.session.scalar(sa.select(sa.func.count()).select_from(Deal)) < n:
            make_deal(_db.session.get(User, readers[0]), title="Équité", kind=DealKind.LOAN,
                      target=_db.session.get(Organization, target_id),
                      shared_with=[_db.session.get(Organization, fund_id)])
        for reader in readers:
            user = _db.session.get(User, reader)
            user.role, user.organization_id  # noqa: B018 - loaded before the counter empties the session
            with app.test_request_context(), count_queries() as q:
                total, hits = queries.search("societe generale d'etudes", user, 5)
            assert (total, len(hits)) == (n, min(n, 5))
            counts.append(q.count)
    assert counts == [2, 2, 2, 2]


def test_a_term_that_matches_nothing_costs_one_query(app, db, count_queries):
    user = _db.session.get(User, UserFactory(role="secretariat").id)
    user.role  # noqa: B018 - loaded before the counter empties the session
    with app.test_request_context(), count_queries() as q:
        assert queries.search("introuvable", user, 5) == (0, [])
    assert q.count == 1
