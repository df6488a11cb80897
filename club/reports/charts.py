"""The club's charts, built from its figures (``club.reports.figures``) in the reader's language: the same chart on
the dashboard, on a module's page and in the PDF report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from flask_babel import gettext as _

from club import formats
from club.core.charts import Chart, Series, month_labels
from club.deals.models import KIND_LABELS, STAGE_LABELS, DealKind, Stage
from club.formats import ngettext
from club.reports.figures import JobsMonth, OrganisationJobs, StageFigure


def jobs_chart(months: Sequence[JobsMonth], target: int | None, horizon: date | None = None) -> Chart:
    """Jobs created and announced to date, month by month, against the club's target (a dashed line)."""
    latest = months[-1] if months else None
    if latest:
        description = ngettext("%(num)s job created and %(announced)s announced at the end of %(month)s.",
                               "%(num)s jobs created and %(announced)s announced at the end of %(month)s.",
                               latest.created, num=formats.number(latest.created),
                               announced=formats.number(latest.announced), month=month_labels([latest.month])[0])
        if target:
            description += " " + _("The club's target: %(target)s jobs (%(share)s of it created).",
                                   target=formats.number(target), share=formats.percent(latest.created, target))
    else:
        description = _("No job commitment or report yet.")
    if horizon and target:
        description += " " + _("The target's horizon: %(date)s.", date=formats.date_filter(horizon, "long"))
    series = [Series(_("Jobs created"), [m.created for m in months]),
              Series(_("Jobs announced"), [m.announced for m in months])]
    if target:
        series.append(Series(_("Club's target"), [target] * len(months), dashed=True))
    return Chart(_("Jobs created against jobs announced and the club's target"), description,
                 month_labels(m.month for m in months), series, kind="line", columns=_("Month"))


def jobs_by_organisation_chart(rows: Sequence[OrganisationJobs]) -> Chart:
    """Jobs created against jobs announced per organisation; overdue commitments marked (in the label and the
    table)."""
    overdue = [r for r in rows if r.overdue]
    description = ngettext("Jobs created to date against jobs announced, for the organisation with the most jobs "
                           "announced.", "Jobs created to date against jobs announced, for the %(num)s organisations "
                           "with the most jobs announced.", len(rows))
    if overdue:
        description += " " + _("Marked ⚠: a commitment whose horizon has passed with fewer jobs created than "
                               "announced (%(names)s).", names=", ".join(r.name for r in overdue))
    labels = [f"⚠ {r.name}" if r.overdue else r.name for r in rows]
    return Chart(_("Jobs by organisation"), description, labels,
                 [Series(_("Jobs created"), [r.created for r in rows]),
                  Series(_("Jobs announced"), [r.announced for r in rows])],
                 kind="hbar", columns=_("Organisation"), height=max(300, 60 + 36 * len(rows)),
                 notes=(_("Overdue commitment"), [_("Yes") if r.overdue else "" for r in rows]))


FUNNEL_STAGES = [s for s in Stage if s != Stage.DROPPED]


def nice_ticks(largest, count: int = 5) -> list[int]:
    """About ``count`` round values from 0 past ``largest`` (1, 2, 2.5 or 5 times a power of ten apart), for an axis
    whose labels are long (amounts in MAD) and would overlap if pygal chose them."""
    largest = float(largest or 0)
    if largest <= 0:
        return [0, 1]
    raw = largest / count
    power = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next((m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw), 10 * power)
    ticks, value = [], 0.0
    while value < largest + step:
        ticks.append(int(value) if float(value).is_integer() else value)
        value += step
    return ticks


def _money_axis(values) -> dict:
    return {"y_labels": nice_ticks(max((v for v in values if v is not None), default=0))}


