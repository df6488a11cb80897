"""Helpers of the reports' tests: job commitments with dated reports, made as rows (the figures read rows)."""

from __future__ import annotations

from datetime import date

import pytest

from club.extensions import db
from club.members.models import JobCommitment, JobReport


def commit_jobs(org, announced: int, reports=(), *, announced_on=date(2020, 7, 11), horizon=None) -> JobCommitment:
    commitment = JobCommitment(organization_id=org.id, jobs_announced=announced, announced_on=announced_on,
                               horizon=horizon, jobs_created=max((n for _, n in reports), default=0))
    commitment.reports = [JobReport(reported_on=d, jobs_created=n) for d, n in reports]
    db.session.add(commitment)
    db.session.commit()
    return commitment


@pytest.fixture()
def jobs():
    return commit_jobs
