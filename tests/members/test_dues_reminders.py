"""Renewal reminders: the periodic job, called directly, queues one message per membership due within 30 days (or
overdue) and per period, in the language of the organisation's member accounts; the worker delivers it to a real
SMTP server on loopback; a second run sends nothing twice; a renewal starts a new period (a new reminder)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from club.core.models import AuditEvent, OutboxStatus
from club.members import services
from club.members.jobs import renewal_reminders
from club.members.models import MembershipStatus, MembershipTier
from club.permissions import Role
from tests.members.factories import ContactFactory, MembershipFactory

TODAY = date(2026, 12, 7)


def _member(db, factories, name, days, tier, *, status=MembershipStatus.ACTIVE, email=None, locales=()):
    org = factories.OrganizationFactory(name=name)
    MembershipFactory(organization=org, tier=tier, status=status, renews_on=TODAY + timedelta(days=days))
    if email:
        ContactFactory(organization=org, is_primary=True, email=email)
    for i, locale in enumerate(locales):
        factories.UserFactory(role=Role.MEMBER, organization=org, locale=locale,
                              email=f"{name.lower().replace(' ', '')}{i}@member.example")
    db.session.commit()
    return org


def test_the_job_queues_one_reminder_per_period_and_the_worker_sends_it_once(app, db, factories, outbox, jobs,
                                                                           smtp_server):
    tier = MembershipTier(name="Membre", annual_fee=Decimal("10000.00"), period_months=12)
    db.session.add(tier)
    db.session.commit()
    soon = _member(db, factories, "Soon Call", 12, tier, email="boss@soon.example", locales=["fr", "en"])
    english = _member(db, factories, "English BPO", 30, tier, locales=["en", "en"])  # no primary contact: an account
    _member(db, factories, "Late Center", -10, tier, email="late@late.example")
    _member(db, factories, "Later", 31, tier, email="later@later.example")
    _member(db, factories, "Suspended", 5, tier, status=MembershipStatus.SUSPENDED, email="s@s.example")
    archived = _member(db, factories, "Archived", 5, tier, email="a@a.example")
    archived.archived_at = archived.created_at
    db.session.commit()

    with app.test_request_context():
        assert renewal_reminders.call_local(TODAY) == 3
    messages = outbox(template="membership_renewal")
    assert sorted(m.recipient for m in messages) == ["boss@soon.example", "englishbpo0@member.example",
                                                     "late@late.example"]
    by_recipient = {m.recipient: m for m in messages}
    french = by_recipient["boss@soon.example"]  # its accounts read French and English: French
    # (the dates say the language whatever the catalogue: Babel's French and English formats)
    assert "Soon Call" in french.body_text and "19 déc. 2026" in french.body_text and "19 déc. 2026" in french.subject
    assert "000,00\u00a0MAD" in french.body_text and "http://club.test/members/" in french.body_text
    assert "renews on Jan 6, 2027" in by_recipient["englishbpo0@member.example"].subject
    assert "was due for renewal" in by_recipient["late@late.example"].body_text or \
        "devait être renouvelée" in by_recipient["late@late.example"].body_text
    assert all(m.dedup_key.startswith("members:renewal-reminder:") for m in messages)
    assert len(list(db.session.scalars(sa.select(AuditEvent)
                                       .where(AuditEvent.action == "membership.renewal_reminded")))) == 3

    jobs.run()  # the worker delivers them to the SMTP server
    assert len(smtp_server.messages) == 3
    assert all(m.status == OutboxStatus.SENT for m in outbox(template="membership_renewal"))

    # Hourly runs, a manual run: nothing twice.
    with app.test_request_context():
        assert renewal_reminders.call_local(TODAY) == 0
    jobs.run()
    assert len(smtp_server.messages) == 3 and len(outbox(template="membership_renewal")) == 3
    with app.test_request_context():  # the next day, "Later" is within 30 days: its reminder, the others not again
        assert renewal_reminders.call_local(TODAY + timedelta(days=1)) == 1

    # Renewed, the membership starts a new period: its next reminder comes 30 days before the new date.
    sec = factories.UserFactory()
    services.renew_membership(soon.membership, by=sec, today=TODAY)
    db.session.commit()
    with app.test_request_context():
        assert renewal_reminders.call_local(TODAY) == 0
        assert renewal_reminders.call_local(soon.membership.renews_on - timedelta(days=29)) == 1  # Soon Call's new period
    assert english.id  # (the English organisation's reminder was not sent again either)
    assert len([m for m in outbox(template="membership_renewal") if m.recipient == "boss@soon.example"]) == 2


def test_a_rolled_back_run_sends_nothing(app, db, factories, outbox):
    tier = MembershipTier(name="Membre", annual_fee=Decimal("0.00"), period_months=12)
    db.session.add(tier)
    db.session.commit()
    _member(db, factories, "Soon", 3, tier, email="soon@soon.example")
    with app.test_request_context():
        assert services.remind_renewals(TODAY) == 1
        db.session.rollback()
    assert outbox(template="membership_renewal") == []
