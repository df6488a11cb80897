"""Organisations with contacts and consent, for the mailings tests."""

from __future__ import annotations

import re
from datetime import date

from club.core.text import fold
from club.extensions import db
from club.mailings import services
from club.mailings.models import ConsentSource, RecipientScope
from club.members.models import Contact, Dues, Membership, MembershipStatus, Province
from tests.factories import OrganizationFactory, UserFactory


def organisation(name: str, *, contacts=(), province=Province.OUJDA_ANGAD, status=MembershipStatus.ACTIVE,
                 owed=None, kind=None):
    """An organisation with its contacts: ``(name, email, primary, consent)``; consent True/False."""
    extra = {"kind": kind} if kind else {}
    org = OrganizationFactory(name=name, province=province, **extra)
    if status is not None:
        db.session.add(Membership(organization_id=org.id, status=status))
    if owed is not None:
        db.session.add(Dues(organization_id=org.id, year=2026, amount=owed))
    by = UserFactory(email=f"staff-{fold(name).replace(' ', '-')}@club.example")
    made = []
    for contact_name, email, primary, consent in contacts:
        contact = Contact(organization_id=org.id, name=contact_name, name_key=fold(contact_name), email=email,
                          is_primary=primary)
        db.session.add(contact)
        db.session.flush()
        if consent:
            services.give_consent(contact, by=by, source=ConsentSource.SECRETARIAT, on=date(2026, 1, 15))
        made.append(contact)
    db.session.flush()
    return org, made


def data(**values):
    base = {"subject_fr": "Invitation pour {organisation}", "body_fr": "Bonjour {contact_name},\nVous devez {dues_owed}.",
            "subject_en": None, "body_en": None, "scope": RecipientScope.PRIMARY, "audience_label": "Test"}
    base.update(values)
    return services.MailingData(**base)


LINK = re.compile(r"(https?://\S+/mailings/unsubscribe/[A-Za-z0-9_.\-]+)")


def unsubscribe_link(text: str) -> str:
    return LINK.search(text).group(1)
