"""The missions' screens, by when they serve: before the mission (the list, its page, creating and editing it, its
state and agenda, registrations and the waiting list, invitations and their answers), on the day (attendance,
the participants' list, the calendar file) and afterwards (the report, follow-up actions, outcomes, deal links).

Every route is on ``club.missions.bp``; an endpoint is ``missions.<function name>``, whichever module holds it.
"""

from club.missions.views import afterwards, before, on_the_day, picks  # noqa: F401  (the routes)
