"""The club's jobs target: one row (``ClubTarget``, id 1), set by the secretariat, every change audited.

No row yet means the article's figure (``DEFAULT_JOBS_TARGET``, 3,000 jobs "à terme") and no horizon. The form
carries the row's version: a save made on a page read before someone else's save is refused (409, both versions
shown), never written over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from club.core import audit
from club.core.refusals import Refused, check_version
from club.extensions import db
from club.forms import FlaskForm, VersionField
from club.reports.models import DEFAULT_JOBS_TARGET, ClubTarget

TARGET_ID = 1
TARGET_FIELDS = ("jobs_target", "horizon")
# A target of more jobs than the region's working population makes no sense; it also keeps the figure in an int.
MAX_JOBS_TARGET = 10_000_000


@dataclass(frozen=True)
class Target:
    """The target as the pages read it (the row's values, or the article's figure when there is no row)."""

    jobs: int
    horizon: date | None
    version: int  # 0: no row yet

    @property
    def key(self) -> tuple:
        """What a cached chart drawn against this target depends on."""
        return (self.jobs, self.horizon, self.version)


def current_target() -> Target:
    """The club's target now (one query)."""
    row = db.session.execute(sa.select(ClubTarget.jobs_target, ClubTarget.horizon, ClubTarget.version)
                             .where(ClubTarget.id == TARGET_ID)).first()
    if row is None:
        return Target(DEFAULT_JOBS_TARGET, None, 0)
    return Target(row.jobs_target, row.horizon, row.version)


def update_target(data: dict, *, by, version=None) -> dict:
    """Set the jobs target and its horizon; ``Stale`` when saved since ``version`` (0: there was no row).
    Returns the changes (``{field: [old, new]}``), empty when nothing changed (nothing written then)."""
    jobs, horizon = data["jobs_target"], data.get("horizon")
    if not isinstance(jobs, int) or not 0 < jobs <= MAX_JOBS_TARGET:
        raise Refused(_l("Enter a whole number of jobs greater than zero."), field="jobs_target")
    row = db.session.get(ClubTarget, TARGET_ID)
    if row is None:
        if version is not None and str(version).strip() not in ("", "0"):
            # The page showed a row that is gone: nothing to compare with, so refuse rather than guess.
            raise Refused(_l("The target changed while you were editing it: reload the page."))
        if jobs == DEFAULT_JOBS_TARGET and horizon is None:
            return {}  # the article's figure, as it already reads: nothing to write
        changes = {k: v for k, v in {"jobs_target": [DEFAULT_JOBS_TARGET, jobs], "horizon": [None, horizon]}.items()
                   if v[0] != v[1]}
        row = ClubTarget(id=TARGET_ID, jobs_target=jobs, horizon=horizon, updated_by_id=by.id)
        try:
            with db.session.begin_nested():  # two first saves at once: the second finds the row taken
                db.session.add(row)
        except sa.exc.IntegrityError:
            raise Refused(_l("The target changed while you were editing it: reload the page.")) from None
    else:
        if version is not None:
            check_version(row, version)
        row.jobs_target, row.horizon = jobs, horizon
        changes = audit.diff(row, TARGET_FIELDS)
        if not changes:
            return {}
        row.updated_by_id = by.id
    db.session.flush()
    audit.record("target.updated", row, by=by, changes=changes)
    return changes


class TargetForm(FlaskForm):
    jobs_target = IntegerField(_l("Jobs target"), validators=[
        InputRequired(_l("Enter the number of jobs the club aims for.")),
        NumberRange(min=1, max=MAX_JOBS_TARGET, message=_l("Enter a whole number of jobs greater than zero."))],
        description=_l("Jobs created in the region by the club's members, all commitments together."))
    horizon = DateField(_l("Horizon"), validators=[Optional()],
                        description=_l("The date by which the club means to reach it (leave empty if none)."))
    version = VersionField()

    @classmethod
    def values_of(cls, target: Target | ClubTarget) -> dict:
        if isinstance(target, ClubTarget):
            return {"jobs_target": target.jobs_target, "horizon": target.horizon}
        return {"jobs_target": target.jobs, "horizon": target.horizon}

    def data_for_service(self) -> dict:
        return {"jobs_target": self.jobs_target.data, "horizon": self.horizon.data}

