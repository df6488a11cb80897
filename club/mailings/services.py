"""Every change of mailings: consent (given, withdrawn, unsubscribed), drafts, the test send, the send (a job
builds the recipients and queues one outbox message each), the unsubscribe link. Services flush and audit, never
commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from club.core import audit
from club.core.outbox import queue_mail
from club.core.refusals import Refused, check_version
from club.core.timezones import local_today
from club.core.urls import absolute_url
from club.extensions import db
from club.formats import money
from club.mailings import merge, queries
from club.mailings.models import (
    ConsentSource,
    ContactConsent,
    Mailing,
    MailingState,
    RecipientScope,
)
from club.members.models import Contact
from club.models import utcnow
from club.permissions import Role

TEMPLATE = "mailing"
SALT = "club-mailing-unsubscribe"


# ---------------------------------------------------------------------------------------------------------------
# Consent (law 09-08)


def _consent_of(contact: Contact) -> ContactConsent | None:
    return db.session.get(ContactConsent, contact.id)


def _named(contact: Contact, changes: dict) -> dict:
    """The changes of a contact's consent, naming the contact (recorded on the organisation's history)."""
    return {"contact": [contact.name, contact.name], **changes}


def give_consent(contact: Contact, *, by, source: ConsentSource, on: date | None = None) -> bool:
    """Record that the contact agreed to receive mailings (today): a withdrawal or an unsubscribe before it is
    cleared. False when it was already given (nothing changes)."""
    consent = _consent_of(contact)
    if consent is not None and consent.is_given:
        return False
    on = on or local_today()
    old = (consent.consented_on, consent.withdrawn_on, consent.unsubscribed_at) if consent else (None, None, None)
    if consent is None:
        consent = ContactConsent(contact_id=contact.id, source=source)
        db.session.add(consent)
    consent.consented_on, consent.withdrawn_on, consent.unsubscribed_at, consent.source = on, None, None, source
    changes = {"consented_on": [old[0], on], "source": [None, source]}
    if old[1] is not None:
        changes["withdrawn_on"] = [old[1], None]
    if old[2] is not None:
        changes["unsubscribed_at"] = [old[2], None]
    audit.record("mailing_consent.given", contact.organization, by=by, changes=_named(contact, changes))
    db.session.flush()
    return True


def withdraw_consent(contact: Contact, *, by, source: ConsentSource, on: date | None = None) -> bool:
    """Record that the contact withdrew their consent (today). False when there was none to withdraw."""
    consent = _consent_of(contact)
    if consent is None or consent.consented_on is None or consent.withdrawn_on is not None:
        return False
    on = on or local_today()
    consent.withdrawn_on, consent.source = on, source
    audit.record("mailing_consent.withdrawn", contact.organization, by=by,
                 changes=_named(contact, {"withdrawn_on": [None, on], "source": [None, source]}))
    db.session.flush()
    return True


def may_change_consent(user, contact) -> bool:
    """The secretariat changes any contact's consent; a member only their own (the contact of their organisation
    whose email is their account's)."""
    if user.role == Role.SECRETARIAT:
        return True
    return (user.role == Role.MEMBER and user.organization_id == contact.organization_id
            and bool(contact.email) and contact.email.lower() == (user.email or "").lower())


def unsubscribe(contact: Contact, *, mailing: Mailing | None = None) -> bool:
    """The contact followed a mailing's link and confirmed: no more mailings. Idempotent (False: already done).
    Transactional mail (reminders, decisions) is not concerned."""
    consent = _consent_of(contact)
    if consent is not None and consent.unsubscribed_at is not None:
        return False
    if consent is None:
        consent = ContactConsent(contact_id=contact.id, source=ConsentSource.UNSUBSCRIBE_LINK)
        db.session.add(consent)
    now = utcnow()
    consent.unsubscribed_at, consent.source = now, ConsentSource.UNSUBSCRIBE_LINK
    changes = {"unsubscribed_at": [None, now]}
    if mailing is not None:
        changes["mailing"] = [None, mailing.subject_fr]
    audit.record("mailing_consent.unsubscribed", contact.organization, changes=_named(contact, changes))
    db.session.flush()
    return True


