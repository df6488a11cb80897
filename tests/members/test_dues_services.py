"""The dues follow-up's services: tiers, membership with a tier and a renewal date, renewal (and its invoice), the
end of a membership; each checked against what the database holds and what the audit trail says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused, Stale
from club.members import services
from club.members.models import Dues, Membership, MembershipStatus, MembershipTier, add_months
from tests.members.factories import DuesFactory, MembershipFactory


def _tier(db, name="Membre", fee="10000.00", months=12, **extra) -> MembershipTier:
    tier = services.create_tier({"name": name, "annual_fee": Decimal(fee), "period_months": months, **extra}, by=None)
    db.session.commit()
    return tier


def _events(db, action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_months_are_added_as_calendar_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 12, 7), 12) == date(2027, 12, 7)


def test_the_current_period_and_the_year_of_a_period():
    today = date(2026, 12, 7)
    assert services.current_period_end(date(2020, 7, 11), 12, today) == date(2027, 7, 11)
    assert services.current_period_end(date(2026, 12, 7), 12, today) == date(2027, 12, 7)
    assert services.current_period_end(date(2026, 6, 1), 6, today) == date(2027, 6, 1)
    assert services.dues_year_of_period(date(2026, 12, 20), date(2027, 12, 20)) == 2027
    assert services.dues_year_of_period(date(2026, 1, 5), date(2027, 1, 5)) == 2026


def test_tiers_are_created_and_changed_audited_and_a_name_is_taken_once(db, factories):
    sec = factories.UserFactory()
    tier = _tier(db, "Membre fondateur", "15000")
    assert (tier.annual_fee, tier.period_months, tier.position, tier.is_active) == (Decimal("15000.00"), 12, 1, True)
    second = _tier(db, "Startup", "2500", 12)
    assert second.position == 2
    with pytest.raises(Refused) as refused:
        services.create_tier({"name": "membre FONDATEUR", "annual_fee": Decimal(0), "period_months": 12}, by=sec)
    assert refused.value.field == "name"
    db.session.rollback()
    changes = services.update_tier(tier, {"annual_fee": Decimal("16000"), "is_active": False}, by=sec,
                                   version=tier.version)
    db.session.commit()
    assert changes == {"annual_fee": ["15000.00", "16000.00"], "is_active": [True, False]}
    assert [e.changes for e in _events(db, "tier.updated")] == [changes]
    with pytest.raises(Stale):
        services.update_tier(tier, {"annual_fee": Decimal("1")}, by=sec, version=tier.version - 1)
    with pytest.raises(Refused):
        services.update_tier(tier, {"period_months": 0}, by=sec)


def test_a_membership_gets_a_tier_and_the_end_of_its_current_period(db, factories):
    sec = factories.UserFactory()
    tier = _tier(db)
    org = factories.OrganizationFactory()
    services.change_membership(org, MembershipStatus.ACTIVE, tier=tier, joined_on=date(2020, 7, 11), by=sec)
    db.session.commit()
    membership = db.session.scalar(sa.select(Membership).where(Membership.organization_id == org.id))
    assert membership.tier_id == tier.id
    assert membership.renews_on == services.current_period_end(date(2020, 7, 11), 12)
    [event] = _events(db, "membership.changed")
    assert event.changes["tier"] == [None, "Membre"]
    # The tier stays when the status alone changes (another caller: a bulk action); a date typed is kept.
    services.change_membership(org, MembershipStatus.SUSPENDED, by=sec)
    services.change_membership(org, MembershipStatus.ACTIVE, renews_on=date(2027, 3, 1), by=sec)
    db.session.commit()
    db.session.refresh(membership)
    assert membership.tier_id == tier.id and membership.renews_on == date(2027, 3, 1)
    services.change_membership(org, MembershipStatus.ACTIVE, tier=None, by=sec)
    db.session.commit()
    db.session.refresh(membership)
    assert membership.tier_id is None
    assert _events(db, "membership.changed")[-1].changes == {"tier": ["Membre", None]}


def test_renewal_extends_the_period_and_invoices_the_new_period_s_year_once(db, factories):
    sec = factories.UserFactory()
    tier = _tier(db, fee="12000.00")
    org = factories.OrganizationFactory()
    MembershipFactory(organization=org, tier=tier, renews_on=date(2026, 12, 20))
    membership = org.membership
    renewal = services.renew_membership(membership, expected=date(2026, 12, 20), by=sec, today=date(2026, 12, 7))
    db.session.commit()
    assert renewal.renews_on == date(2027, 12, 20)
    dues = db.session.scalar(sa.select(Dues).where(Dues.organization_id == org.id))
    assert (dues.year, dues.amount, dues.invoiced_on, dues.paid_on) == (2027, Decimal("12000.00"), date(2026, 12, 7),
                                                                        None)
    [event] = _events(db, "membership.renewed")
    assert event.changes == {"renews_on": ["2026-12-20", "2027-12-20"], "tier": ["Membre", "Membre"],
                             "dues_year": [None, 2027]}
    # The same confirmation sent again (a double click): refused, nothing added twice.
    with pytest.raises(Refused):
        services.renew_membership(org.membership, expected=date(2026, 12, 20), by=sec, today=date(2026, 12, 7))
    db.session.rollback()
    # The next renewal: the dues of 2028 (2027's are there already).
    services.renew_membership(org.membership, expected=date(2027, 12, 20), by=sec, today=date(2026, 12, 8))
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(Dues.year).where(Dues.organization_id == org.id))) == [2027, 2028]


def test_renewal_does_not_invoice_a_year_already_there_nor_a_free_tier(db, factories):
    sec = factories.UserFactory()
    paying, free = _tier(db, "Membre"), _tier(db, "Associé", "0")
    org, other = factories.OrganizationFactory(), factories.OrganizationFactory()
    MembershipFactory(organization=org, tier=paying, renews_on=date(2026, 1, 5))
    DuesFactory(organization=org, year=2026, amount=Decimal("9000.00"))
    MembershipFactory(organization=other, tier=free, renews_on=date(2026, 12, 1))
    assert services.renew_membership(org.membership, by=sec).dues is None
    assert services.renew_membership(other.membership, by=sec).dues is None
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues)) == 1
    assert org.membership.renews_on == date(2027, 1, 5) and other.membership.renews_on == date(2027, 12, 1)


def test_only_an_active_membership_with_a_tier_is_renewed(db, factories):
    sec = factories.UserFactory()
    tier = _tier(db)
    suspended = factories.OrganizationFactory()
    MembershipFactory(organization=suspended, tier=tier, status=MembershipStatus.SUSPENDED,
                      renews_on=date(2026, 12, 1))
    without_tier = factories.OrganizationFactory()
    MembershipFactory(organization=without_tier, renews_on=None)
    for org in (suspended, without_tier):
        with pytest.raises(Refused):
            services.renew_membership(org.membership, by=sec)
        db.session.rollback()
    assert _events(db, "membership.renewed") == []


def test_ending_a_membership_makes_a_non_member_and_keeps_the_dues_and_the_history(db, factories, as_user):
    sec = factories.UserFactory()
    tier = _tier(db)
    org = factories.OrganizationFactory(name="Ancien Membre")
    MembershipFactory(organization=org, tier=tier, joined_on=date(2021, 1, 1), renews_on=date(2027, 1, 1))
    DuesFactory(organization=org, year=2026)
    with pytest.raises(Refused) as refused:
        services.end_membership(org, reason="  ", by=sec)
    assert refused.value.field == "reason"
    db.session.rollback()
    services.end_membership(org, reason="Cessation d'activité", by=sec)
    db.session.commit()
    assert db.session.scalar(sa.select(Membership).where(Membership.organization_id == org.id)) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dues).where(Dues.organization_id == org.id)) == 1
    [event] = _events(db, "membership.ended")
    assert event.changes == {"status": ["active", None], "tier": ["Membre", None], "joined_on": ["2021-01-01", None],
                             "renews_on": ["2027-01-01", None], "reason": [None, "Cessation d'activité"]}
    with pytest.raises(Refused):
        services.end_membership(org, reason="encore", by=sec)
    db.session.rollback()
    # A non-member again: the register's "not a member" filter lists it; its history says what it was.
    client = as_user(sec)
    assert "Ancien Membre" in client.get("/members/?status=none").get_data(as_text=True)
    page = client.get(f"/members/{org.id}").get_data(as_text=True)
    assert "Membership ended" in page and "Cessation d&#39;activité" in page and "Not a member of the club." in page
