"""Shared by the reports' run tests: a partner organisation with its users, and runs built by the queue."""

from __future__ import annotations

import sqlalchemy as sa

from club.extensions import db
from club.members.models import OrgKind
from club.permissions import Role
from club.reports.models import ReportRun


def partner_org(factories, name: str, *users: str):
    org = factories.OrganizationFactory(name=name, kind=OrgKind.INVESTOR)
    people = [factories.UserFactory(email=email, role=Role.PARTNER, organization=org) for email in users]
    return org, people


def all_runs() -> list[ReportRun]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ReportRun).order_by(ReportRun.id)))
