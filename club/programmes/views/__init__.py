"""The programmes' screens, by subject: programmes (list, page, editing, state, partners, documents), results
(indicators, figures, milestones), progress reports, beneficiaries (list, enrolment, steps, placements, import,
export) and awards (the club's recognitions).

Every route is on ``club.programmes.bp``; an endpoint is ``programmes.<function name>``, whichever module holds it.
"""

from club.programmes.views import (  # noqa: F401  (the routes)
    awards,
    beneficiaries,
    beneficiary_import,
    programmes,
    reports,
    results,
)
