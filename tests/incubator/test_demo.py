"""The incubator's demo world."""

from __future__ import annotations

import sqlalchemy as sa

from club.demo import load_demo
from club.incubator.demo import CALL_TITLE
from club.incubator.models import Application, Call, Review, Status


def test_demo_world_is_complete_and_idempotent(demo_world, login_as):
    db = demo_world
    call = db.session.scalar(sa.select(Call).where(Call.title == CALL_TITLE))
    assert call is not None and call.is_open() and len(call.criteria) == 5
    statuses = set(db.session.scalars(sa.select(Application.status).where(Application.call_id == call.id)))
    assert {Status.DRAFT, Status.SUBMITTED, Status.SCREENING, Status.INTERVIEW, Status.ACCEPTED} <= statuses
    founder_app = db.session.scalar(sa.select(Application).where(Application.startup_name == "Oriental Digital Lab"))
    assert founder_app.applicant.email == "founder@startup.example"
    # only accepted startups are organisations, created explicitly; a startup under review is none yet
    assert founder_app.organization is None
    accepted = db.session.scalars(sa.select(Application).where(Application.call_id == call.id,
                                                               Application.status == Status.ACCEPTED)).all()
    assert accepted and all(a.organization.name == a.startup_name for a in accepted)
    reviews = db.session.scalars(sa.select(Review).join(Review.reviewer)
                                 .where(sa.text("users.email = 'partner@firo.example'"))).all()
    assert sum(1 for r in reviews if r.has_conflict) == 1
    assert sum(1 for r in reviews if r.scores) >= 2
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Application, Review)]
    load_demo()
    db.session.commit()
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in (Application, Review)] == counts
    founder = founder_app.applicant
    client = login_as(founder)
    assert "Oriental Digital Lab" in client.get(f"/incubator/applications/{founder_app.id}").text
