"""The reports' part of the demo world: the club's jobs target, as the press article gives it.

"Au total, ils assureront plus de 3.000 emplois à terme" (Siccam 2020): 3,000 jobs, "in time". The article names
no date; the figure is the sum of the commitments announced that day, and the latest of their horizons is
31 December 2025 (Saccom's 1,000 jobs, ``club.members.demo.COMMITMENTS``). "In time" is read as "by the time the
last of those commitments falls due": the demo's horizon is that date, so the dashboard shows honestly where the
club stands against what was announced, and the secretariat moves the horizon when the club agrees a new one.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from club.auth.models import User
from club.extensions import db
from club.reports.models import DEFAULT_JOBS_TARGET, ClubTarget
from club.reports.target import TARGET_ID, update_target

DEMO_HORIZON = date(2025, 12, 31)


def load() -> list[str]:
    if db.session.get(ClubTarget, TARGET_ID) is not None:
        return []
    by = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    update_target({"jobs_target": DEFAULT_JOBS_TARGET, "horizon": DEMO_HORIZON}, by=by)
    return [f"jobs target: {DEFAULT_JOBS_TARGET} by {DEMO_HORIZON.isoformat()}"]
