"""The dues follow-up's pages: who reaches them, the dues page's totals and filters against the database, hostile
filter values, the CSV export through a real server, the tiers, renewals and the end of a membership, and the
number of queries each list runs whatever the number of rows."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.timezones import local_today
from club.members.models import (
    Dues,
    Membership,
    MembershipStatus,
    MembershipTier,
    OrgKind,
    PaymentMethod,
    Province,
)
from club.members.queries import OVERDUE_AFTER_DAYS
from club.permissions import Role
from tests.conftest import text
from tests.members.factories import DuesFactory, MembershipFactory

YEAR = date.today().year


def _tier(db, name, fee="10000.00", months=12, position=1):
    tier = MembershipTier(name=name, annual_fee=Decimal(fee), period_months=months, position=position)
    db.session.add(tier)
    db.session.commit()
    return tier


@pytest.fixture()
def world(db, factories):
    """Six organisations with dues this year: paid, unpaid, overdue; two tiers; one archived organisation."""
    today = local_today()
    gold, startup = _tier(db, "Gold", "20000.00"), _tier(db, "Startup", "2500.00", position=2)
    specs = [  # name, kind, province, tier, amount, invoiced days ago, paid, method
        ("Alpha Call", OrgKind.CALL_CENTER, Province.OUJDA_ANGAD, gold, "20000.00", 100, True, PaymentMethod.TRANSFER),
        ("Beta BPO", OrgKind.BPO, Province.BERKANE, gold, "20000.00", 100, False, None),
        ("Gamma Start", OrgKind.STARTUP, Province.OUJDA_ANGAD, startup, "2500.00", 10, False, None),
        ("Delta Start", OrgKind.STARTUP, Province.NADOR, startup, "2500.50", 10, True, PaymentMethod.CHEQUE),
        ("Epsilon", OrgKind.CALL_CENTER, Province.NADOR, None, "1000.00", OVERDUE_AFTER_DAYS + 1, False, None),
    ]
    orgs = {}
    for name, kind, province, tier, amount, ago, paid, method in specs:
        org = factories.OrganizationFactory(name=name, kind=kind, province=province)
        MembershipFactory(organization=org, tier=tier)
        invoiced = today - timedelta(days=ago)
        DuesFactory(organization=org, year=YEAR, amount=Decimal(amount), invoiced_on=invoiced,
                    paid_on=invoiced + timedelta(days=5) if paid else None, method=method)
        orgs[name] = org
    archived = factories.OrganizationFactory(name="Zeta Archived", archived_at=factories.OrganizationFactory._meta
                                             .model.created_at.default.arg(None))
    DuesFactory(organization=archived, year=YEAR, amount=Decimal("777.00"))
    DuesFactory(organization=orgs["Alpha Call"], year=YEAR - 1, amount=Decimal("18000.00"))
    return orgs


def _rows(html: str) -> list[str]:
    import re

    return re.findall(r'<th scope="row"><a href="/members/\d+#dues">([^<]+)</a>', html)


def test_only_the_secretariat_reaches_the_dues_pages(db, factories, as_user, world):
    gold = db.session.scalar(sa.select(MembershipTier).where(MembershipTier.name == "Gold"))
    org = world["Beta BPO"]
    urls = ["/members/dues", "/members/dues/export.csv", "/members/dues/export.xlsx", "/members/tiers", f"/members/tiers/{gold.id}/edit",
            "/members/renewals", f"/members/{org.id}/renew", f"/members/{org.id}/membership/end"]
    for role in (Role.MEMBER, Role.PARTNER, Role.APPLICANT):
        user = factories.UserFactory(role=role, organization=org if role == Role.MEMBER else None)
        client = as_user(user)
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
        assert client.post(f"/members/{org.id}/renew", data={}).status_code == 404
        assert client.post("/members/tiers", data={"name": "X"}).status_code == 404
    # The member still reads their own dues on their organisation's page.
    member = factories.UserFactory(role=Role.MEMBER, organization=org)
    page = as_user(member).get(f"/members/{org.id}").get_data(as_text=True)
    assert 'id="dues"' in page and "20,000" in page
    client = as_user(factories.UserFactory())
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_dues_page_totals_and_rows_agree_with_the_database(db, factories, as_user, world):
    client = as_user(factories.UserFactory())
    html = client.get("/members/dues").get_data(as_text=True)
    assert _rows(html) == ["Alpha Call", "Beta BPO", "Delta Start", "Epsilon", "Gamma Start"]  # by name; archived out
    current = [d for d in db.session.scalars(sa.select(Dues).where(Dues.year == YEAR))
               if d.organization.archived_at is None]
    invoiced = sum(d.amount for d in current)
    collected = sum(d.amount for d in current if d.paid_on)
    assert (invoiced, collected) == (Decimal("46000.50"), Decimal("22500.50"))
    assert f'data-total="invoiced">{invoiced:,.2f}\u00a0MAD' in html
    assert f'data-total="collected">{collected:,.2f}\u00a0MAD' in html
    assert f'data-total="outstanding">{invoiced - collected:,.2f}\u00a0MAD' in html
    assert 'data-total="overdue">2<' in html  # Beta (100 days) and Epsilon (61 days)
    assert "5 invoices" in html and "2 paid" in html and "3 unpaid" in html
    # Last year's dues are one click away.
    assert _rows(client.get(f"/members/dues?year={YEAR - 1}").get_data(as_text=True)) == ["Alpha Call"]


@pytest.mark.parametrize("args, expected", [
    ("state=paid", ["Alpha Call", "Delta Start"]),
    ("state=unpaid", ["Beta BPO", "Epsilon", "Gamma Start"]),
    ("state=overdue", ["Beta BPO", "Epsilon"]),
    ("province=nadror", ["Alpha Call", "Beta BPO", "Delta Start", "Epsilon", "Gamma Start"]),  # unknown: ignored
    ("province=nador", ["Delta Start", "Epsilon"]),
    ("kind=startup", ["Delta Start", "Gamma Start"]),
    ("payment=cheque", ["Delta Start"]),
    ("q=start", ["Delta Start", "Gamma Start"]),
    ("q=BETA", ["Beta BPO"]),
    ("q=zz%25", []),
    ("state=unpaid&kind=call_center", ["Epsilon"]),
    ("sort=-amount", ["Beta BPO", "Alpha Call", "Delta Start", "Gamma Start", "Epsilon"]),  # ties: newest first
    ("sort=-name", ["Gamma Start", "Epsilon", "Delta Start", "Beta BPO", "Alpha Call"]),
])
def test_the_dues_page_filters(db, factories, as_user, world, args, expected):
    client = as_user(factories.UserFactory())
    assert _rows(client.get(f"/members/dues?{args}").get_data(as_text=True)) == expected


def test_the_tier_filter_and_its_totals(db, factories, as_user, world):
    gold = db.session.scalar(sa.select(MembershipTier).where(MembershipTier.name == "Gold"))
    html = as_user(factories.UserFactory()).get(f"/members/dues?tier={gold.id}&state=unpaid").get_data(as_text=True)
    assert _rows(html) == ["Beta BPO"]
    assert 'data-total="invoiced">20,000.00\u00a0MAD' in html
    assert 'data-total="collected">0.00\u00a0MAD' in html


@pytest.mark.parametrize("query", [
    "year=abc", "year=99999999999999999999", "year=-1", "year=1999", "state=<script>", "tier=abc",
    "tier=99999999999", "tier=-3", "province[]=x", "kind=%00", "payment=bitcoin", "q=" + "x" * 5000, "q=%00%01",
    "sort=id;drop", "page=abc", "page=-5", "page=999999999999", "q=%27%20OR%201%3D1", "year=2026&year=2025",
])
def test_hostile_filter_values_never_fail(db, factories, as_user, world, query):
    client = as_user(factories.UserFactory())
    for url in (f"/members/dues?{query}", f"/members/dues/export.csv?{query}", f"/members/renewals?{query}"):
        response = client.get(url)
        assert response.status_code in (200, 400), url  # 400: a NUL byte, refused before any view


def test_the_home_s_unpaid_figure_leads_to_the_unpaid_dues(db, factories, as_user, world):
    client = as_user(factories.UserFactory())
    home = text(client.get("/"))
    link = f'/members/dues?year={YEAR}&amp;state=unpaid'
    assert link.replace("&amp;", "&") in home or link in client.get("/").get_data(as_text=True)
    assert "members with unpaid dues for" in home
    html = client.get(f"/members/dues?year={YEAR}&state=unpaid").get_data(as_text=True)
    assert len(_rows(html)) == 3


def test_the_export_downloads_the_filtered_rows_through_a_real_server(app, db, factories, world, live_server):
    user = factories.UserFactory(email="dues-export@club.example", locale="en")
    db.session.commit()
    cookie = live_server.sign_in(user.email)
    status, headers, body = live_server.request("/members/dues/export.csv?state=unpaid&sort=-amount", cookie=cookie)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"] and "no-store" in headers["Cache-Control"]
    content = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][0] == "Organisation" and rows[0][-1] == "State"
    assert [(r[0], r[3], r[5], r[9]) for r in rows[1:]] == [
        ("Beta BPO", "Gold", "20000.00", "overdue"), ("Gamma Start", "Startup", "2500.00", "unpaid"),
        ("Epsilon", "", "1000.00", "overdue")]
    status, _headers, _body = live_server.request("/members/dues/export.csv", cookie="")
    assert status in (302, 303, 404)


def _fill(db, factories, n: int, tag: str) -> None:
    """n organisations with a tier, this year's dues and a renewal date within the notice (bulk, as the bench)."""
    from club.members.models import Organization
    from club.models import utcnow

    tier = _tier(db, f"Tier {tag}", position=3)
    now, today = utcnow(), local_today()
    ids = list(db.session.scalars(sa.insert(Organization).returning(Organization.id, sort_by_parameter_order=True), [
        {"name": f"Org {tag} {i}", "name_key": f"org {tag} {i}", "kind": OrgKind.CALL_CENTER, "search_text": "",
         "created_at": now, "updated_at": now, "version": 1} for i in range(n)]))
    db.session.execute(sa.insert(Membership), [
        {"organization_id": org_id, "status": MembershipStatus.ACTIVE, "tier_id": tier.id,
         "renews_on": today + timedelta(days=i % 40 - 5), "joined_on": date(2021, 1, 1), "created_at": now,
         "updated_at": now, "version": 1} for i, org_id in enumerate(ids)])
    db.session.execute(sa.insert(Dues), [
        {"organization_id": org_id, "year": YEAR, "amount": Decimal("1000.00"), "invoiced_on": date(YEAR, 1, 5),
         "paid_on": date(YEAR, 2, 1) if i % 3 == 0 else None, "created_at": now, "updated_at": now, "version": 1}
        for i, org_id in enumerate(ids)])
    db.session.commit()


