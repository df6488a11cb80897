"""The mailing's job: build its recipients and queue one outbox message for each, in bulk.

Enqueued after the commit that moved the mailing to "being sent". Idempotent: a run that finds recipients already
built (a retry, a second worker) only finishes what is left; each message carries a dedup key per recipient.
10,000 recipients are queued in a few seconds (``bench/mailings.py``): recipients in one multi-row INSERT per
batch, the letters rendered once per recipient inside one ``force_locale`` per language, the messages in
multi-row INSERTs (``club.core.outbox.queue_many``), then one delivery task per batch.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from flask_babel import force_locale

from club.core import audit
from club.core.jobs import enqueue, job
from club.core.outbox import deliver_mail, queue_many, render_message, take_queued
from club.extensions import db
from club.mailings import merge, queries, services
from club.mailings.models import Mailing, MailingRecipient, MailingState, RecipientStatus
from club.members.models import Contact, Organization

log = logging.getLogger("club.mailings")

BATCH = 500
DELIVERY_BATCH = 200

SKIPPED = {"unsubscribed": RecipientStatus.SKIPPED_UNSUBSCRIBED, "none": RecipientStatus.SKIPPED_NO_CONSENT}


def dedup_key(mailing_id: int, contact_id: int) -> str:
    return f"mailing:{mailing_id}:{contact_id}"


def build_recipients(mailing: Mailing) -> int:
    """Write the mailing's recipients and queue their messages (the caller commits). How many were queued."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(MailingRecipient)
                         .where(MailingRecipient.mailing_id == mailing.id)):
        return 0  # built already (a retry): nothing twice
    contacts = queries.audience_contacts(mailing)
    rows = db.session.execute(contacts.order_by(Organization.name_key, Contact.id)).all()
    audience = contacts.subquery()
    org_ids = sa.select(audience.c.organization_id)
    emails = sa.select(sa.func.lower(audience.c.email))
    by_email, by_org = queries.locales(org_ids, emails)
    owed = queries.dues_owed(org_ids)

    recipients = []
    for row in rows:
        status = SKIPPED.get(row.consent, RecipientStatus.QUEUED)
        recipients.append({"mailing_id": mailing.id, "contact_id": row.id, "organization_id": row.organization_id,
                           "name": row.name[:120], "email": row.email.strip()[:254],
                           "locale": queries.locale_of(row.email, row.organization_id, by_email, by_org),
                           "status": status})
    for start in range(0, len(recipients), BATCH):
        db.session.execute(sa.insert(MailingRecipient), recipients[start:start + BATCH])

    queued = [(r, row) for r, row in zip(recipients, rows, strict=True) if r["status"] == RecipientStatus.QUEUED]
    messages, keys = [], []
    for locale in ("fr", "en"):
        group = [(r, row) for r, row in queued if services.texts_for(mailing, r["locale"])[0] == locale]
        if not group:
            continue
        _, subject, body = services.texts_for(mailing, locale)
        with force_locale(locale):
            for r, row in group:
                values = services.values_for(row.name, row.org, owed.get(row.organization_id, 0))
                context = {"subject": " ".join(merge.merge(subject, values).split())[:200],
                           "body": merge.merge(body, values), "test": False,
                           "unsubscribe_url": services.unsubscribe_url(mailing.id, row.id)}
                subject_text, text, html = render_message(services.TEMPLATE, subject=context["subject"],
                                                          locale=locale, context=context)
                key = dedup_key(mailing.id, row.id)
                messages.append({"recipient": r["email"], "subject": subject_text, "body_text": text,
                                 "body_html": html, "template": services.TEMPLATE, "dedup_key": key})
                keys.append(row.id)
    ids = queue_many(messages, batch=BATCH)
    links = db.session.execute(sa.select(MailingRecipient.id, MailingRecipient.contact_id)
                               .where(MailingRecipient.mailing_id == mailing.id,
                                      MailingRecipient.status == RecipientStatus.QUEUED)).all()
    message_of = dict(zip(keys, ids, strict=True))
    updates = [{"id": rid, "outbox_message_id": message_of[cid]} for rid, cid in links if cid in message_of]
    for start in range(0, len(updates), BATCH):
        db.session.execute(sa.update(MailingRecipient), updates[start:start + BATCH])

    counts = {status: 0 for status in RecipientStatus}
    for r in recipients:
        counts[r["status"]] += 1
    mailing.queued_count = counts[RecipientStatus.QUEUED]
    mailing.no_consent_count = counts[RecipientStatus.SKIPPED_NO_CONSENT]
    mailing.unsubscribed_count = counts[RecipientStatus.SKIPPED_UNSUBSCRIBED]
    mailing.state = MailingState.SENT
    audit.record("mailing.queued", mailing, changes={
        "queued_count": [None, mailing.queued_count], "no_consent_count": [None, mailing.no_consent_count],
        "unsubscribed_count": [None, mailing.unsubscribed_count]})
    db.session.flush()
    return len(ids)


def dispatch() -> None:
    """After the commit: one delivery task per batch of messages."""
    ids = take_queued()
    for start in range(0, len(ids), DELIVERY_BATCH):
        enqueue(deliver_mail, ids[start:start + DELIVERY_BATCH])


def run(mailing_id: int) -> int:
    started = time.monotonic()
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or mailing.state != MailingState.SENDING:
        return 0
    queued = build_recipients(mailing)
    db.session.commit()
    dispatch()
    log.info("mailing %s: %s messages queued in %.2f s", mailing_id, queued, time.monotonic() - started)
    return queued


@job(retries=3, retry_delay=30)
def send_mailing(mailing_id: int) -> int:
    """The worker's task: build and queue the mailing (enqueued by the send view after its commit)."""
    return run(mailing_id)
