"""Activities at volume: 1,000,000 activities (scaled), half of them on one big organisation (Saccom), the rest spread
over the register's organisations; one in five is a task, owned by the secretariat's demo user, most of them done.
(The register's organisations are those seeded before this module: the demo's when it runs first or alone.)"""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from bench import BenchPage

BATCH = 5000
DEMO_USER = "secretariat@club.example"


def seed(scale: float) -> None:
    from club.activities.models import Activity, ActivityKind
    from club.activities.services import occurred_at
    from club.auth.models import User
    from club.extensions import db
    from club.members.models import Contact, Organization
    from club.models import utcnow

    total = max(1000, int(1_000_000 * scale))
    now = utcnow().replace(microsecond=0)
    saccom = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    staff = db.session.scalar(sa.select(User.id).where(User.email == DEMO_USER))
    orgs = list(db.session.scalars(sa.select(Organization.id).order_by(Organization.id).limit(100_000)))
    contacts = {org: contact for contact, org in db.session.execute(
        sa.select(sa.func.min(Contact.id), Contact.organization_id).group_by(Contact.organization_id))}
    kinds = [ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL, ActivityKind.NOTE, ActivityKind.TASK]
    today = date.today()
    for base in range(0, total, BATCH):
        rows = []
        for i in range(base, min(total, base + BATCH)):
            org = saccom if i % 2 == 0 else orgs[(i * 7919) % len(orgs)]
            kind = kinds[i % len(kinds)]
            task = kind == ActivityKind.TASK
            day = today - timedelta(days=(i // 7) % 3650)
            at = time(8 + i % 10, i % 60) if i % 3 else None
            done = task and i % 50 != 4  # one task in ten is still open
            rows.append({"kind": kind, "occurred_on": day, "occurred_time": at, "occurred_at": occurred_at(day, at),
                         "author_id": staff, "organization_id": org,
                         "contact_id": contacts.get(org) if i % 4 == 0 else None,
                         "subject": f"Bench activité {i}", "body": "Compte rendu de démonstration à volume.",
                         "shared": i % 3 == 0, "owner_id": staff if task else None,
                         "due_on": day + timedelta(days=14) if task else None,
                         "done_at": now if done else None, "done_by_id": staff if done else None,
                         "created_at": now, "updated_at": now, "version": 1})
        db.session.execute(sa.insert(Activity), rows)
    db.session.commit()


def pages() -> list[BenchPage]:
    from club.extensions import db
    from club.members.models import Contact, Organization

    saccom = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    contact = db.session.scalar(sa.select(sa.func.min(Contact.id)).where(Contact.organization_id == saccom))
    member = "contact@saccom.example"
    return [
        BenchPage("activities: big timeline", f"/activities/organizations/{saccom}"),
        BenchPage("activities: big timeline, tasks", f"/activities/organizations/{saccom}?kind=task"),
        BenchPage("activities: big timeline, contact", f"/activities/organizations/{saccom}?contact={contact}"),
        BenchPage("activities: big timeline (member)", f"/activities/organizations/{saccom}", login=member),
        BenchPage("activities: organisation page", f"/members/{saccom}"),
        BenchPage("activities: tasks", "/activities/tasks"),
        BenchPage("activities: overdue tasks", "/activities/tasks?overdue=1"),
        BenchPage("activities: secretariat home", "/", target=40),
    ]
