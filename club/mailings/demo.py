"""The mailings part of the demo world (invented: the article mentions no mailing).

- Consent to the club's mailings recorded in January 2026 for the primary contacts of most of the article's
  organisations (and Saccom's second contact); Groupe international A and B, the CRI and Oriental Digital Lab gave
  none, so a mailing skips them and says so.
- One mailing sent to the active members, "Invitation : mission Casa-shore", with its recipients (delivered: its
  messages are in the outbox as sent, so the worker sends nothing), and one draft to the active call centres of
  Oujda-Angad about their dues. Siccam, an active member, gave no consent: the sent mailing skips it.

Idempotent: consent is given once; the mailings are found by subject.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import g

from club.auth.models import User
from club.core.models import OutboxMessage, OutboxStatus
from club.extensions import db
from club.mailings import jobs, services
from club.mailings.models import ConsentSource, ContactConsent, Mailing, MailingState, RecipientScope
from club.members.queries import organisation_named as organisation
from club.models import utcnow
from club.permissions import Role

# Siccam (an active member) gave none: the sent mailing counts it as skipped.
CONSENTING = ["Intelcia", "Saccom", "Notoriety", "Eca groupe", "FIRO", "Apebi", "MedZ"]
ALSO = ["Nadia Amrani"]  # Saccom's second contact
SENT = "Invitation : mission Casa-shore"
DRAFT = "Cotisation 2026 : où en êtes-vous ?"

SENT_BODY_FR = """Bonjour {contact_name},

Le Club de l'Offshoring de l'Oriental organise une mission à Casa-shore pour rencontrer les donneurs d'ordre \
et les opérateurs installés. {organisation} y est la bienvenue : répondez simplement à ce message pour vous \
inscrire.

Le secrétariat du Club"""
SENT_BODY_EN = """Dear {contact_name},

The Oriental Offshoring Club organises a mission to Casa-shore to meet the contractors and operators based \
there. {organisation} is most welcome: simply reply to this message to register.

The club's secretariat"""
DRAFT_BODY_FR = """Bonjour {contact_name},

Selon nos registres, {organisation} reste redevable de {dues_owed} de cotisations au Club. Si le règlement \
est en cours, merci d'ignorer ce message.

Le secrétariat du Club"""


def _secretariat() -> User | None:
    return db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id))


def load() -> list[str]:
    by = _secretariat()
    if by is None:
        return ["no secretariat user: nothing added"]
    given = 0
    for name in CONSENTING:
        org = organisation(name)
        if org is None:
            continue
        for contact in org.contacts:
            if (contact.is_primary or contact.name in ALSO) and contact.email \
                    and db.session.get(ContactConsent, contact.id) is None:
                services.give_consent(contact, by=by, source=ConsentSource.SECRETARIAT, on=date(2026, 1, 15))
                given += 1
    added = 0
    if db.session.scalar(sa.select(Mailing.id).where(Mailing.subject_fr == SENT)) is None:
        mailing = services.create_mailing(services.MailingData(
            subject_fr=SENT, body_fr=SENT_BODY_FR, subject_en="Invitation: Casa-shore mission", body_en=SENT_BODY_EN,
            scope=RecipientScope.PRIMARY, audience_label="Membres actifs"), {"status": "active"}, by=by)
        mailing.state, mailing.sent_by_id, mailing.sent_at = MailingState.SENDING, by.id, utcnow()
        services.audit.record("mailing.sent", mailing, by=by)
        db.session.flush()
        queued_before = list(g.get("outbox_queued", []))
        jobs.build_recipients(mailing)
        # Delivered long ago: nothing for the worker to send.
        g.outbox_queued = queued_before
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.dedup_key.like(f"mailing:{mailing.id}:%"))
                           .values(status=OutboxStatus.SENT, sent_at=utcnow(), attempts=1)
                           .execution_options(synchronize_session=False))
        added += 1
    if db.session.scalar(sa.select(Mailing.id).where(Mailing.subject_fr == DRAFT)) is None:
        services.create_mailing(services.MailingData(
            subject_fr=DRAFT, body_fr=DRAFT_BODY_FR, subject_en=None, body_en=None, scope=RecipientScope.PRIMARY,
            audience_label="Centres d'appels actifs d'Oujda-Angad"),
            {"kind": "call_center", "status": "active", "province": "oujda_angad"}, by=by)
        added += 1
    db.session.flush()
    return [f"consents recorded: {given}", f"mailings added: {added}"]


