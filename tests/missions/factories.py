"""Factories of the missions module, on top of tests/factories.py and the members' (contacts, memberships)."""

from __future__ import annotations

from datetime import timedelta

import factory

from club.missions.models import Mission, MissionKind, MissionState
from club.models import utcnow
from tests.factories import Base


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
