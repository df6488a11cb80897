"""Deal factories: deals are made through the services, as the app makes them."""

from __future__ import annotations

from decimal import Decimal

from club.deals import services
from club.deals.models import DealKind, DocumentKind, Stage
from club.extensions import db
from tests.factories import OrganizationFactory, UserFactory

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PATH = [Stage.LEAD, Stage.SCREENING, Stage.DUE_DILIGENCE, Stage.COMMITTEE, Stage.TERM_SHEET, Stage.SIGNED,
        Stage.CLOSED]


def staff(locale: str = "fr"):
    """A secretariat user; the pages they get are in ``locale`` (French unless a test says otherwise)."""
    return UserFactory(role="secretariat", locale=locale)


def make_deal(by=None, *, stage: Stage = Stage.LEAD, title="Deal", kind=DealKind.EQUITY, amount=Decimal("1000.00"),
              target=None, investors=None, shared_with=(), owner=None, **values):
    """A deal walked to ``stage`` through the services, committed."""
    from datetime import date

    by = by or staff()
    target = target or OrganizationFactory()
    investors = investors or [OrganizationFactory()]
    deal = services.create_deal(by=by, investor_ids=[o.id for o in investors], title=title, kind=kind,
                                target_id=target.id, amount=amount, owner_id=(owner or by).id, **values)
    goal = stage if stage != Stage.DROPPED else Stage.LEAD
    for step in PATH[1:PATH.index(goal) + 1]:
        if step == Stage.COMMITTEE:
            services.add_document(deal, title="Memo", kind=DocumentKind.MEMO, data=PDF, filename="memo.pdf", by=by)
        services.move_deal(deal, step, by=by, signed_on=date(2020, 7, 10) if step == Stage.SIGNED else None)
    if stage == Stage.DROPPED:
        services.move_deal(deal, Stage.DROPPED, by=by, reason="No longer relevant")
    for org in shared_with:
        services.share(deal, org, by=by)
    db.session.commit()
    return deal


def partner_of(org=None, locale: str = "fr"):
    org = org or OrganizationFactory(kind="investor")
    return UserFactory(role="partner", organization=org, locale=locale)