# ---------------------------------------------------------------------------------------------------------------
# The unsubscribe link


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(mailing_id: int, contact_id: int | None) -> str:
    """A signed token naming the contact (None: a test message, which unsubscribes nobody)."""
    return _serializer().dumps({"m": mailing_id, "c": contact_id})


def read_unsubscribe_token(token: str) -> tuple[int, int | None] | None:
    """``(mailing id, contact id or None)``, or None for a forged or damaged token."""
    try:
        data = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    mailing_id, contact_id = data.get("m"), data.get("c")
    if not isinstance(mailing_id, int) or not (contact_id is None or isinstance(contact_id, int)):
        return None
    return mailing_id, contact_id


def unsubscribe_url(mailing_id: int, contact_id: int | None) -> str:
    return absolute_url("mailings.unsubscribe", token=unsubscribe_token(mailing_id, contact_id))


def unsubscribe_urls(mailing_id: int):
    """``url(contact_id)`` for many recipients of one mailing: one serializer, the address built once."""
    serializer, marker = _serializer(), "TOKEN-MARKER"
    template = absolute_url("mailings.unsubscribe", token=marker)
    return lambda contact_id: template.replace(marker, serializer.dumps({"m": mailing_id, "c": contact_id}))


# ---------------------------------------------------------------------------------------------------------------
# Drafts


@dataclass
class MailingData:
    subject_fr: str
    body_fr: str
    subject_en: str | None
    body_en: str | None
    scope: RecipientScope
    audience_label: str | None


FIELDS = ("subject_fr", "body_fr", "subject_en", "body_en", "scope", "audience_label")


def check_text(data: MailingData) -> None:
    """Merge fields that do not exist and an empty body are refused at their field."""
    problems = {}
    for name in ("subject_fr", "body_fr", "subject_en", "body_en"):
        unknown = merge.unknown_fields(getattr(data, name))
        if unknown:
            problems[name] = _("Unknown merge field: %(fields)s. Known fields: %(known)s.",
                               fields=", ".join("{" + f + "}" for f in unknown),
                               known=", ".join("{" + f + "}" for f in merge.FIELDS))
    if not (data.body_fr or "").strip() and "body_fr" not in problems:
        problems["body_fr"] = _("Write the letter in French.")
    if bool((data.subject_en or "").strip()) != bool((data.body_en or "").strip()):
        name = "body_en" if (data.subject_en or "").strip() else "subject_en"
        problems.setdefault(name, _("Give the English version both a subject and a text, or leave both empty."))
    if problems:
        first = next(iter(problems))
        raise Refused(problems[first], field=first, problems=problems)


def _check_audience(mailing: Mailing) -> None:
    if queries.summary(mailing).contacts == 0:
        raise Refused(_("Nobody to write to: no organisation of this audience has a contact with an email "
                        "address. Go back to the register and choose others."), field="audience_label")


def create_mailing(data: MailingData, audience: dict, *, by) -> Mailing:
    check_text(data)
    mailing = Mailing(audience=audience, created_by_id=by.id, state=MailingState.DRAFT,
                      **{name: getattr(data, name) for name in FIELDS})
    _check_audience(mailing)
    db.session.add(mailing)
    db.session.flush()
    audit.record("mailing.created", mailing, by=by, changes={"subject_fr": [None, mailing.subject_fr],
                                                             "audience_label": [None, mailing.audience_label]})
    return mailing


def update_mailing(mailing: Mailing, data: MailingData, *, version, by) -> dict:
    check_version(mailing, version)
    if not mailing.is_draft:
        raise Refused(_("This mailing has been sent: it can no longer be changed."))
    check_text(data)
    for name in FIELDS:
        setattr(mailing, name, getattr(data, name))
    changes = audit.diff(mailing, FIELDS)
    if changes:
        _check_audience(mailing)
        for name in ("body_fr", "body_en"):  # long texts: the change is named, not copied into the trail
            if name in changes:
                changes[name] = [None, "changed"]
        audit.record("mailing.updated", mailing, by=by, changes=changes)
        db.session.flush()
    return changes


