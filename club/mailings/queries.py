"""Reads of mailings: a mailing's audience (the register's filters, or a selection) and its summary, the list of
mailings, a mailing's recipients with their delivery status, the recipients one may preview, the consent of an
organisation's contacts. Each in a constant number of queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from club.auth.models import User
from club.core.freshness import fresh
from club.core.models import OutboxMessage, OutboxStatus
from club.core.text import fold, like_escape
from club.extensions import db
from club.mailings.models import (
    ContactConsent,
    Mailing,
    MailingRecipient,
    RecipientScope,
    RecipientStatus,
)
from club.members.models import Contact, Dues, Organization
from club.members.queries import RegisterFilters, register_where
from club.permissions import Role

PER_PAGE = 50
PICK_PER_PAGE = 20
MAX_IDS = 5000

# The audience is read as the secretariat reads the register (mailings are theirs alone).
SECRETARIAT = SimpleNamespace(role=Role.SECRETARIAT, organization_id=None, id=None, is_authenticated=True)


# ---------------------------------------------------------------------------------------------------------------
# The audience


def parse_ids(values) -> list[int]:
    """Organisation ids from repeated ``ids`` arguments: whole numbers only, at most ``MAX_IDS``, no repeats."""
    found: list[int] = []
    for value in values:
        for piece in str(value).replace(",", " ").split():
            if piece.isascii() and piece.isdigit() and len(piece) <= 10 and int(piece) < 2**31:
                number = int(piece)
                if number not in found:
                    found.append(number)
    return found[:MAX_IDS]


def audience_from_args(args) -> dict[str, Any]:
    """The audience a link carries (``/mailings/new?kind=…&province=…`` or ``?ids=1&ids=2``): the register's
    filters as it reads them (anything it does not know is dropped) and the selection's ids."""
    filters = _secretariat_filters(args).args()
    filters.pop("sort", None)
    audience: dict[str, Any] = dict(filters)
    if "ids" in args:  # a selection, even one whose ids are all unreadable: never the whole register instead
        audience["ids"] = parse_ids(args.getlist("ids") if hasattr(args, "getlist") else args.get("ids", []))
    return audience


def audience_filters(audience: dict) -> RegisterFilters:
    args = MultiDict({k: v for k, v in (audience or {}).items() if k != "ids" and isinstance(v, str)})
    return _secretariat_filters(args)


def _secretariat_filters(args) -> RegisterFilters:
    """The register's filters as the secretariat reads them (its tags included: a segment of tagged organisations
    writes to those only), on the current organisations (never the archived ones)."""
    filters = RegisterFilters.from_args(args, may_see_archived=True)
    filters.archived = ""
    return filters


def organisation_conditions(audience: dict) -> list:
    """The organisations of an audience: the register's filters (its current organisations), narrowed to the
    selection's ids when there is one."""
    conditions = register_where(audience_filters(audience), SECRETARIAT)
    ids = parse_ids((audience or {}).get("ids") or [])
    if (audience or {}).get("ids") is not None:
        conditions.append(Organization.id.in_(ids) if ids else sa.false())
    return conditions


_TWIN, _TWIN_CONSENT = sa.orm.aliased(Contact, name="twin"), sa.orm.aliased(ContactConsent, name="twin_consent")
# An unsubscribe is the address's, whichever contact record it came through: the same person listed at two
# organisations (emails are stored lower-cased, and indexed) is written to by neither once they unsubscribed.
ADDRESS_UNSUBSCRIBED = sa.exists().where(_TWIN.email == Contact.email, _TWIN_CONSENT.contact_id == _TWIN.id,
                                         _TWIN_CONSENT.unsubscribed_at.is_not(None))

CONSENT_STATE = sa.case(
    (ContactConsent.unsubscribed_at.is_not(None), "unsubscribed"),
    (ADDRESS_UNSUBSCRIBED, "unsubscribed"),
    (sa.and_(ContactConsent.consented_on.is_not(None), ContactConsent.withdrawn_on.is_(None)), "given"),
    else_="none",
)


def audience_contacts(mailing_or_audience, scope: RecipientScope | None = None) -> sa.Select:
    """The contacts a mailing writes to: of the audience's organisations, with an email, primary ones only or
    all; with their organisation's name and their consent state ("given", "unsubscribed", "none")."""
    if isinstance(mailing_or_audience, Mailing):
        audience, scope = mailing_or_audience.audience, mailing_or_audience.scope
    else:
        audience = mailing_or_audience
    stmt = (sa.select(Contact.id, Contact.name, Contact.email, Contact.organization_id, Organization.name.label("org"),
                      CONSENT_STATE.label("consent"))
            .join(Organization, Organization.id == Contact.organization_id)
            .outerjoin(ContactConsent, ContactConsent.contact_id == Contact.id)
            .where(*organisation_conditions(audience), Contact.email.is_not(None), Contact.email != ""))
    if scope != RecipientScope.ALL:
        stmt = stmt.where(Contact.is_primary.is_(True))
    return stmt


@dataclass
class Summary:
    organisations: int
    recipients: int  # who will receive it
    no_consent: int
    unsubscribed: int

    @property
    def contacts(self) -> int:
        return self.recipients + self.no_consent + self.unsubscribed


def summary(mailing: Mailing) -> Summary:
    """How many organisations the audience holds, and of their contacts with an email how many will receive the
    mailing, how many will be skipped for no consent or as unsubscribed (two queries, then kept until the data
    changes: the same for everyone who may see the mailing)."""
    key = json.dumps([str(mailing.scope), mailing.audience], sort_keys=True, default=str)  # what it counts, as is
    return fresh(("mailings.summary", key), lambda: _summary(mailing))