@pytest.mark.parametrize("url", ["/members/dues", "/members/dues?state=unpaid&sort=-amount", "/members/dues?q=org",
                                 "/members/dues/export.csv", "/members/dues/export.xlsx", "/members/renewals",
                                 "/members/tiers", "/"])
def test_the_lists_run_a_constant_number_of_queries(db, factories, as_user, count_queries, url):
    client = as_user(factories.UserFactory())
    client.get("/")
    counts = []
    for n, tag in ((3, "few"), (120, "many")):
        _fill(db, factories, n, tag)
        db.session.expire_all()
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], (url, counts)


def test_the_dues_page_and_renewals_are_paginated(db, factories, as_user):
    _fill(db, factories, 60, "page")
    client = as_user(factories.UserFactory())
    first = client.get("/members/dues").get_data(as_text=True)
    assert len(_rows(first)) == 50 and "60 results" in first and 'rel="next"' in first
    assert len(_rows(client.get("/members/dues?page=2").get_data(as_text=True))) == 10
    renewals = client.get("/members/renewals").get_data(as_text=True)
    assert renewals.count("data-membership=") == 50
    assert client.get("/members/renewals?page=2").get_data(as_text=True).count("data-membership=") == 6  # 56 within


def test_the_renewals_list_overdue_first_and_a_renewal_from_it(db, factories, as_user):
    today = local_today()
    gold = _tier(db, "Gold", "20000.00")
    due = {}
    for name, days in (("Soon", 20), ("Late", -3), ("Later", 45), ("Today", 0)):
        org = factories.OrganizationFactory(name=name)
        MembershipFactory(organization=org, tier=gold, renews_on=today + timedelta(days=days))
        due[name] = org
    lapsed = factories.OrganizationFactory(name="Lapsed")
    MembershipFactory(organization=lapsed, tier=gold, status=MembershipStatus.LAPSED, renews_on=today)
    client = as_user(factories.UserFactory())
    html = text(client.get("/members/renewals"))
    names = [n for n in ("Late", "Today", "Soon", "Later", "Lapsed") if f">{n}</a>" in html]
    assert names == ["Late", "Today", "Soon"]
    assert html.index(">Late</a>") < html.index(">Today</a>") < html.index(">Soon</a>")
    org = due["Late"]
    confirm = client.get(f"/members/{org.id}/renew")
    assert confirm.status_code == 200
    page = text(confirm)
    new_end = (today - timedelta(days=3))
    assert "Renew the membership of Late" in page
    import re

    expected = re.search(r'name="expected" type="hidden" value="([^"]*)"', confirm.get_data(as_text=True)).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', confirm.get_data(as_text=True))
    data = {"expected": expected, **({"csrf_token": token.group(1)} if token else {})}
    response = client.post(f"/members/{org.id}/renew", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/members/renewals")
    db.session.expire_all()
    membership = db.session.scalar(sa.select(Membership).where(Membership.organization_id == org.id))
    from club.members.models import add_months

    assert membership.renews_on == add_months(new_end, 12)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues).where(Dues.organization_id == org.id)) == 1
    # The same confirmation again: refused (422), nothing renewed twice.
    again = client.post(f"/members/{org.id}/renew", data=data)
    assert again.status_code == 422 and "renewed meanwhile" in text(again)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Membership.renews_on).where(Membership.organization_id == org.id)) \
        == add_months(new_end, 12)
    assert len(list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "membership.renewed")))) == 1
    # A forged expected date is a field error, not a 500.
    assert client.post(f"/members/{org.id}/renew", data={**data, "expected": "2026-13-45"}).status_code == 422


