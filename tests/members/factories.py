"""Factories of the members module (on top of tests/factories.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from club.core.text import fold
from club.members.models import Contact, Dues, JobCommitment, JobReport, Membership, MembershipStatus
from tests.factories import Base, OrganizationFactory


class ContactFactory(Base):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Contact Person {n}")
    name_key = factory.LazyAttribute(lambda c: fold(c.name))
    title = "Directeur"
    email = factory.Sequence(lambda n: f"person{n}@org.example")
    phone = "+212661000000"
    is_primary = False


class MembershipFactory(Base):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    status = MembershipStatus.ACTIVE
    joined_on = date(2021, 1, 1)


class DuesFactory(Base):
    class Meta:
        model = Dues

    organization = factory.SubFactory(OrganizationFactory)
    year = 2026
    amount = Decimal("10000.00")
    invoiced_on = date(2026, 1, 5)
    paid_on = None


class CommitmentFactory(Base):
    class Meta:
        model = JobCommitment

    organization = factory.SubFactory(OrganizationFactory)
    jobs_announced = 100
    source = "Siccam 2020"


class ReportFactory(Base):
    """A job report; like the service, it sets the commitment's figure when it is the latest."""

    class Meta:
        model = JobReport

    commitment = factory.SubFactory(CommitmentFactory)
    reported_on = date(2022, 1, 1)
    jobs_created = 10

    @factory.post_generation
    def latest(obj, create, extracted, **kwargs):
        reports = sorted(obj.commitment.reports, key=lambda r: (r.reported_on, r.id or 0))
        if reports:
            obj.commitment.jobs_created = reports[-1].jobs_created
            from club.extensions import db

            db.session.commit()
