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
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from markupsafe import escape

from club.core import audit
from club.core.jobs import enqueue, every_minute, job, periodic_job
from club.core.outbox import deliver_mail, queue_many, render_message, take_queued
from club.extensions import db
from club.mailings import merge, queries, services
from club.mailings.models import Mailing, MailingRecipient, MailingState, RecipientStatus
from club.members.models import Contact, Organization

log = logging.getLogger("club.mailings")

BATCH = 500
DELIVERY_BATCH = 200

SKIPPED = {"unsubscribed": RecipientStatus.SKIPPED_UNSUBSCRIBED, "none": RecipientStatus.SKIPPED_NO_CONSENT}


class Skeleton:
    """The mail templates rendered once per language with markers in place of the subject, the letter and the
    link, then filled for each recipient (the HTML part with escaped values): the same text ``render_message``
    gives, without rendering two templates ten thousand times."""

    SUBJECT, BODY, URL = "\x01SUBJECT\x01", "\x01BODY\x01", "\x01URL\x01"

    def __init__(self, locale: str):
        _, self.text, self.html = render_message(
            services.TEMPLATE, subject=self.SUBJECT, locale=locale,
            context={"subject": self.SUBJECT, "body": self.BODY, "unsubscribe_url": self.URL, "test": False})

    @staticmethod
    def _fill(template: str, values: dict[str, str]) -> str:
        for marker, value in values.items():
            template = template.replace(marker, value)
        return template

    def fill(self, subject: str, body: str, url: str) -> tuple[str, str]:
        text = self._fill(self.text, {self.SUBJECT: subject, self.BODY: body, self.URL: url})
        html = self._fill(self.html, {self.SUBJECT: str(escape(subject)), self.BODY: str(escape(body)),
                                      self.URL: str(escape(url))})
        return text, html


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
                           "status": status, "outbox_message_id": None})

    queued = [(r, row) for r, row in zip(recipients, rows, strict=True) if r["status"] == RecipientStatus.QUEUED]
    url_of = services.unsubscribe_urls(mailing.id)
    messages, sent_to = [], []
    for locale in ("fr", "en"):
        group = [(r, row) for r, row in queued if services.texts_for(mailing, r["locale"])[0] == locale]
        if not group:
            continue
        _, subject, body = services.texts_for(mailing, locale)
        with force_locale(locale):
            skeleton = Skeleton(locale)
            money: dict = {}
            for r, row in group:
                amount = owed.get(row.organization_id, 0)
                if amount not in money:
                    money[amount] = services.values_for("", "", amount)["dues_owed"]
                values = {"contact_name": row.name or "", "organisation": row.org or "", "dues_owed": money[amount]}
                subject_text = " ".join(merge.merge(subject, values).split())[:200]
                text, html = skeleton.fill(subject_text, merge.merge(body, values), url_of(row.id))
                messages.append({"recipient": r["email"], "subject": subject_text, "body_text": text,
                                 "body_html": html, "template": services.TEMPLATE,
                                 "dedup_key": dedup_key(mailing.id, row.id)})
                sent_to.append(r)
    # The messages first, then the recipients with their message's id: one INSERT pass each.
    ids = queue_many(messages, batch=BATCH)
    for r, message_id in zip(sent_to, ids, strict=True):
        r["outbox_message_id"] = message_id
    for start in range(0, len(recipients), BATCH):
        db.session.execute(sa.insert(MailingRecipient), recipients[start:start + BATCH])

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


# A mailing "being sent" for longer than this was not built (its task was lost: the queue was unreachable at
# the send, or the worker died): the sweep builds it.
STALLED = timedelta(minutes=2)


def resume_stalled() -> int:
    """Build the mailings whose task was lost. How many messages were queued."""
    from club.models import utcnow

    stalled = list(db.session.scalars(sa.select(Mailing.id).where(Mailing.state == MailingState.SENDING,
                                                                  Mailing.sent_at < utcnow() - STALLED)))
    db.session.rollback()
    return sum(run(mailing_id) for mailing_id in stalled)


@periodic_job(every_minute)
def mailings_sweep() -> int:
    """Every minute: a mailing left "being sent" (its task lost) is built; building twice queues nothing twice."""
    return resume_stalled()
