"""The incubator's charts (``club.core.charts``): the funnel of a call and the intake across calls.

How the funnel counts: an application counts at every step it reached, whatever happened next, so each step holds
the ones of the next (a graduated startup was also submitted, screened, interviewed, accepted and incubated). The
steps are read from the application's history (every status it held), not only its current status
(``queries.STEP_OF_STATUS``):

- *rejected* applications count up to the step they were rejected at (at least "screened": a rejection comes after
  screening), and are said apart in the description and the table;
- *withdrawn* applications count up to the step they had reached when withdrawn (a draft withdrawn before being
  submitted counts nowhere);
- *waitlisted* applications count as interviewed; when taken from the list they count as accepted;
- *dropped* startups (left the incubator) count as incubated, not graduated.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from club import formats
from club.core.charts import Chart, Series
from club.formats import ngettext
from club.incubator import queries
from club.incubator.models import Call
from club.incubator.queries import FUNNEL_STEPS, Funnel

STEP_LABELS = {
    "submitted": _l("Submitted applications"),
    "screened": _l("Screened"),
    "interviewed": _l("Interviewed"),
    "accepted": _l("Accepted applications"),
    "incubated": _l("Incubated startups"),
    "graduated": _l("Graduated startups"),
}


def _since_then(funnel: Funnel) -> str:
    """Where the applications that stopped stand: "Since then: 2 waitlisted, 5 rejected…" (empty: none)."""
    parts = []
    if funnel.waitlisted:
        parts.append(ngettext("%(count)s on the waiting list", "%(count)s on the waiting list", funnel.waitlisted,
                              count=formats.number(funnel.waitlisted)))
    if funnel.rejected:
        parts.append(ngettext("%(count)s rejected", "%(count)s rejected", funnel.rejected,
                              count=formats.number(funnel.rejected)))
    if funnel.withdrawn:
        parts.append(ngettext("%(count)s withdrawn by the founders", "%(count)s withdrawn by the founders",
                              funnel.withdrawn, count=formats.number(funnel.withdrawn)))
    if funnel.dropped:
        parts.append(ngettext("%(count)s left the incubator before graduating",
                              "%(count)s left the incubator before graduating", funnel.dropped,
                              count=formats.number(funnel.dropped)))
    return _("Of these: %(list)s.", list=", ".join(parts)) if parts else ""


def call_funnel_chart(call: Call, funnel: Funnel | None = None) -> Chart:
    """The call's funnel, from submitted to graduated, with each step's share of the submitted applications (the
    figures from ``queries.call_funnel``, one query, unless given)."""
    funnel = funnel if funnel is not None else queries.call_funnel(call)
    steps = funnel.steps
    if funnel.submitted:
        reached = ", ".join(_("%(label)s: %(count)s", label=STEP_LABELS[k], count=formats.number(v))
                            for k, v in steps[1:])
        description = ngettext(
            "%(count)s application submitted to this call; each bar counts the applications that reached the step, "
            "whatever happened next: %(steps)s.",
            "%(count)s applications submitted to this call; each bar counts the applications that reached the step, "
            "whatever happened next: %(steps)s.", funnel.submitted, count=formats.number(funnel.submitted),
            steps=reached)
        description = " ".join(filter(None, [description, _since_then(funnel)]))
    else:
        description = _("No application has been submitted to this call yet.")
    return Chart(_("From submission to graduation"), description, [str(STEP_LABELS[k]) for k, _v in steps],
                 [Series(_("Applications"), [v for _k, v in steps])], kind="hbar", columns=_("Step"), height=340,
                 notes=(_("Share of the submitted applications"),
                        [formats.percent(v, funnel.submitted) for _k, v in steps]))


def intake_chart(rows: Sequence[tuple[Call, Funnel]] | None = None) -> Chart:
    """Applications submitted and accepted per call, for the calls opened last (``queries.recent_call_funnels``:
    two queries, unless given), oldest first; the table adds each call's places."""
    rows = rows if rows is not None else queries.recent_call_funnels()
    submitted = sum(f.submitted for _c, f in rows)
    accepted = sum(f.accepted for _c, f in rows)
    description = _("No call yet.") if not rows else ngettext(
        "Applications submitted and accepted for the last call: %(submitted)s submitted, %(accepted)s accepted.",
        "Applications submitted and accepted for each of the last %(num)s calls, oldest first: %(submitted)s "
        "submitted, %(accepted)s accepted in all.", len(rows), submitted=formats.number(submitted),
        accepted=formats.number(accepted))
    return Chart(_("Intake by call"), description, [c.title for c, _f in rows],
                 [Series(_("Submitted applications"), [f.submitted for _c, f in rows]),
                  Series(_("Accepted applications"), [f.accepted for _c, f in rows])],
                 kind="bar", columns=_("Call"),
                 notes=(_("Places"), [formats.number(c.capacity) for c, _f in rows]))


__all__ = ["FUNNEL_STEPS", "STEP_LABELS", "Funnel", "call_funnel_chart", "intake_chart"]
