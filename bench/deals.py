"""Deals at volume: 5,000 deals, 50,000 stage changes, 20,000 documents (times ``scale``)."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from bench import BenchPage

BATCH = 2000
PATH = ["lead", "screening", "due_diligence", "committee", "term_sheet", "signed", "closed"]


def _batched(conn, table, rows):
    for i in range(0, len(rows), BATCH):
        conn.execute(sa.insert(table), rows[i:i + BATCH])


def seed(scale: float) -> None:
    from club.auth.models import User
    from club.core.storage import StoredFile
    from club.deals.models import (
        Deal,
        DealDocument,
        DealShare,
        DocumentVersion,
        StageChange,
        deal_investors,
    )
    from club.extensions import db
    from club.members.models import Organization

    rng = random.Random(2020)
    n_deals = max(10, int(5000 * scale))
    n_changes = max(n_deals, int(50000 * scale))
    n_documents = max(10, int(20000 * scale))
    orgs = list(db.session.scalars(sa.select(Organization.id)))
    owner = db.session.scalar(sa.select(User.id).where(User.email == "secretariat@club.example"))
    firo = db.session.scalar(sa.select(Organization.id).where(Organization.name == "FIRO"))
    now = datetime.now(UTC)
    conn = db.session.connection()
    first_id = (db.session.scalar(sa.select(sa.func.max(Deal.id))) or 0) + 1
    kinds = ["equity", "shareholders_pact", "convention", "loan", "grant"]
    deals, investors, shares = [], [], []
    per_deal = n_changes // n_deals
    changes = []
    for i in range(n_deals):
        deal_id = first_id + i
        steps = PATH[: rng.randint(1, len(PATH))]
        stage = steps[-1]
        start = now - timedelta(days=rng.randint(30, 2000))
        # The path walked, padded with recorded entries in the first stage to reach the volume (bench data).
        history = [(None, steps[0])] + list(zip(steps, steps[1:], strict=False))
        while len(history) < per_deal:
            history.insert(1, (steps[0], steps[0]))
        moments = sorted(start + timedelta(hours=rng.randint(1, 24 * 25 * (k + 1))) for k in range(len(history)))
        for (source, target), at in zip(history, moments, strict=True):
            changes.append({"deal_id": deal_id, "from_stage": source, "to_stage": target, "by_id": owner, "at": at})
        deals.append({
            "id": deal_id, "title": f"Bench deal {i}", "kind": rng.choice(kinds), "target_id": rng.choice(orgs),
            "amount": Decimal(rng.randint(100, 50_000_000)) + Decimal("0.50"), "stake": Decimal(rng.randint(0, 100)),
            "owner_id": owner, "summary": "", "next_step": "Call back", "version": 1, "opinions_open": False,
            "next_step_due": (now + timedelta(days=rng.randint(-30, 60))).date(),
            "signed_on": (start + timedelta(days=100)).date() if stage in ("signed", "closed") else None,
            "stage": stage, "stage_entered_at": moments[-1], "created_at": start, "updated_at": moments[-1],
            "drop_reason": None,
        })
        investors.append({"deal_id": deal_id, "organization_id": firo})
        if i % 10 == 0:
            shares.append({"deal_id": deal_id, "organization_id": firo, "shared_at": now, "shared_by_id": owner})
    _batched(conn, Deal.__table__, deals)
    _batched(conn, deal_investors, investors)
    _batched(conn, DealShare.__table__, shares)
    _batched(conn, StageChange.__table__, changes)
    first_file = (db.session.scalar(sa.select(sa.func.max(StoredFile.id))) or 0) + 1
    first_doc = (db.session.scalar(sa.select(sa.func.max(DealDocument.id))) or 0) + 1
    files, documents, versions = [], [], []
    for k in range(n_documents):
        files.append({"id": first_file + k, "key": secrets.token_hex(16), "original_name": f"doc-{k}.pdf",
                      "kind": "pdf", "size": 1000, "sha256": "0" * 64, "uploaded_by_id": owner, "uploaded_at": now})
        documents.append({"id": first_doc + k, "deal_id": first_id + (k % n_deals), "title": f"Document {k}",
                          "kind": "memo" if k < n_deals else "other", "created_at": now, "created_by_id": owner})
        versions.append({"document_id": first_doc + k, "number": 1, "stored_file_id": first_file + k,
                         "uploaded_at": now, "uploaded_by_id": owner})
    _batched(conn, StoredFile.__table__, files)
    _batched(conn, DealDocument.__table__, documents)
    _batched(conn, DocumentVersion.__table__, versions)
    if conn.dialect.name == "postgresql":
        for table in ("deals", "stored_files", "deal_documents"):
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            conn.exec_driver_sql(sql)
    db.session.commit()


def pages() -> list[BenchPage]:
    from club.deals.models import Deal, DealShare
    from club.extensions import db
    from club.members.models import Organization

    busiest = db.session.scalar(sa.select(Deal.id).where(Deal.title.like("Bench deal%")).order_by(Deal.id).limit(1))
    firo = db.session.scalar(sa.select(Organization.id).where(Organization.name == "FIRO"))
    shared = db.session.scalar(sa.select(DealShare.deal_id).where(DealShare.organization_id == firo)
                               .order_by(DealShare.deal_id.desc()).limit(1))
    return [
        BenchPage("deals board", "/deals/", target=40),
        BenchPage("deals table", "/deals/table"),
        BenchPage("deals table, filtered and sorted", "/deals/table?stage=committee&sort=amount&dir=desc&page=2"),
        BenchPage("deal page", f"/deals/{busiest}", target=30),
        BenchPage("deal edit form", f"/deals/{busiest}/edit"),
        BenchPage("deal move form", f"/deals/{busiest}/move?to_stage=dropped"),
        BenchPage("partners' room", "/deals/", login="partner@firo.example"),
        BenchPage("deal page, partner", f"/deals/{shared}", login="partner@firo.example", target=30),
        BenchPage("deal form, new (organisation pickers)", "/deals/new"),
        BenchPage("deal form, edit (organisation pickers)", f"/deals/{busiest}/edit"),
        BenchPage("deal picker: suggestions, common term (bench)", "/deals/picks?field=q&list=q-options&q=bench"),
    ]