def _summary(mailing: Mailing) -> Summary:
    organisations = db.session.scalar(sa.select(sa.func.count()).select_from(Organization)
                                      .where(*organisation_conditions(mailing.audience)))
    rows = audience_contacts(mailing).subquery()
    counts = dict(db.session.execute(sa.select(rows.c.consent, sa.func.count()).group_by(rows.c.consent)).all())
    return Summary(organisations=organisations, recipients=counts.get("given", 0),
                   no_consent=counts.get("none", 0), unsubscribed=counts.get("unsubscribed", 0))


def audience_page(mailing: Mailing, q: str = "", page: int = 1):
    """The audience's contacts, a page at a time, optionally narrowed by a typed name: whom to preview."""
    from club.core.pagination import paginate

    stmt = audience_contacts(mailing)
    for term in fold(q or "").split()[:5]:
        stmt = stmt.where(sa.or_(Contact.name_key.like(f"%{like_escape(term)}%", escape="\\"),
                                 Organization.name_key.like(f"%{like_escape(term)}%", escape="\\")))
    stmt = stmt.order_by(Organization.name_key, Contact.name_key, Contact.id)
    return paginate(stmt, page=page, per_page=PICK_PER_PAGE, scalars=False)


def audience_contact(mailing: Mailing, contact_id: int | None):
    """One contact of the audience (None when not in it)."""
    if contact_id is None:
        return None
    return db.session.execute(audience_contacts(mailing).where(Contact.id == contact_id)).first()


def first_audience_contact(mailing: Mailing):
    return db.session.execute(audience_contacts(mailing).order_by(Organization.name_key, Contact.id).limit(1)).first()


# ---------------------------------------------------------------------------------------------------------------
# Values of the merge fields, and each contact's language


def dues_owed(org_ids) -> dict[int, Decimal]:
    """Unpaid dues per organisation (every year not paid), for ``org_ids`` (a list or a subquery)."""
    rows = db.session.execute(sa.select(Dues.organization_id, sa.func.sum(Dues.amount))
                              .where(Dues.paid_on.is_(None), Dues.organization_id.in_(org_ids))
                              .group_by(Dues.organization_id))
    return {org_id: Decimal(total or 0) for org_id, total in rows}


def locales(org_ids, emails_of) -> tuple[dict[str, str], dict[int, str]]:
    """The language of the contacts: an account with the contact's own email says it; else the organisation's
    member accounts (the first one's); else French. ``emails_of``: a subquery of the contacts' emails."""
    by_email = dict(db.session.execute(sa.select(User.email, User.locale)
                                       .where(User.email.in_(emails_of))).all())
    by_org: dict[int, str] = {}
    for org_id, locale in db.session.execute(
            sa.select(User.organization_id, User.locale)
            .where(User.organization_id.in_(org_ids), User.role == Role.MEMBER).order_by(User.id)):
        by_org.setdefault(org_id, locale)
    return by_email, by_org


def locale_of(email: str, org_id: int, by_email: dict, by_org: dict) -> str:
    locale = by_email.get((email or "").strip().lower()) or by_org.get(org_id) or "fr"
    return "en" if locale == "en" else "fr"


# ---------------------------------------------------------------------------------------------------------------
# Lists


def mailing_list() -> sa.Select:
    return sa.select(Mailing).order_by(Mailing.id.desc())


# What a recipient's row says: skipped as the job decided; else as its message stands.
RECIPIENT_STATE = sa.case(
    (MailingRecipient.status != RecipientStatus.QUEUED, MailingRecipient.status),
    (OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.LOGGED]), RecipientStatus.SENT.value),
    (OutboxMessage.status == OutboxStatus.FAILED, RecipientStatus.FAILED.value),
    (sa.and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.last_error.is_not(None)),
     RecipientStatus.FAILED.value),
    else_=RecipientStatus.QUEUED.value,
)


def recipients(mailing: Mailing, status: str = "") -> sa.Select:
    stmt = (sa.select(MailingRecipient, RECIPIENT_STATE.label("state"), OutboxMessage.last_error,
                      OutboxMessage.status.label("message_status"))
            .outerjoin(OutboxMessage, OutboxMessage.id == MailingRecipient.outbox_message_id)
            .where(MailingRecipient.mailing_id == mailing.id))
    if status in {s.value for s in RecipientStatus}:
        stmt = stmt.where(RECIPIENT_STATE == status)
    return stmt.order_by(MailingRecipient.id)


def totals(mailing: Mailing) -> dict[str, int]:
    """How many recipients stand in each state (one query)."""
    rows = db.session.execute(
        sa.select(RECIPIENT_STATE, sa.func.count())
        .select_from(MailingRecipient)
        .outerjoin(OutboxMessage, OutboxMessage.id == MailingRecipient.outbox_message_id)
        .where(MailingRecipient.mailing_id == mailing.id).group_by(RECIPIENT_STATE))
    found = {str(state.value if hasattr(state, "value") else state): n for state, n in rows}
    return {s.value: found.get(s.value, 0) for s in RecipientStatus}


# ---------------------------------------------------------------------------------------------------------------
# Consent, on an organisation's page


def consent_rows(org_id: int) -> list:
    """The organisation's contacts with an email, with their consent (one query)."""
    return list(db.session.execute(
        sa.select(Contact, ContactConsent)
        .outerjoin(ContactConsent, ContactConsent.contact_id == Contact.id)
        .where(Contact.organization_id == org_id, Contact.email.is_not(None), Contact.email != "")
        .order_by(Contact.is_primary.desc(), Contact.name_key, Contact.id)))
