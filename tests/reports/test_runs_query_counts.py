"""The reports' lists run a constant number of queries, whatever the number of runs and schedules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from club.auth.models import User
from club.extensions import db
from club.members.models import Organization
from club.models import utcnow
from club.permissions import Role
from club.reports.models import Frequency, PeriodKind, ReportRun, ReportSchedule, RunState
from tests.reports.helpers import partner_org


def _runs(n: int, *, audience_id=None, by_id=None) -> None:
    now = utcnow()
    db.session.execute(sa.insert(ReportRun), [
        {"period_kind": PeriodKind.YEAR, "starts_on": date(2000 + i % 20, 1, 1), "ends_on": date(2000 + i % 20, 12, 31),
         "language": "fr", "audience_id": audience_id, "send": audience_id is not None,
         "sent_at": now if audience_id else None, "state": RunState.DONE if i % 2 else RunState.QUEUED,
         "progress": 100 if i % 2 else 0, "requested_by_id": by_id, "created_at": now - timedelta(minutes=i)}
        for i in range(n)])
    db.session.commit()


@pytest.mark.parametrize("url", ["/reports/", "/reports/mine", "/reports/schedules"])
def test_constant_queries(client, login_as, factories, count_queries, url):
    staff = factories.UserFactory(role=Role.SECRETARIAT)
    firo, [partner] = partner_org(factories, "FIRO", "youssef@firo.example")
    staff_id, firo_id, partner_id = staff.id, firo.id, partner.id
    user_id = partner_id if url == "/reports/mine" else staff_id
    counts = []
    for n in (2, 30):
        _runs(n, audience_id=firo_id if url == "/reports/mine" else None, by_id=staff_id)
        org = db.session.get(Organization, firo_id)
        for _ in range(n):
            db.session.add(ReportSchedule(frequency=Frequency.QUARTERLY, language="fr", next_run_on=date(2027, 1, 1),
                                          partners=[org]))
        db.session.commit()
        login_as(db.session.get(User, user_id))
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
