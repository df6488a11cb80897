"""Factories for missions (on the app's session, committing like a finished request)."""

from __future__ import annotations

from datetime import timedelta

import factory

from club.core.text import fold
from club.members.models import Contact, Membership, MembershipStatus
from club.missions.models import Mission, MissionKind, MissionState
from club.models import utcnow
from tests.factories import Base, OrganizationFactory


class ContactFactory(Base):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Person {n:04d}")
    name_key = factory.LazyAttribute(lambda o: fold(o.name))
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    is_primary = False


class MembershipFactory(Base):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    status = MembershipStatus.ACTIVE


class MissionFactory(Base):
    class Meta:
        model = Mission

    title = factory.Sequence(lambda n: f"Mission {n}")
    kind = MissionKind.STUDY_VISIT
    destination = "Casablanca, Casa-shore"
    starts_at = factory.LazyFunction(lambda: utcnow().replace(microsecond=0) + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    capacity = 10
    seats_per_organization = None
    registration_deadline = None
    state = MissionState.OPEN
