"""Mailings at volume: 10,000 organisations of Figuig (kind "other", so that no other page's figures move) each with a
consenting primary contact, one mailing to all of them queued by the job (its duration printed: under 5 s), a draft
to the same audience, and 200 more mailings in the list."""

from __future__ import annotations

import time
from datetime import date

import sqlalchemy as sa

from bench import BenchPage

BATCH = 1000
SENT = "Bench : lettre aux 10 000 contacts"
DRAFT = "Bench : brouillon aux 10 000 contacts"
AUDIENCE = {"kind": "other", "province": "figuig"}


def seed(scale: float) -> None:
    from club.auth.models import User
    from club.extensions import db
    from club.mailings import jobs, services
    from club.mailings.models import ConsentSource, ContactConsent, Mailing, MailingState, RecipientScope
    from club.members.models import Contact, Organization, OrgKind, Province, search_text_for
    from club.models import utcnow
    from club.permissions import Role

    n = max(1000, int(10_000 * scale))
    now = utcnow().replace(microsecond=0)
    rows = []
    for i in range(n):
        name = f"Bench mailing {i:05d}"
        rows.append({"name": name, "name_key": Organization.key_for(name), "kind": OrgKind.OTHER,
                     "province": Province.FIGUIG, "search_text": search_text_for(name), "created_at": now,
                     "updated_at": now, "version": 1})
    for start in range(0, n, BATCH):
        db.session.execute(sa.insert(Organization), rows[start:start + BATCH])
    org_ids = list(db.session.scalars(sa.select(Organization.id).where(Organization.name.like("Bench mailing %"))
                                      .order_by(Organization.id)))
    contacts = [{"organization_id": org_id, "name": f"Contact {i:05d}", "name_key": f"contact {i:05d}",
                 "email": f"contact{i:05d}@bench.example", "is_primary": True, "created_at": now, "updated_at": now,
                 "version": 1} for i, org_id in enumerate(org_ids)]
    for start in range(0, n, BATCH):
        db.session.execute(sa.insert(Contact), contacts[start:start + BATCH])
    contact_ids = list(db.session.scalars(sa.select(Contact.id).where(Contact.email.like("%@bench.example"))))
    consents = [{"contact_id": cid, "consented_on": date(2026, 1, 15), "source": ConsentSource.SECRETARIAT,
                 "created_at": now, "updated_at": now} for cid in contact_ids]
    for start in range(0, n, BATCH):
        db.session.execute(sa.insert(ContactConsent), consents[start:start + BATCH])
    db.session.execute(sa.insert(Mailing), [
        {"subject_fr": f"Bench : ancien envoi {i}", "body_fr": "Bonjour {contact_name}", "audience": AUDIENCE,
         "scope": RecipientScope.PRIMARY, "state": MailingState.DRAFT, "created_at": now, "updated_at": now,
         "version": 1} for i in range(200)])
    db.session.commit()

    by = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id))
    letter = services.MailingData(subject_fr=SENT, body_fr="Bonjour {contact_name},\n\n{organisation} doit {dues_owed}.",
                                  subject_en="Bench letter", body_en="Dear {contact_name}", scope=RecipientScope.PRIMARY,
                                  audience_label="Bench")
    services.create_mailing(services.MailingData(**{**letter.__dict__, "subject_fr": DRAFT}), AUDIENCE, by=by)
    mailing = services.create_mailing(letter, AUDIENCE, by=by)
    services.start_sending(mailing, version=mailing.version, by=by)
    db.session.commit()
    started = time.perf_counter()
    queued = jobs.build_recipients(db.session.get(Mailing, mailing.id))
    db.session.commit()
    elapsed = time.perf_counter() - started
    print(f"mailings: the job queued {queued} messages to {n} consenting contacts in {elapsed:.2f} s "
          f"(target: under 5 s)", flush=True)


def pages() -> list[BenchPage]:
    from club.extensions import db
    from club.mailings.models import Mailing

    sent = db.session.scalar(sa.select(Mailing.id).where(Mailing.subject_fr == SENT))
    draft = db.session.scalar(sa.select(Mailing.id).where(Mailing.subject_fr == DRAFT))
    return [
        BenchPage("mailings: list", "/mailings/"),
        BenchPage("mailings: 10,000 recipients, page", f"/mailings/{sent}/recipients"),
        BenchPage("mailings: recipients (queued), last page", f"/mailings/{sent}/recipients?status=queued&page=200"),
        BenchPage("mailings: sent mailing (totals)", f"/mailings/{sent}"),
        BenchPage("mailings: draft to 10,000 (audience summary)", f"/mailings/{draft}"),
        BenchPage("mailings: preview among 10,000", f"/mailings/{draft}/preview?q=contact+09999"),
    ]
