"""Bulk activities for the tests that count queries (as the bench seeds them)."""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from club.activities.models import Activity, ActivityKind
from club.activities.services import occurred_at
from club.extensions import db
from club.models import utcnow

KINDS = list(ActivityKind)


def bulk_activities(org_id: int, n: int, *, author_id: int | None = None, owner_id: int | None = None,
                    contact_id: int | None = None, start: date = date(2026, 1, 1)) -> None:
    """``n`` activities on one organisation, every kind, a third shared; tasks owned by ``owner_id``, some
    overdue, some done (one insert)."""
    now = utcnow()
    rows = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        day = start - timedelta(days=i % 400)
        task = kind == ActivityKind.TASK
        rows.append({"kind": kind, "occurred_on": day, "occurred_time": time(9, i % 60) if i % 2 else None,
                     "occurred_at": occurred_at(day, time(9, i % 60) if i % 2 else None),
                     "author_id": author_id, "organization_id": org_id, "contact_id": contact_id if i % 4 == 0 else None,
                     "subject": f"Activité {i}", "body": "Texte", "shared": i % 3 == 0,
                     "owner_id": owner_id if task else None, "due_on": day + timedelta(days=30) if task else None,
                     "done_at": now if task and i % 10 == 4 else None,
                     "done_by_id": owner_id if task and i % 10 == 4 else None,
                     "created_at": now, "updated_at": now, "version": 1})
    db.session.execute(sa.insert(Activity), rows)
    db.session.commit()
