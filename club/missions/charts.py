"""The missions' charts (``club.core.charts``): seats taken against capacity and waiting lists, for the missions of a
list page and for one mission.

The charts are built from what the pages already read (the list's rows carry each mission's seats taken and waiting
list, from one grouped query; a mission's page reads its counts once): they add no query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from club import formats
from club.core.charts import Chart, Series
from club.formats import ngettext
from club.missions.models import Mission, MissionState

# Missions a fill chart leaves out: a draft takes no registration, a cancelled mission fills nothing.
NOT_FILLING = (MissionState.DRAFT, MissionState.CANCELLED)


def fill_chart(rows: Sequence[tuple[Mission, int, int]]) -> Chart:
    """Seats taken, waiting list and free seats of the missions in ``rows`` (a list page's ``(mission, seated,
    waitlisted)``, drafts and cancelled missions left out), one stacked bar each: the bar's length is the demand
    (seats taken, then the waiting list) or the capacity when seats are free. (A waiting list forms only once every
    seat is taken, so a bar has a waiting list or free seats, not both.)"""
    rows = [(m, seated, waitlisted) for m, seated, waitlisted in rows if m.state not in NOT_FILLING]
    seats = sum(m.capacity for m, _s, _w in rows)
    taken = sum(seated for _m, seated, _w in rows)
    waiting = sum(waitlisted for _m, _s, waitlisted in rows)
    if rows:
        description = ngettext(
            "Seats taken against capacity, and the waiting list, of the mission listed here: %(share)s of the seats "
            "taken (%(taken)s of %(seats)s), %(waiting)s on the waiting list.",
            "Seats taken against capacity, and the waiting lists, of the %(num)s missions listed here: %(share)s of "
            "the seats taken (%(taken)s of %(seats)s), %(waiting)s on the waiting lists.", len(rows),
            taken=formats.number(taken), seats=formats.number(seats), share=formats.percent(taken, seats),
            waiting=formats.number(waiting))
    else:
        description = _("No mission open for registration or held in this list.")
    return Chart(
        _("Seats taken and waiting lists"), description, [m.title for m, _s, _w in rows],
        [Series(_("Seats taken"), [seated for _m, seated, _w in rows]),
         Series(_("Waiting list"), [waitlisted for _m, _s, waitlisted in rows]),
         Series(_("Free seats"), [max(m.capacity - seated, 0) for m, seated, _w in rows])],
        kind="hstacked", columns=_("Mission"), height=max(240, 110 + 34 * len(rows)),
        notes=(_("Fill rate"), [ngettext("%(share)s of %(count)s seat", "%(share)s of %(count)s seats", m.capacity,
                                         share=formats.percent(seated, m.capacity), count=formats.number(m.capacity))
                                for m, seated, _w in rows]))


def mission_fill_chart(mission: Mission, counts: Mapping[str, int]) -> Chart:
    """One mission's seats: its capacity, the seats taken (registered or marked present), those marked present and
    the waiting list (``counts``: ``queries.counts_for``, which the page reads anyway)."""
    seated, attended, waitlisted = counts["seated"], counts["attended"], counts["waitlisted"]
    description = ngettext("%(taken)s of %(count)s seat taken (%(share)s); marked present: %(attended)s.",
                           "%(taken)s of %(count)s seats taken (%(share)s); marked present: %(attended)s.",
                           mission.capacity, taken=formats.number(seated), count=formats.number(mission.capacity),
                           share=formats.percent(seated, mission.capacity), attended=formats.number(attended))
    description += " " + ngettext("%(count)s person on the waiting list.", "%(count)s people on the waiting list.",
                                  waitlisted, count=formats.number(waitlisted))
    if counts.get("cancelled"):
        description += " " + ngettext("%(count)s registration cancelled.", "%(count)s registrations cancelled.",
                                      counts["cancelled"], count=formats.number(counts["cancelled"]))
    return Chart(_("Seats and waiting list"), description,
                 [_("Capacity"), _("Seats taken"), _("Marked present"), _("Waiting list")],
                 [Series(_("Number"), [mission.capacity, seated, attended, waitlisted])],
                 kind="hbar", columns=_("Seats"), height=260, legend=False)