def delete_mailing(mailing: Mailing, *, by) -> None:
    if not mailing.is_draft:
        raise Refused(_("This mailing has been sent: it is kept."))
    audit.record("mailing.deleted", mailing, by=by, changes={"subject_fr": [mailing.subject_fr, None]})
    db.session.delete(mailing)
    db.session.flush()


# ---------------------------------------------------------------------------------------------------------------
# Rendering a letter for one recipient


def texts_for(mailing: Mailing, locale: str) -> tuple[str, str, str]:
    """``(locale used, subject, body)``: the English version for English readers when there is one, else the
    French one."""
    if locale == "en" and (mailing.body_en or "").strip():
        return "en", mailing.subject_en or mailing.subject_fr, mailing.body_en
    return "fr", mailing.subject_fr, mailing.body_fr


def values_for(name: str, organisation: str, owed) -> dict[str, str]:
    """The merge fields' values, in the locale in force (money as its readers write it)."""
    return {"contact_name": name or "", "organisation": organisation or "", "dues_owed": money(owed or 0)}


def letter(mailing: Mailing, *, locale: str, name: str, organisation: str, owed, contact_id: int | None) -> dict:
    """What one recipient receives: subject, text and the context of the mail templates (in ``locale``)."""
    used, subject, body = texts_for(mailing, locale)
    with force_locale(used):
        values = values_for(name, organisation, owed)
        return {"locale": used, "subject": " ".join(merge.merge(subject, values).split())[:200],
                "body": merge.merge(body, values), "unsubscribe_url": unsubscribe_url(mailing.id, contact_id)}


def preview(mailing: Mailing, row) -> dict:
    """The letter as the audience contact ``row`` (``queries.audience_contacts``) would receive it."""
    by_email, by_org = queries.locales([row.organization_id], [row.email.lower()])
    locale = queries.locale_of(row.email, row.organization_id, by_email, by_org)
    owed = queries.dues_owed([row.organization_id]).get(row.organization_id, 0)
    return letter(mailing, locale=locale, name=row.name, organisation=row.org, owed=owed, contact_id=row.id)


def send_test(mailing: Mailing, *, by, locale: str, row=None) -> None:
    """A copy to the person who asks, through the outbox, with the values of ``row`` (an audience contact) or,
    without one, their own name; its unsubscribe link unsubscribes nobody."""
    if row is not None:
        owed = queries.dues_owed([row.organization_id]).get(row.organization_id, 0)
        name, organisation = row.name, row.org
    else:
        name, organisation, owed = by.name, "", 0
    mail = letter(mailing, locale=locale, name=name, organisation=organisation, owed=owed, contact_id=None)
    queue_mail(TEMPLATE, by.email, subject=_("[Test] %(subject)s", subject=mail["subject"]), locale=mail["locale"],
               context={**mail, "test": True})
    audit.record("mailing.test_sent", mailing, by=by, changes={"to": [None, by.email]})


# ---------------------------------------------------------------------------------------------------------------
# Sending


def start_sending(mailing: Mailing, *, version, by) -> bool:
    """Draft → being sent, once: a conditional UPDATE, so that two clicks (or twenty) send it once. False when
    it was no longer a draft (or changed meanwhile); the view then says so. The recipients are built by the job,
    enqueued after the commit."""
    check_version(mailing, version)
    _check_audience(mailing)
    summary = queries.summary(mailing)
    if summary.recipients == 0:
        raise Refused(ngettext("Nobody would receive this mailing: its contact has not given consent (law 09-08) "
                               "or unsubscribed.",
                               "Nobody would receive this mailing: of its %(num)s contacts, none has given consent "
                               "(law 09-08) or all of them unsubscribed.", summary.contacts),
                      field="audience_label")
    result = db.session.execute(
        sa.update(Mailing)
        .where(Mailing.id == mailing.id, Mailing.state == MailingState.DRAFT, Mailing.version == mailing.version)
        .values(state=MailingState.SENDING, sent_by_id=by.id, sent_at=utcnow(), version=Mailing.version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    audit.record("mailing.sent", mailing, by=by, entity_type="mailings")
    db.session.flush()
    return True
