"""Members at volume: 100,000 organisations, 300,000 contacts, 50,000 job reports (times the scale factor)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from bench import BenchPage
from club.core.text import fold
from club.extensions import db
from club.members.models import (
    Contact,
    Dues,
    JobCommitment,
    JobReport,
    Language,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationLanguage,
    OrganizationTrade,
    OrgKind,
    Province,
    Site,
    Trade,
)
from club.members.queries import encode_cursor
from club.members.services import search_text_for

BATCH = 5_000
WORDS = ["Atlas", "Oriental", "Digital", "Contact", "Services", "Maghreb", "Nador", "Berkane", "Horizon", "Ennour",
         "Sahara", "Rif", "Moulouya", "Angad", "Zenata", "Saidia", "Medi", "Smart", "Call", "Data", "Cloud", "Jerada",
         "Figuig", "Taza", "Azur", "Cèdre", "Argane", "Palmier", "Étoile", "Océan"]
FIRST = ["Youssef", "Nadia", "Karim", "Salma", "Hicham", "Imane", "Omar", "Sanae", "Rachid", "Leila", "Amine", "Meryem",
         "Khalid", "Fatima", "Mehdi", "Zineb", "Hamza", "Asmae", "Anas", "Houda"]
LAST = ["Benali", "Amrani", "Idrissi", "Tazi", "Alaoui", "Berrada", "Chraibi", "Fassi", "Kettani", "Lahlou", "Squalli",
        "Bennani", "El Ouazzani", "Bouzidi", "Mansouri", "Ziani", "Haddad", "Naciri", "Rami", "Saidi"]

STATE: dict = {}


def _insert(table, rows):
    if rows:
        db.session.execute(sa.insert(table), rows)


def seed(scale: float) -> None:
    rng = random.Random(20200711)
    n_orgs = int(100_000 * scale)
    n_contacts = int(300_000 * scale)
    n_reports = int(50_000 * scale)
    start_id = (db.session.scalar(sa.select(sa.func.max(Organization.id))) or 0) + 1
    now = datetime.now(UTC)
    kinds, provinces, sites = list(OrgKind), list(Province), list(Site)
    trades, languages, statuses = list(Trade), list(Language), list(MembershipStatus)
    contacts_per_org = max(1, n_contacts // max(1, n_orgs))
    contact_id = (db.session.scalar(sa.select(sa.func.max(Contact.id))) or 0) + 1
    for base in range(0, n_orgs, BATCH):
        orgs, contacts, org_trades, org_languages, memberships, dues = [], [], [], [], [], []
        for i in range(base, min(n_orgs, base + BATCH)):
            org_id = start_id + i
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(['SARL', 'SA', 'Groupe', 'Services'])} {i:06d}"
            description = f"Centre de services {rng.choice(WORDS).lower()} à {rng.choice(WORDS)}."
            people = []
            for j in range(contacts_per_org):
                person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                title = "Directeur" if j == 0 else "Chargé de compte"
                email, phone = f"c{contact_id}@bench.example", f"+2126{contact_id % 100000000:08d}"
                people.append((person, title, email, phone))  # what search_text_for reads of each contact
                contacts.append({"id": contact_id, "organization_id": org_id, "name": person, "name_key": fold(person),
                                 "title": title, "email": email, "phone": phone,
                                 "is_primary": j == 0, "created_at": now, "updated_at": now, "version": 1})
                contact_id += 1
            orgs.append({"id": org_id, "name": name, "name_key": Organization.key_for(name), "kind": rng.choice(kinds),
                         "ice": f"{org_id:015d}", "city": rng.choice(["Oujda", "Nador", "Berkane", "Casablanca"]),
                         "province": rng.choice(provinces), "site": rng.choice(sites),
                         "headcount": rng.randint(1, 2000), "website": None, "email": None, "phone": None,
                         "description": description, "search_text": search_text_for(name, description, people),
                         "archived_at": now if i % 50 == 0 else None, "created_at": now, "updated_at": now,
                         "version": 1})
            org_trades.append({"organization_id": org_id, "trade": rng.choice(trades)})
            for lang in rng.sample(languages, 2):
                org_languages.append({"organization_id": org_id, "language": lang})
            if i % 5 < 3:
                memberships.append({"organization_id": org_id, "status": rng.choice(statuses), "tier_id": None,
                                    "joined_on": date(2021, 1, 1), "created_at": now, "updated_at": now, "version": 1})
                dues.append({"organization_id": org_id, "year": 2026, "amount": Decimal("5000.00"),
                             "invoiced_on": date(2026, 1, 5), "paid_on": date(2026, 2, 1) if i % 2 else None,
                             "method": None, "created_at": now, "updated_at": now, "version": 1})
        _insert(Organization.__table__, orgs)
        _insert(Contact.__table__, contacts)
        _insert(OrganizationTrade.__table__, org_trades)
        _insert(OrganizationLanguage.__table__, org_languages)
        _insert(Membership.__table__, memberships)
        _insert(Dues.__table__, dues)
        db.session.commit()
    # 10,000 commitments with 5 dated reports each.
    n_commitments = max(1, n_reports // 5)
    commitment_id = (db.session.scalar(sa.select(sa.func.max(JobCommitment.id))) or 0) + 1
    for base in range(0, n_commitments, BATCH):
        commitments, reports = [], []
        for k in range(base, min(n_commitments, base + BATCH)):
            org_id = start_id + (k * 7) % n_orgs
            announced = rng.randint(10, 500)
            commitments.append({"id": commitment_id, "organization_id": org_id, "jobs_announced": announced,
                                "jobs_created": announced * 5 // 6,
                                "horizon": date(2027, 12, 31), "announced_on": date(2022, 1, 1),
                                "source": "Bench", "created_at": now, "updated_at": now, "version": 1})
            for r in range(5):
                reports.append({"commitment_id": commitment_id, "reported_on": date(2022, 6, 30) + timedelta(days=180 * r),
                                "jobs_created": announced * (r + 1) // 6, "note": None, "created_at": now,
                                "updated_at": now})
            commitment_id += 1
        _insert(JobCommitment.__table__, commitments)
        _insert(JobReport.__table__, reports)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does shortly after a bulk load: the visibility map lets counts use index-only scans.
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("organizations", "contacts", "memberships", "dues", "organization_trades",
                          "organization_languages", "job_commitments", "job_reports"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    STATE["busy_org"] = start_id + 7  # has contacts, a membership, dues and a commitment with reports
    STATE["n_orgs"] = n_orgs


def deep_cursor() -> str:
    """The cursor of page 500 (50 rows a page) of the register as it is now: looked up when the pages are listed,
    after every domain has seeded (others add organisations to the register too)."""
    offset = min(24_950, max(0, int(STATE.get("n_orgs", 100_000) * 0.9) - 50))
    deep = db.session.execute(
        sa.select(Organization.name_key, Organization.id).where(Organization.archived_at.is_(None))
        .order_by(Organization.name_key, Organization.id).offset(offset).limit(1)
    ).first()
    return encode_cursor([deep.name_key, deep.id]) if deep else ""


def pages() -> list[BenchPage]:
    STATE["deep_cursor"] = deep_cursor()
    return [
        BenchPage("members: list", "/members/", target=12),
        BenchPage("members: list, page 500", f"/members/?after={STATE.get('deep_cursor', '')}", target=12),
        BenchPage("members: list, last page", "/members/?last=1", target=12),
        BenchPage("members: filtered list", "/members/?kind=call_center&province=oujda_angad&status=active",
                  target=12),
        BenchPage("members: search, 12,000 matches (atlas)", "/members/?q=atlas", target=40),
        BenchPage("members: search, rare term", "/members/?q=sacc", target=20),
        BenchPage("members: search (contact name)", "/members/?q=oudghiri", target=20),
        BenchPage("members: organisation page", f"/members/{STATE.get('busy_org', 1)}", target=30),
    ]
