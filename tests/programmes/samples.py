"""URL arguments of the programmes routes, from the demo world (tests/test_access.py)."""

import sqlalchemy as sa

from club.extensions import db
from club.programmes.demo import JERADA
from club.programmes.models import (
    Award,
    Beneficiary,
    Indicator,
    Milestone,
    Programme,
    ProgrammeDocument,
    ProgrammePartner,
    ProgressReport,
)


def _jerada():
    return db.session.scalar(sa.select(Programme.id).where(Programme.title == JERADA))


def _first(model, *where):
    return db.session.scalar(sa.select(model.id).where(model.programme_id == _jerada(), *where).order_by(model.id))


SAMPLES = {
    "programme_id": _jerada,
    "beneficiary_id": lambda: _first(Beneficiary),
    "indicator_id": lambda: _first(Indicator),
    "milestone_id": lambda: _first(Milestone),
    "progress_report_id": lambda: _first(ProgressReport),
    "programme_document_id": lambda: _first(ProgrammeDocument),
    "partner_id": lambda: db.session.scalar(sa.select(ProgrammePartner.organization_id)
                                            .where(ProgrammePartner.programme_id == _jerada())
                                            .order_by(ProgrammePartner.position)),
    "award_id": lambda: db.session.scalar(sa.select(Award.id).order_by(Award.id)),
}
