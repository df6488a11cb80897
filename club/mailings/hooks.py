"""What mailings adds to the app: the navigation entry (the secretariat's), the "Mailing consent" section of an
organisation's page (the secretariat, and the organisation's own member contacts), how its audit events read and
name their mailings, the ``List-Unsubscribe`` header of its messages, the demo."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from club.core import audit
from club.core.outbox import HEADERS
from club.core.registry import registry
from club.extensions import db
from club.forms import ConfirmForm
from club.mailings import demo, queries, services
from club.mailings.models import (
    CONSENT_SOURCE_LABELS,
    RECIPIENT_SCOPE_LABELS,
    Mailing,
    MailingRecipient,
)
from club.permissions import Role

ACTIONS = {
    "mailing.created": _l("Mailing drafted"),
    "mailing.updated": _l("Mailing draft edited"),
    "mailing.deleted": _l("Mailing draft deleted"),
    "mailing.test_sent": _l("Mailing test sent"),
    "mailing.sent": _l("Mailing sent"),
    "mailing.queued": lambda changes: ngettext(
        "Mailing queued for %(num)s recipient", "Mailing queued for %(num)s recipients",
        int((changes.get("queued_count") or [None, 0])[1] or 0)),
    "mailing_consent.given": _l("Consent to mailings recorded"),
    "mailing_consent.withdrawn": _l("Consent to mailings withdrawn"),
    "mailing_consent.unsubscribed": _l("Unsubscribed from mailings"),
}

FIELDS = {
    "mailing.": {
        "subject_fr": _l("Subject in French"),
        "subject_en": _l("Subject in English"),
        "body_fr": audit.Field(_l("Letter in French"), {"changed": _l("changed")}),
        "body_en": audit.Field(_l("Letter in English"), {"changed": _l("changed")}),
        "scope": audit.Field(_l("Recipients"), audit.choice(RECIPIENT_SCOPE_LABELS)),
        "audience_label": _l("Audience"),
        "to": _l("To"),
        "queued_count": audit.Field(_l("Messages queued"), audit.number),
        "no_consent_count": audit.Field(_l("Skipped: no consent"), audit.number),
        "unsubscribed_count": audit.Field(_l("Skipped: unsubscribed"), audit.number),
    },
    "mailing_consent.": {
        "contact": _l("Contact"),
        "consented_on": audit.Field(_l("Consent given on"), audit.date),
        "withdrawn_on": audit.Field(_l("Consent withdrawn on"), audit.date),
        "unsubscribed_at": audit.Field(_l("Unsubscribed on"), audit.moment),
        "source": audit.Field(_l("Source"), audit.choice(CONSENT_SOURCE_LABELS)),
        "mailing": _l("Mailing"),
    },
}


def consent_section(org, user):
    """Each contact with an email and their consent: the secretariat, and the organisation's own members."""
    if user.role == Role.SECRETARIAT:
        pass
    elif user.role == Role.MEMBER and user.organization_id == org.id:
        pass
    else:
        return None
    rows = queries.consent_rows(org.id)
    if not rows:
        return None
    return {"rows": rows, "consent_form": ConfirmForm(), "source_labels": CONSENT_SOURCE_LABELS,
            "may_change": lambda contact: services.may_change_consent(user, contact)}


def subjects(ids, user) -> dict:
    if user.role != Role.SECRETARIAT:
        return {}
    rows = db.session.execute(sa.select(Mailing.id, Mailing.subject_fr).where(Mailing.id.in_(ids)))
    return {ident: (subject, url_for("mailings.detail", mailing_id=ident)) for ident, subject in rows}


def list_unsubscribe(message) -> dict[str, str]:
    """The ``List-Unsubscribe`` header of a mailing's message (RFC 2369): its recipient's signed link."""
    row = db.session.execute(sa.select(MailingRecipient.mailing_id, MailingRecipient.contact_id)
                             .where(MailingRecipient.outbox_message_id == message.id)).first()
    if row is None:
        return {}
    return {"List-Unsubscribe": f"<{services.unsubscribe_url(row.mailing_id, row.contact_id)}>"}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("mailings.index", _l("Mailings"), order=60)
    hooks.section("organization", "mailings/_consent_section.html", consent_section, order=80)
    hooks.action_labels(ACTIONS)
    hooks.audit_fields(FIELDS)
    hooks.subject("mailings", subjects)
    hooks.demo("mailings", demo.load)
    app.extensions.setdefault(HEADERS, {})[services.TEMPLATE] = list_unsubscribe
    from club.mailings import jobs  # noqa: F401  (the task, known to the worker)
