"""The programmes' charts (``club.core.charts``): a programme's indicators against their targets, and the figures
the activity report reads.

An indicator's result is shown as a share of its target (100 % = target reached): indicators count different things
on different scales (200 young people enrolled, 12 firms visited), and a share puts them on one axis; the table
under the chart gives each result and target as numbers. Results are the ones the programme's page shows
(``queries.indicator_results``: counted from the beneficiaries, or the lead's latest figure): aggregates, never a
person, so whoever sees the programme's indicators (its partners included) sees the chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from club import formats
from club.core.charts import Chart, Series
from club.formats import ngettext
from club.programmes.models import (
    KIND_LABELS,
    STATE_LABELS,
    BeneficiaryStatus,
    Gender,
    Indicator,
    IndicatorSource,
    Measure,
    ProgrammeKind,
    ProgrammeState,
)
from club.programmes.queries import programmes as queries


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


# --- the activity report's figures -------------------------------------------------------------------------------

@dataclass
class IndicatorFigures:
    name: str
    source: IndicatorSource
    measure: Measure | None
    target: int
    target_on: date | None
    reached: int

    @property
    def share(self) -> float | None:
        """Reached / target, 0–1 (over 1 beyond the target; None without a target)."""
        return self.reached / self.target if self.target else None


@dataclass
class ProgrammeFigures:
    """A programme, its indicators against their targets and its beneficiaries as aggregates only (no person):
    what the activity report shows, to the club and to partners alike."""

    programme_id: int
    title: str
    kind: ProgrammeKind
    state: ProgrammeState
    lead: str
    starts_on: date
    ends_on: date | None
    budget: Decimal | None
    indicators: list[IndicatorFigures] = field(default_factory=list)
    beneficiaries: int = 0
    by_status: dict[BeneficiaryStatus, int] = field(default_factory=dict)
    by_gender: dict[Gender, int] = field(default_factory=dict)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


def indicator_figures(programme_ids: Iterable[int] | None = None) -> list[ProgrammeFigures]:
    """The programmes ``programme_ids`` (None: every programme launched, drafts aside; a partner's report passes the
    ones shared with it), by start date, with their indicators' results to date and their beneficiaries counted by
    status and gender. Five queries whatever the number of programmes, indicators and people."""
    programmes = queries.programmes_with_indicators(programme_ids)
    if not programmes:
        return []
    ids = [p.id for p in programmes]
    tallies = queries.tally(ids)
    results = queries.indicator_results(ids, tallies)
    out = []
    for p in programmes:
        aggregates = queries.beneficiary_aggregates(tallies[p.id])
        out.append(ProgrammeFigures(
            programme_id=p.id, title=p.title, kind=p.kind, state=p.state, lead=p.lead.name, starts_on=p.starts_on,
            ends_on=p.ends_on, budget=p.budget,
            indicators=[IndicatorFigures(name=i.name, source=i.source, measure=i.measure, target=i.target,
                                         target_on=i.target_on, reached=results.get(i.id, 0)) for i in p.indicators],
            beneficiaries=aggregates.total, by_status=aggregates.by_status, by_gender=aggregates.by_gender))
    return out