def test_ending_a_membership_from_its_page(db, factories, as_user):
    gold = _tier(db, "Gold")
    org = factories.OrganizationFactory(name="Leaving")
    MembershipFactory(organization=org, tier=gold)
    client = as_user(factories.UserFactory())
    page = client.get(f"/members/{org.id}").get_data(as_text=True)
    assert f"/members/{org.id}/membership/end" in page and f"/members/{org.id}/renew?back=org" in page
    assert client.get(f"/members/{org.id}/membership/end").status_code == 200
    refused = client.post(f"/members/{org.id}/membership/end", data={"reason": ""})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1
    done = client.post(f"/members/{org.id}/membership/end", data={"reason": "Départ de la région"})
    assert done.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0
    assert client.get(f"/members/{org.id}/membership/end").status_code == 404  # nothing left to end


def test_tiers_are_added_and_edited_with_errors_at_their_fields(db, factories, as_user):
    client = as_user(factories.UserFactory())
    response = client.post("/members/tiers", data={"name": "Membre", "annual_fee": "10 000,50", "period_months": "12",
                                                   "is_active": "y"})
    assert response.status_code == 303
    tier = db.session.scalar(sa.select(MembershipTier))
    assert (tier.name, tier.annual_fee, tier.period_months, tier.is_active) == ("Membre", Decimal("10000.50"), 12,
                                                                                True)
    for data, field in (({"name": "membre", "annual_fee": "1", "period_months": "12"}, "name"),
                        ({"name": "X", "annual_fee": "-1", "period_months": "12"}, "annual_fee"),
                        ({"name": "X", "annual_fee": "1,234", "period_months": "12"}, "annual_fee"),
                        ({"name": "X", "annual_fee": "1", "period_months": "0"}, "period_months"),
                        ({"name": "", "annual_fee": "1", "period_months": "12"}, "name")):
        refused = client.post("/members/tiers", data=data)
        assert refused.status_code == 422, data
        assert f'id="{field}"' in refused.get_data(as_text=True) and "is-invalid" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipTier)) == 1
    edit = client.get(f"/members/tiers/{tier.id}/edit").get_data(as_text=True)
    assert 'value="10000.50"' in edit
    saved = client.post(f"/members/tiers/{tier.id}/edit", data={"name": "Membre", "annual_fee": "12000",
                                                                  "period_months": "6", "version": str(tier.version)})
    assert saved.status_code == 303
    db.session.expire_all()
    assert (tier.annual_fee, tier.period_months, tier.is_active) == (Decimal("12000.00"), 6, False)
    stale = client.post(f"/members/tiers/{tier.id}/edit", data={"name": "Membre", "annual_fee": "1",
                                                                  "period_months": "6", "version": "1"})
    assert stale.status_code == 409


