"""Merging at volume: a few hundred duplicate pairs among the register's organisations (bench/members.py seeds
100,000): the likely duplicates, by folded name and by email or website domain, and contacts twice at one
organisation."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bench import BenchPage
from club.core.text import fold
from club.extensions import db
from club.members.models import Contact, Organization, OrgKind
from club.members.services import search_text_for

PAIRS = 300


def _fill(scale: float, now) -> None:
    """Run alone (``--only merging``), the register is filled to its volume first: 100,000 organisations with
    3 contacts each (times the scale), none a duplicate, each with its own email domain."""
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    start = (db.session.scalar(sa.select(sa.func.max(Organization.id))) or 0) + 1
    contact_id = (db.session.scalar(sa.select(sa.func.max(Contact.id))) or 0) + 1
    wanted = int(100_000 * scale) - have
    for base in range(0, max(0, wanted), 5_000):
        orgs, contacts = [], []
        for i in range(base, min(wanted, base + 5_000)):
            name = f"Opérateur {i:06d}"
            orgs.append({"id": start + i, "name": name, "name_key": Organization.key_for(name), "kind": OrgKind.BPO,
                         "email": f"contact@op{i}.example", "search_text": search_text_for(name),
                         "created_at": now, "updated_at": now, "version": 1})
            for j in range(3):
                person = f"Personne {i}-{j}"
                contacts.append({"id": contact_id, "organization_id": start + i, "name": person,
                                 "name_key": fold(person), "email": f"p{j}@op{i}.example", "is_primary": j == 0,
                                 "created_at": now, "updated_at": now, "version": 1})
                contact_id += 1
        db.session.execute(sa.insert(Organization), orgs)
        db.session.execute(sa.insert(Contact), contacts)
        db.session.commit()


def seed(scale: float) -> None:
    pairs = max(10, int(PAIRS * min(1.0, scale * 10)))
    now = datetime.now(UTC)
    _fill(scale, now)
    start = (db.session.scalar(sa.select(sa.func.max(Organization.id))) or 0) + 1
    orgs, contacts = [], []
    contact_id = (db.session.scalar(sa.select(sa.func.max(Contact.id))) or 0) + 1
    for i in range(pairs):
        for j, (name, email, website) in enumerate([
            (f"Doublon Services {i:04d}", f"contact@doublon{i}.example", None),
            (f"DOUBLON SERVICES {i:04d} SARL", None, f"https://www.doublon{i}.example/accueil"),
        ]):
            org_id = start + 2 * i + j
            orgs.append({"id": org_id, "name": name, "name_key": Organization.key_for(name), "kind": OrgKind.BPO,
                         "city": "Oujda", "email": email, "website": website, "search_text": search_text_for(name),
                         "created_at": now, "updated_at": now, "version": 1})
            for person in ("Karim Tazi", "Karim TAZI") if j == 0 else ("Salma Idrissi",):
                contacts.append({"id": contact_id, "organization_id": org_id, "name": person, "name_key": fold(person),
                                 "email": f"k{i}@doublon{i}.example", "is_primary": person == "Karim Tazi"
                                 or person == "Salma Idrissi", "created_at": now, "updated_at": now, "version": 1})
                contact_id += 1
    db.session.execute(sa.insert(Organization), orgs)
    db.session.execute(sa.insert(Contact), contacts)
    db.session.commit()


def pages() -> list[BenchPage]:
    return [
        BenchPage("merging: duplicates by name", "/members/duplicates"),
        BenchPage("merging: duplicates by name, page 10", "/members/duplicates?page=10"),
        BenchPage("merging: duplicates by domain", "/members/duplicates?kind=domain"),
        BenchPage("merging: duplicate contacts", "/members/duplicates?kind=contacts"),
    ]
