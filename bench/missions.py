"""Missions at volume: 1,000 missions, one of them with 2,000 registrations (scaled)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bench import BenchPage

BIG_TITLE = "Bench: salon de recrutement géant"
BATCH = 1000


def _batches(rows):
    for i in range(0, len(rows), BATCH):
        yield rows[i:i + BATCH]


def seed(scale: float) -> None:
    from club.extensions import db
    from club.members.models import Contact, Organization, OrgKind
    from club.missions.models import (
        Invitation,
        Mission,
        MissionKind,
        MissionState,
        Registration,
        RegistrationStatus,
        mission_partners,
    )
    from club.models import utcnow

    n_missions = max(10, int(1000 * scale))
    n_people = max(20, int(2000 * scale))
    n_orgs = max(5, n_people // 10)
    now = utcnow().replace(microsecond=0)
    kinds = list(MissionKind)
    states = [MissionState.OPEN, MissionState.CLOSED, MissionState.DONE, MissionState.DRAFT, MissionState.CANCELLED]

    orgs = [{"name": f"Bench organisation {i:05d}", "name_key": f"bench organisation {i:05d}", "kind": OrgKind.CALL_CENTER,
             "city": "Oujda", "search_text": f"bench organisation {i:05d}", "created_at": now, "updated_at": now,
             "version": 1} for i in range(n_orgs)]
    for chunk in _batches(orgs):
        db.session.execute(sa.insert(Organization), chunk)
    org_ids = list(db.session.scalars(sa.select(Organization.id).where(Organization.name.like("Bench organisation %"))
                                      .order_by(Organization.id)))

    missions = []
    for i in range(n_missions):
        starts = now + timedelta(days=(i % 400) - 200, hours=i % 7)
        missions.append({"title": f"Bench mission {i:05d}", "kind": kinds[i % len(kinds)], "destination": "Casablanca",
                         "starts_at": starts, "ends_at": starts + timedelta(hours=8), "capacity": 30,
                         "seats_per_organization": 3, "state": states[i % len(states)], "created_at": now,
                         "updated_at": now, "version": 1})
    missions[0].update(title=BIG_TITLE, kind=MissionKind.RECRUITMENT_FAIR, capacity=int(n_people * 0.9),
                       seats_per_organization=None, state=MissionState.OPEN,
                       starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=21))
    for chunk in _batches(missions):
        db.session.execute(sa.insert(Mission), chunk)
    mission_ids = list(db.session.scalars(sa.select(Mission.id).where(Mission.title.like("Bench %"))
                                          .order_by(Mission.id)))
    big_id = db.session.scalar(sa.select(Mission.id).where(Mission.title == BIG_TITLE))
    partners = [{"mission_id": m, "organization_id": org_ids[i % len(org_ids)]} for i, m in enumerate(mission_ids)]
    for chunk in _batches(partners):
        db.session.execute(sa.insert(mission_partners), chunk)

    people = [{"organization_id": org_ids[i % len(org_ids)], "name": f"Bench person {i:05d}",
               "name_key": f"bench person {i:05d}", "email": f"bench{i}@missions-bench.example", "is_primary": False,
               "created_at": now, "updated_at": now, "version": 1} for i in range(n_people)]
    for chunk in _batches(people):
        db.session.execute(sa.insert(Contact), chunk)
    contacts = db.session.execute(sa.select(Contact.id, Contact.organization_id)
                                  .where(Contact.email.like("%@missions-bench.example")).order_by(Contact.id)).all()
    capacity = int(n_people * 0.9)
    registrations = [{"mission_id": big_id, "contact_id": cid, "organization_id": oid,
                      "status": RegistrationStatus.REGISTERED if i < capacity else RegistrationStatus.WAITLISTED,
                      "queued_at": now + timedelta(seconds=i), "created_at": now, "updated_at": now}
                     for i, (cid, oid) in enumerate(contacts)]
    for chunk in _batches(registrations):
        db.session.execute(sa.insert(Registration), chunk)
    invitations = [{"mission_id": big_id, "contact_id": cid, "organization_id": oid, "invited_at": now}
                   for cid, oid in contacts]
    for chunk in _batches(invitations):
        db.session.execute(sa.insert(Invitation), chunk)
    # A few people on many missions, so the list's fill rates are not all zero.
    small = [{"mission_id": m, "contact_id": contacts[j][0], "organization_id": contacts[j][1],
              "status": RegistrationStatus.REGISTERED, "queued_at": now, "created_at": now, "updated_at": now}
             for m in mission_ids if m != big_id for j in range(m % 5)]
    for chunk in _batches(small):
        db.session.execute(sa.insert(Registration), chunk)
    db.session.commit()


def pages() -> list[BenchPage]:
    from club.extensions import db
    from club.missions.models import Mission

    big = db.session.scalar(sa.select(Mission.id).where(Mission.title == BIG_TITLE))
    member = "contact@saccom.example"
    return [
        BenchPage("missions: list (upcoming)", "/missions/"),
        BenchPage("missions: list (all, page 20)", "/missions/?when=all&page=20"),
        BenchPage("missions: list (member)", "/missions/?when=all", login=member),
        BenchPage("missions: 2,000 registrations, page", f"/missions/{big}", target=30),
        BenchPage("missions: 2,000 registrations, member page", f"/missions/{big}", login=member, target=30),
        BenchPage("missions: attendance", f"/missions/{big}/attendance"),
        BenchPage("missions: printable list", f"/missions/{big}/participants", target=40),
        BenchPage("missions: participants CSV", f"/missions/{big}/participants.csv"),
        BenchPage("missions: invitations", f"/missions/{big}/invitations"),
        BenchPage("missions: edit form (partner picker)", f"/missions/{big}/edit"),
        BenchPage("missions: register someone (person picker)", f"/missions/{big}/register"),
        BenchPage("missions: register someone, suggestions, common term (atlas)",
                  f"/missions/{big}/register/picks?field=contact_id&list=contact_id-options&contact_id=atlas"),
        BenchPage("missions: report and follow-up (organisation pickers)", f"/missions/{big}/report"),
        BenchPage("missions: calendar", f"/missions/{big}.ics", login=member),
        BenchPage("missions: home (secretariat)", "/", target=40),
    ]
