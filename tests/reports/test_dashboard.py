"""The charts: the secretariat's dashboard (where the club stands against its target, seven charts with their
tables, in French and English), a member's own organisation's chart and no other's, a partner's charts of the deals
shared with their organisation only, the figures pages; a constant number of queries; the short cache never shows
one viewer another's figures, says how old its figures are, and shows a new target at once."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from club.deals.models import Stage
from club.extensions import db as database
from club.permissions import Role
from club.reports.target import update_target
from tests.conftest import text
from tests.deals.factories import make_deal, partner_of
from tests.factories import OrganizationFactory, UserFactory
from tests.reports.dashboard_helpers import commit_jobs, ntr, number, tr

REPORTS = [(date(2021, 3, 31), 250), (date(2022, 6, 30), 700)]


def _world(*, deals=False):
    saccom = OrganizationFactory(name="Saccom")
    intelcia = OrganizationFactory(name="Intelcia")
    commit_jobs(saccom, 1000, REPORTS, horizon=date(2025, 12, 31))
    commit_jobs(intelcia, 800, [(date(2021, 6, 30), 400)])
    if deals:
        make_deal(stage=Stage.SIGNED, amount=Decimal("10000000.00"), target=saccom)
        make_deal(stage=Stage.COMMITTEE, amount=Decimal("2500000.00"), target=intelcia)
    return saccom, intelcia


def _figures(page: str) -> int:
    return page.count('<figure class="club-chart"')


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_dashboard_shows_the_target_and_the_charts(app, db, as_user, lang):
    _world(deals=True)
    page = text(as_user(UserFactory(role=Role.SECRETARIAT, locale=lang)).get("/"))
    # 1,100 created (700 + 400) of 3,000: "1 100 … 3 000 (37 %)" / "1,100 … 3,000 (37%)".
    standing = ntr(app, lang, "%(num)s job created of a target of %(target)s (%(share)s).",
                   "%(num)s jobs created of a target of %(target)s (%(share)s).", 1100,
                   num=number(app, lang, 1100), target=number(app, lang, 3000),
                   share="37\u00a0%" if lang == "fr" else "37%")
    assert standing in page
    assert ("3\u202f000" if lang == "fr" else "3,000") in page
    assert _figures(page) == 7
    for title in ("Jobs created against jobs announced and the club's target", "Jobs by organisation",
                  "Deal pipeline: number of deals by stage", "Deal pipeline: amounts by stage",
                  "Amounts signed by year and kind"):
        assert f'alt="{tr(app, lang, title)}"' in page, title
    for title in ("Members by province", "Members by site"):  # no active member: the chart says so
        assert f'-title">{tr(app, lang, title)}</h3>' in page, title
    assert page.count(tr(app, lang, "No figures yet.")) == 2
    # Each chart's data as a table under it: the target in every month's row.
    assert tr(app, lang, "Club's target") in page
    assert page.count("<table class=\"table table-sm small mb-0\">") == 5
    assert ("10\u202f000\u202f000,00\u00a0MAD" if lang == "fr" else "10,000,000.00\u00a0MAD") in page
    assert ("juil. 2020" if lang == "fr" else "Jul 2020") in page
    assert tr(app, lang, "Figures as of %(when)s.", when="")[:8] in page
    assert "data:image/svg+xml;base64," in page and "<script" not in page.split("<main", 1)[-1].split("</main>")[0]


def test_a_member_sees_only_their_own_organisations_chart(app, db, as_user):
    saccom, intelcia = _world()
    member = UserFactory(role=Role.MEMBER, organization=saccom, locale="en")
    client = as_user(member)
    home = text(client.get("/"))
    assert _figures(home) == 1
    assert 'alt="Jobs of Saccom, month by month"' in home
    assert "700 jobs created of 1,000 announced" in home
    assert "Intelcia" not in home and "1,800" not in home and "Club's target" not in home
    own = text(client.get(f"/members/{saccom.id}"))
    assert 'alt="Jobs of Saccom, month by month"' in own
    # Another organisation's page (members read the register) shows no chart of its jobs.
    other = client.get(f"/members/{intelcia.id}")
    assert other.status_code in (200, 404)
    assert "Jobs of Intelcia" not in text(other)
    for url in ("/deals/figures", "/members/figures", "/reports/target"):
        assert client.get(url).status_code == 404


def test_a_partners_charts_count_only_the_deals_shared_with_them(app, db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT, locale="en")
    firo = OrganizationFactory(name="FIRO", kind="investor")
    make_deal(staff, stage=Stage.SIGNED, title="Shared pact", amount=Decimal("10000000.00"), shared_with=[firo])
    make_deal(staff, stage=Stage.SIGNED, title="Other pact", amount=Decimal("7000000.00"))
    make_deal(staff, stage=Stage.COMMITTEE, title="Other committee", amount=Decimal("25000000.00"))
    partner = partner_of(firo, locale="en")
    client = as_user(partner)
    figures = text(client.get("/deals/figures"))
    assert "1 deal in the pipeline, by stage" in figures
    assert "10,000,000.00\u00a0MAD signed in all" in figures
    assert "7,000,000.00" not in figures and "25,000,000.00" not in figures and "17,000,000.00" not in figures
    home = text(client.get("/"))
    assert "1 deal in the pipeline, by stage" in home and "25,000,000.00" not in home
    # The secretariat counts every deal.
    everything = text(as_user(staff).get("/deals/figures"))
    assert "3 deals in the pipeline, by stage" in everything and "17,000,000.00\u00a0MAD signed in all" in everything


def test_a_partner_with_nothing_shared_sees_no_deal_chart(db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT)
    make_deal(staff, stage=Stage.SIGNED)
    client = as_user(partner_of(locale="en"))
    assert _figures(text(client.get("/"))) == 0
    assert "0 deals in the pipeline" in text(client.get("/deals/figures"))


def test_the_members_figures_page(app, db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT, locale="fr")
    page = text(as_user(staff).get("/members/figures"))
    assert f'-title">{tr(app, "fr", "Members by province")}</h2>' in page and _figures(page) == 2


def _queries(client, count_queries, url) -> int:
    database.session.expire_all()
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    import os
    if os.environ.get("DEBUGQ"):
        print("\n=====", url, q.count)
        for st in q.statements:
            print(" ".join(st.split())[:160])
    return q.count


@pytest.mark.parametrize(("url", "role"), [("/", Role.SECRETARIAT), ("/deals/figures", Role.SECRETARIAT),
                                           ("/members/figures", Role.SECRETARIAT), ("/", Role.PARTNER),
                                           ("/deals/figures", Role.PARTNER), ("/", Role.MEMBER)])
def test_the_chart_pages_run_a_constant_number_of_queries(app, db, as_user, count_queries, url, role):
    from club.auth.models import User
    from club.members.models import Organization

    staff = UserFactory(role=Role.SECRETARIAT)
    firo = OrganizationFactory(name="FIRO", kind="investor")
    member_org = OrganizationFactory(name="Saccom")
    users = {Role.SECRETARIAT: staff, Role.PARTNER: partner_of(firo), Role.MEMBER:
             UserFactory(role=Role.MEMBER, organization=member_org)}
    client = as_user(users[role])
    ids = staff.id, firo.id, member_org.id
    counts = []
    for size in (2, 12):
        staff, firo, member_org = (database.session.get(User, ids[0]), database.session.get(Organization, ids[1]),
                                   database.session.get(Organization, ids[2]))
        for i in range(size):
            org = OrganizationFactory()
            commit_jobs(org, 100 + i, [(date(2021, 1 + i % 12, 28), 10 + i), (date(2023, 1 + i % 12, 28), 50 + i)])
            commit_jobs(member_org, 10, [(date(2020 + i % 5, 3, 31), i)])
            make_deal(staff, stage=[Stage.LEAD, Stage.SIGNED, Stage.COMMITTEE][i % 3], shared_with=[firo] * (i % 2),
                      target=org, signed_on=None)
        counts.append(_queries(client, count_queries, url))
    assert counts[0] == counts[1], (url, role, counts)


def test_the_kept_figures_are_kept_apart_and_never_stale_and_say_when_they_were_computed(app, db, as_user):
    staff = UserFactory(role=Role.SECRETARIAT, locale="en")
    firo = OrganizationFactory(name="FIRO", kind="investor")
    medz = OrganizationFactory(name="MedZ", kind="institution")
    saccom, intelcia = _world()
    make_deal(staff, stage=Stage.SIGNED, title="FIRO's", amount=Decimal("10000000.00"), shared_with=[firo])
    make_deal(staff, stage=Stage.SIGNED, title="MedZ's", amount=Decimal("3000000.00"), shared_with=[medz])
    # The figures are kept until the data changes (club.core.freshness): never a stale one.
    secretariat = as_user(staff)
    first = text(secretariat.get("/"))
    assert "1,100 jobs created of a target of 3,000" in first
    age = re.search(r"Figures as of ([^<]+)\.", first).group(1)
    assert re.search(r"\d{1,2} \w+ \d{4}, \d\d:\d\d", age), age
    # Read again, the same figures (kept); new data shows at once, and so does a new target.
    assert f"Figures as of {age}." in text(secretariat.get("/"))
    commit_jobs(OrganizationFactory(name="Notoriety"), 500, [(date(2022, 6, 30), 310)])
    assert "1,410 jobs created of a target of 3,000" in text(secretariat.get("/"))
    update_target({"jobs_target": 4000, "horizon": None}, by=staff)
    database.session.commit()
    assert "1,410 jobs created of a target of 4,000" in text(secretariat.get("/"))
    # Each partner sees their own organisation's deals, whoever asked first.
    for org, amount, other in ((firo, "10,000,000.00", "3,000,000.00"), (medz, "3,000,000.00", "10,000,000.00")):
        page = text(as_user(partner_of(org, locale="en")).get("/deals/figures"))
        assert f"{amount}\u00a0MAD signed in all" in page and f"{other}\u00a0MAD signed" not in page
    # A member sees their organisation's chart, never the club's nor another member's cached one.
    for org, name, other in ((saccom, "Saccom", "Intelcia"), (intelcia, "Intelcia", "Saccom")):
        page = text(as_user(UserFactory(role=Role.MEMBER, organization=org, locale="en")).get("/"))
        assert f"Jobs of {name}, month by month" in page and f"Jobs of {other}" not in page
        assert "Club's target" not in page
    # The language is in the key: French numbers for a French reader.
    secretariat = as_user(staff)
    assert secretariat.post("/language", data={"locale": "fr"}).status_code == 303
    french = text(secretariat.get("/"))
    assert "1\u202f410" in french, re.search(r'club-standing">[^<]*', french)


def test_a_commitment_without_its_announcement_date_counts_from_when_it_was_recorded(app, db, as_user):
    """(Found: on SQLite the fallback to the recording date read a bare year as a Julian day: a 500 on the home.)"""
    from club.core.timezones import local_today
    from club.reports.figures import jobs_by_month

    org = OrganizationFactory(name="Notoriety")
    commit_jobs(org, 500, [], announced_on=None)
    months = jobs_by_month(local_today())
    assert [(m.month, m.announced) for m in months] == [(local_today().replace(day=1), 500)]
    page = text(as_user(UserFactory(role=Role.SECRETARIAT, locale="en")).get("/"))
    assert "500 jobs announced by the members." in page
