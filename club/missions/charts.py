"""The missions' charts (``club.core.charts``): seats taken against capacity and waiting lists, for the missions of a
list page and for one mission; and the figures of a period the activity report reads.

The charts are built from what the pages already read (the list's rows carry each mission's seats taken and waiting
list, from one grouped query; a mission's page reads its counts once): they add no query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from club import formats
from club.core.charts import Chart, Series
from club.core.timezones import at
from club.formats import ngettext
from club.missions import queries
from club.missions.models import KIND_LABELS, STATE_LABELS, Mission, MissionKind, MissionState

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


# --- the activity report's figures -------------------------------------------------------------------------------

@dataclass
class MissionFigures:
    """A mission held in a period: what it was, its seats and registrations (as they stand: a registration keeps its
    last status), and what it produced."""

    mission_id: int
    title: str
    kind: MissionKind
    destination: str
    starts_at: datetime
    ends_at: datetime
    state: MissionState
    capacity: int
    registered: int  # a seat, not (yet) marked present
    attended: int  # marked present
    waitlisted: int
    cancelled: int  # registrations cancelled
    outcomes: int  # organisations the mission brought (settled, partnered…)
    deals: int  # deals it led to
    actions: int  # follow-up actions
    actions_done: int

    @property
    def seated(self) -> int:
        return self.registered + self.attended

    @property
    def fill_rate(self) -> float | None:
        """Seats taken / capacity (0–1; over 1 when the secretariat seated more than the capacity)."""
        return self.seated / self.capacity if self.capacity else None

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


def mission_figures(starts_on: date, ends_on: date, *, organization_id: int | None = None) -> list[MissionFigures]:
    """The missions held in a period (Moroccan dates, both included): every mission that started before the period
    ended and ended after it began, drafts aside (cancelled ones are kept, with their state), by start date; one
    query. ``organization_id``: only those a partner organisation sees (the report sent to it)."""
    start, end = at(starts_on, 0), at(ends_on + timedelta(days=1), 0)
    return [MissionFigures(mission_id=m.id, title=m.title, kind=m.kind, destination=m.destination,
                           starts_at=m.starts_at, ends_at=m.ends_at, state=m.state, capacity=m.capacity,
                           registered=int(registered), attended=int(attended), waitlisted=int(waitlisted),
                           cancelled=int(cancelled), outcomes=int(outcomes), deals=int(deals), actions=int(actions),
                           actions_done=int(done))
            for m, registered, attended, waitlisted, cancelled, outcomes, deals, actions, done
            in queries.held_between(start, end, organization_id=organization_id)]