def funnel_charts(figures: Sequence[StageFigure]) -> list[Chart]:
    """The deal pipeline as a funnel by stage: the number of deals, and their amounts in MAD."""
    by_stage = {f.stage: f for f in figures}
    stages = [by_stage[s] for s in FUNNEL_STAGES if s in by_stage]
    labels = [str(STAGE_LABELS[f.stage]) for f in stages]
    dropped = by_stage.get(Stage.DROPPED)
    total = sum(f.count for f in stages)
    description = ngettext("%(num)s deal in the pipeline, by stage, from lead to closed.",
                           "%(num)s deals in the pipeline, by stage, from lead to closed.", total,
                           num=formats.number(total))
    if dropped and dropped.count:
        description += " " + ngettext("%(num)s dropped deal is not shown.", "%(num)s dropped deals are not shown.",
                                      dropped.count, num=formats.number(dropped.count))
    return [
        Chart(_("Deal pipeline: number of deals by stage"), description, labels,
              [Series(_("Deals"), [f.count for f in stages])], kind="hbar", columns=_("Stage"), height=360),
        Chart(_("Deal pipeline: amounts by stage"),
              _("Amounts of the deals at each stage, in MAD (a memorandum of understanding has none)."), labels,
              [Series(_("Amount"), [f.amount for f in stages])], kind="hbar", unit="money", columns=_("Stage"),
              height=360, options=_money_axis([f.amount for f in stages])),
    ]


def signed_chart(by_year: Mapping[int, Mapping[DealKind, object]]) -> Chart:
    """Amounts signed by year, stacked by kind of deal."""
    years = list(by_year)
    kinds = [k for k in DealKind if any(by_year[y].get(k) for y in years)]
    total = sum(sum(v for v in by_year[y].values()) for y in years)
    description = (_("%(amount)s signed in all, by year of signature and kind of deal.", amount=formats.money(total))
                   if years else _("No deal signed yet."))
    return Chart(_("Amounts signed by year and kind"), description, [str(y) for y in years],
                 [Series(str(KIND_LABELS[k]), [by_year[y].get(k, 0) for y in years]) for k in kinds],
                 kind="stacked", unit="money", columns=_("Year"),
                 options=_money_axis([sum(by_year[y].values()) for y in years]) if years else {})


def count_chart(title: str, description: str, counts: Mapping, labels: Mapping, *, heading: str,
                series: str) -> Chart:
    """Counts by category (members by province, by site…): categories in ``labels``' order, then "not set"."""
    keys = [k for k in labels if counts.get(k)] + ([None] if counts.get(None) else [])
    names = [str(labels[k]) if k is not None else _("Not set") for k in keys]
    return Chart(title, description, names, [Series(series, [counts[k] for k in keys])], kind="hbar",
                 columns=heading, height=max(260, 60 + 36 * len(keys)))


def members_charts(by_province: Mapping, by_site: Mapping) -> list[Chart]:
    from club.members.models import PROVINCE_LABELS, SITE_LABELS

    total = sum(by_province.values())
    return [
        count_chart(_("Members by province"), ngettext("%(num)s active member, by province.",
                                                       "%(num)s active members, by province.", total,
                                                       num=formats.number(total)),
                    by_province, PROVINCE_LABELS, heading=_("Province"), series=_("Members")),
        count_chart(_("Members by site"), ngettext("%(num)s active member, by site or park.",
                                                   "%(num)s active members, by site or park.", total,
                                                   num=formats.number(total)),
                    by_site, SITE_LABELS, heading=_("Site"), series=_("Members")),
    ]


def organisation_jobs_chart(name: str, months: Sequence[JobsMonth]) -> Chart:
    """One organisation's jobs, created against announced to date, month by month (its member's home and page)."""
    latest = months[-1] if months else None
    if latest:
        description = ngettext("%(org)s: %(num)s job created of %(announced)s announced at the end of %(month)s.",
                               "%(org)s: %(num)s jobs created of %(announced)s announced at the end of %(month)s.",
                               latest.created, org=name, num=formats.number(latest.created),
                               announced=formats.number(latest.announced), month=month_labels([latest.month])[0])
    else:
        description = _("%(org)s has no job commitment or report yet.", org=name)
    return Chart(_("Jobs of %(org)s, month by month", org=name), description, month_labels(m.month for m in months),
                 [Series(_("Jobs created"), [m.created for m in months]),
                  Series(_("Jobs announced"), [m.announced for m in months])],
                 kind="line", columns=_("Month"))
