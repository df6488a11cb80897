"""The programmes' screens, by subject: programmes (list, page, editing, partners, indicators, milestones, progress
reports, documents), beneficiaries (list, enrolment, steps, placements, import, export) and awards (the club's
recognitions).

Every route is on ``club.programmes.bp``; an endpoint is ``programmes.<function name>``, whichever module holds it.
"""

from club.programmes.views import awards, beneficiaries, beneficiary_import, programmes  # noqa: F401  (the routes)
