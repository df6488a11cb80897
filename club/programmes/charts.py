"""The programmes' charts (``club.core.charts``): a programme's indicators against their targets.

An indicator's result is shown as a share of its target (100 % = target reached): indicators count different things
on different scales (200 young people enrolled, 12 firms visited), and a share puts them on one axis; the table
under the chart gives each result and target as numbers. Results are the ones the programme's page shows
(``queries.indicator_results``: counted from the beneficiaries, or the lead's latest figure): aggregates, never a
person, so whoever sees the programme's indicators (its partners included) sees the chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from club import formats
from club.core.charts import Chart, Series
from club.formats import ngettext
from club.programmes.models import (
    Indicator,
)


def share(reached: int, target: int) -> float | None:
    """``reached`` as a percentage of ``target`` (None without a target)."""
    return 100 * reached / target if target else None


def indicators_chart(indicators: Sequence[Indicator], results: Mapping[int, int]) -> Chart:
    """Each indicator's result to date as a share of its target (``results``: ``queries.indicator_results``, which
    the programme's page reads anyway: no query)."""
    shares = [share(results.get(i.id, 0), i.target) for i in indicators]
    reached = sum(1 for s in shares if s is not None and s >= 100)
    description = ngettext(
        "The indicator's result to date as a share of its target (%(full)s: target reached). Target reached: "
        "%(reached)s of %(num)s indicator.",
        "Each indicator's result to date as a share of its target (%(full)s: target reached). Targets reached: "
        "%(reached)s of %(num)s indicators.", len(indicators), full=formats.percent(1, 1), num=formats.number(len(indicators)),
        reached=formats.number(reached))
    largest = max((s for s in shares if s is not None), default=0)
    return Chart(
        _("Results against targets"), description, [i.name for i in indicators],
        [Series(_("Share of the target reached"), shares)], kind="hbar", unit="percent", columns=_("Indicator"),
        height=max(220, 90 + 40 * len(indicators)), legend=False,
        notes=(_("Result and target"), [_("%(reached)s of %(target)s", reached=formats.number(results.get(i.id, 0)),
                                          target=formats.number(i.target)) for i in indicators]),
        options={"range": (0, max(100, largest))})
