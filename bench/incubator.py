"""Incubator at volume: one call with 2,000 applications and 10,000 reviews (5 criteria each), and a cohort of
3,000 more startups accepted, incubated, graduated or dropped (the cohort page is paginated), × scale."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from bench import BenchPage
from club.auth import passwords
from club.auth.models import User
from club.extensions import db
from club.incubator.models import Application, Call, Criterion, Review, Score, Status
from club.models import utcnow
from club.permissions import Role

TITLE = "Bench — promotion à grande échelle"
BATCH = 2000
STATUSES = [Status.SUBMITTED, Status.SCREENING, Status.INTERVIEW, Status.ACCEPTED, Status.WAITLISTED,
            Status.REJECTED]
COHORT = [Status.ACCEPTED, Status.INCUBATED, Status.GRADUATED, Status.DROPPED]


def _batched(table, rows):
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])


def seed(scale: float) -> None:
    rng = random.Random(2021)
    n_apps = max(10, int(2000 * scale))
    n_reviews = max(50, int(10000 * scale))
    n_cohort = max(10, int(3000 * scale))
    per_app = max(1, round(n_reviews / n_apps))
    now = utcnow()
    call_id = db.session.execute(sa.insert(Call).values(
        title=TITLE, description="Volume", opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=30),
        capacity=20, is_blind_first_round=True, review_round=1, created_at=now, updated_at=now, version=1,
    ).returning(Call.id)).scalar_one()
    criterion_ids = [db.session.execute(sa.insert(Criterion).values(
        call_id=call_id, position=i, name=f"Critère {i + 1}", weight=w, low_anchor="faible", high_anchor="fort",
    ).returning(Criterion.id)).scalar_one() for i, w in enumerate([3, 2, 3, 1, 1])]

    hashed = passwords.hash_password("club-demo")
    reviewers = [{"email": f"reviewer{i}@bench.example", "name": f"Évaluateur {i}", "role": Role.PARTNER,
                  "password_hash": hashed, "confirmed_at": now, "locale": "fr"} for i in range(max(per_app, 25))]
    applicants = [{"email": f"founder{i}@bench.example", "name": f"Fondateur {i}", "role": Role.APPLICANT,
                   "password_hash": hashed, "confirmed_at": now, "locale": "fr"} for i in range(n_apps + n_cohort)]
    _batched(User.__table__, reviewers + applicants)
    reviewer_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("reviewer%@bench.example"))
                                           .order_by(User.id)))
    applicant_ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("founder%@bench.example"))
                                            .order_by(User.id)))
    apps = [{"call_id": call_id, "applicant_id": uid,
             "status": rng.choice(STATUSES) if i < n_apps else rng.choice(COHORT), "startup_name": f"Startup {i}",
             "project_title": f"Projet {i}", "problem": "Problème", "solution": "Solution", "market": "Marché",
             "business_model": "Modèle", "team": "Équipe", "needs": "Besoins", "jobs_12m": rng.randint(0, 30),
             "jobs_36m": rng.randint(10, 120), "consent_at": now, "submitted_at": now, "status_changed_at": now,
             "created_at": now, "updated_at": now, "version": 1}
            for i, uid in enumerate(applicant_ids)]
    _batched(Application.__table__, apps)
    app_ids = list(db.session.scalars(sa.select(Application.id).where(Application.call_id == call_id)
                                      .order_by(Application.id).limit(n_apps)))  # the cohort's extra ones unreviewed
    reviews = []
    for app_id in app_ids:
        for reviewer_id in rng.sample(reviewer_ids, per_app):
            final = rng.random() < 0.8
            reviews.append({"application_id": app_id, "reviewer_id": reviewer_id, "has_conflict": False,
                            "declared_at": now, "comment": "Commentaire", "recommendation": rng.choice(["yes", "maybe", "no"]),
                            "is_final": final, "finalized_at": now if final else None, "created_at": now,
                            "updated_at": now, "version": 1})
    _batched(Review.__table__, reviews)
    review_ids = list(db.session.scalars(sa.select(Review.id).join(Application)
                                         .where(Application.call_id == call_id).order_by(Review.id)))
    scores = [{"review_id": rid, "criterion_id": cid, "value": rng.randint(1, 5)}
              for rid in review_ids for cid in criterion_ids]
    _batched(Score.__table__, scores)
    db.session.commit()


def pages() -> list[BenchPage]:
    call_id = db.session.scalar(sa.select(Call.id).where(Call.title == TITLE))
    app_id = db.session.scalar(sa.select(Application.id).where(Application.call_id == call_id)
                               .order_by(Application.id).offset(1000).limit(1)) \
        or db.session.scalar(sa.select(Application.id).where(Application.call_id == call_id).limit(1))
    accepted_id = db.session.scalar(sa.select(Application.id).where(
        Application.call_id == call_id, Application.status == Status.ACCEPTED, Application.organization_id.is_(None))
        .order_by(Application.id).limit(1)) or app_id
    return [
        BenchPage("incubator: public calls", "/incubator/", login=None),
        BenchPage("incubator: call applications", f"/incubator/calls/{call_id}/applications"),
        BenchPage("incubator: applications, status filter", f"/incubator/calls/{call_id}/applications?status=interview"),
        BenchPage("incubator: ranking", f"/incubator/calls/{call_id}/ranking", target=40),
        BenchPage("incubator: application page", f"/incubator/applications/{app_id}", target=30),
        BenchPage("incubator: cohort", f"/incubator/calls/{call_id}/cohort"),
        BenchPage("incubator: cohort, page 40", f"/incubator/calls/{call_id}/cohort?page=40"),
        # an accepted startup not linked yet: the page holds the link form (suggestions and the organisation picker)
        BenchPage("incubator: accept form (link to an organisation)", f"/incubator/applications/{accepted_id}"),
    ]