def test_the_membership_form_chooses_a_tier_of_the_list(db, factories, as_user):
    gold, retired = _tier(db, "Gold"), _tier(db, "Ancien", position=2)
    retired.is_active = False
    db.session.commit()
    org = factories.OrganizationFactory()
    client = as_user(factories.UserFactory())
    page = client.get(f"/members/{org.id}").get_data(as_text=True)
    assert f'<option value="{gold.id}">Gold' in page and ">Ancien" not in page
    response = client.post(f"/members/{org.id}/membership", data={
        "membership-status": "active", "membership-tier": str(gold.id), "membership-joined_on": "2021-03-01"})
    assert response.status_code == 303
    membership = db.session.scalar(sa.select(Membership))
    from club.members.services import current_period_end

    assert membership.tier_id == gold.id and membership.renews_on == current_period_end(date(2021, 3, 1), 12)
    forged = client.post(f"/members/{org.id}/membership", data={"membership-status": "active",
                                                                 "membership-tier": str(retired.id)})
    assert forged.status_code == 422
    assert client.post(f"/members/{org.id}/membership", data={"membership-status": "active",
                                                              "membership-tier": "abc"}).status_code == 422


def test_the_demo_shows_the_feature_at_once(demo_world, as_user, demo_user):
    """Tiers, two memberships due within 30 days and one overdue, paid and unpaid dues this year."""
    db = demo_world
    today = local_today()
    assert {"Membre fondateur", "Membre", "Startup"} <= set(db.session.scalars(sa.select(MembershipTier.name)))
    due = db.session.execute(
        sa.select(Membership.renews_on).where(Membership.status == MembershipStatus.ACTIVE,
                                              Membership.renews_on <= today + timedelta(days=30))).scalars().all()
    assert len([d for d in due if d >= today]) == 2 and len([d for d in due if d < today]) == 1
    client = as_user(demo_user("secretariat@club.example"))
    html = client.get("/members/dues").get_data(as_text=True)
    assert 'text-bg-success">paid' in html and ('text-bg-warning">unpaid' in html or 'text-bg-danger">overdue' in html)
    assert client.get("/members/renewals").get_data(as_text=True).count("data-membership=") == 3
    from club.demo import load_demo

    load_demo()  # idempotent: nothing added twice
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MembershipTier)) == 4


def test_the_renewal_date_is_shown_to_the_organisation_and_the_secretariat_only(db, factories, as_user):
    gold = _tier(db, "Gold")
    org = factories.OrganizationFactory(name="Own")
    MembershipFactory(organization=org, tier=gold, renews_on=date(2027, 3, 14))
    shown = "Renews on"
    assert shown in as_user(factories.UserFactory(role=Role.MEMBER, organization=org)).get(
        f"/members/{org.id}").get_data(as_text=True)
    assert shown in as_user(factories.UserFactory()).get(f"/members/{org.id}").get_data(as_text=True)
    for user in (factories.UserFactory(role=Role.MEMBER, organization=factories.OrganizationFactory()),
                 factories.UserFactory(role=Role.PARTNER, organization=factories.OrganizationFactory())):
        page = as_user(user).get(f"/members/{org.id}").get_data(as_text=True)
        assert "Gold" in page and shown not in page  # the tier is public, as it was; the date is not
