"""The dues follow-up at volume: 20,000 member organisations (scaled) with a tier, a renewal date and this year's
dues (half paid, some overdue), bulk-inserted; the dues page, unfiltered and on the unpaid, the renewals page and
the secretariat's home (its unpaid figure and renewals count)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from bench import BenchPage

BATCH = 5_000
TIERS = (("Bench: membre fondateur", "15000.00"), ("Bench: membre", "10000.00"), ("Bench: startup", "2500.00"))


def seed(scale: float) -> None:
    from club.core.timezones import local_today
    from club.extensions import db
    from club.members.models import (
        Dues,
        Membership,
        MembershipStatus,
        MembershipTier,
        Organization,
        OrgKind,
        PaymentMethod,
        Province,
    )

    rng = random.Random(20261207)
    today = local_today()
    now = datetime.now(UTC)
    n_orgs = max(1, int(20_000 * scale))
    tier_ids = []
    for position, (name, fee) in enumerate(TIERS, start=100):
        tier_id = db.session.scalar(sa.select(MembershipTier.id).where(MembershipTier.name == name))
        if tier_id is None:
            tier_id = db.session.scalar(sa.insert(MembershipTier).returning(MembershipTier.id).values(
                name=name, annual_fee=Decimal(fee), period_months=12, position=position, is_active=True,
                created_at=now, updated_at=now, version=1))
        tier_ids.append((tier_id, Decimal(fee)))
    start_id = (db.session.scalar(sa.select(sa.func.max(Organization.id))) or 0) + 1
    kinds, provinces, methods = list(OrgKind), list(Province), list(PaymentMethod)
    for base in range(0, n_orgs, BATCH):
        orgs, memberships, dues = [], [], []
        for i in range(base, min(n_orgs, base + BATCH)):
            org_id = start_id + i
            name = f"Cotisant {rng.choice(['Atlas', 'Oriental', 'Angad', 'Rif', 'Zenata'])} {i:06d}"
            orgs.append({"id": org_id, "name": name, "name_key": Organization.key_for(name), "kind": rng.choice(kinds),
                         "province": rng.choice(provinces), "city": "Oujda", "search_text": name.lower(),
                         "archived_at": now if i % 100 == 0 else None, "created_at": now, "updated_at": now,
                         "version": 1})
            tier_id, fee = tier_ids[i % 3]
            memberships.append({"organization_id": org_id, "status": MembershipStatus.ACTIVE, "tier_id": tier_id,
                                "joined_on": date(2021, 1, 1), "renews_on": today + timedelta(days=i % 365 - 20),
                                "created_at": now, "updated_at": now, "version": 1})
            invoiced = date(today.year, 1, 5) + timedelta(days=i % 200)
            paid = i % 2 == 0 and invoiced + timedelta(days=20) <= today
            dues.append({"organization_id": org_id, "year": today.year, "amount": fee,
                         "invoiced_on": min(invoiced, today), "paid_on": invoiced + timedelta(days=20) if paid else None,
                         "method": rng.choice(methods) if paid else None, "created_at": now, "updated_at": now,
                         "version": 1})
        db.session.execute(sa.insert(Organization.__table__), orgs)
        db.session.execute(sa.insert(Membership.__table__), memberships)
        db.session.execute(sa.insert(Dues.__table__), dues)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("organizations", "memberships", "dues", "membership_tiers"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


def pages() -> list[BenchPage]:
    return [
        BenchPage("dues: the year's dues", "/members/dues"),
        BenchPage("dues: unpaid", "/members/dues?state=unpaid"),
        BenchPage("dues: unpaid, page 50, by amount", "/members/dues?state=unpaid&sort=-amount&page=50"),
        BenchPage("dues: renewals", "/members/renewals"),
        BenchPage("dues: secretariat home", "/", target=40),
    ]
