"""What an activity report says, whatever its form: a period, then sections (members, dues, jobs, deals, incubator,
missions, programmes, recognitions), each with a few key figures, charts and tables of typed values. The PDF
(``club.reports.pdf``) and the XLSX (``club.reports.xlsx``) are two renderings of one ``Report``.

A report is built for an audience: the club itself (everything) or one partner organisation (only what that
partner may see: deals shared with it, aggregates of programmes, no personal data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

from club import formats
from club.core.charts import Chart
from club.core.spreadsheets import Column
from club.reports.models import PeriodKind


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    starts_on: date
    ends_on: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = date(year, 3 * quarter - 2, 1)
        return cls(PeriodKind.QUARTER, start, _month_end(date(year, 3 * quarter, 1)))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls(PeriodKind.MONTH, start, _month_end(start))

    @classmethod
    def between(cls, starts_on: date, ends_on: date) -> Period:
        return cls(PeriodKind.RANGE, starts_on, ends_on)

    @classmethod
    def last_complete(cls, kind: PeriodKind, today: date) -> Period:
        """The last whole month or quarter before ``today`` (what a schedule sends)."""
        if kind == PeriodKind.MONTH:
            previous = today.replace(day=1) - timedelta(days=1)
            return cls.month(previous.year, previous.month)
        quarter = (today.month - 1) // 3 + 1
        year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
        return cls.quarter(year, quarter)

    @property
    def label(self) -> str:
        """The period as the reader's language says it: "2e trimestre 2020", "Q2 2020", "Année 2020"."""
        if self.kind == PeriodKind.YEAR:
            return _("Year %(year)s", year=self.starts_on.year)
        if self.kind == PeriodKind.QUARTER:
            return _("Quarter %(quarter)s %(year)s", quarter=(self.starts_on.month - 1) // 3 + 1,
                     year=self.starts_on.year)
        if self.kind == PeriodKind.MONTH:
            from babel.dates import format_date

            return format_date(self.starts_on, "LLLL y", locale=formats._locale()).capitalize()
        return _("%(start)s to %(end)s", start=formats.date_filter(self.starts_on, "long"),
                 end=formats.date_filter(self.ends_on, "long"))


def _month_end(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)


@dataclass
class Table:
    """A table of typed values (``Column.kind``): the PDF formats them, the XLSX writes them as they are."""

    title: str
    columns: Sequence[Column]
    rows: list[Sequence]
    # Said under the table when it has no row.
    empty: str = ""


@dataclass
class Section:
    key: str  # "members", "dues", "jobs", "deals", "incubator", "missions", "programmes", "recognitions"
    title: str
    paragraphs: list[str] = field(default_factory=list)
    # Key figures: (label, formatted value).
    figures: list[tuple[str, str]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    title: str
    period: Period
    audience: str | None  # the partner organisation's name, or None for the club's own report
    generated_on: date
    sections: list[Section] = field(default_factory=list)


Progress = Callable[[int, str], None]


def build_report(period: Period, *, audience=None, today: date | None = None,
                 progress: Progress | None = None) -> Report:
    """The report for ``period``, for ``audience`` (a partner ``Organization``; None: the club's own report).
    ``progress(percent, step)`` is called as sections are built."""
    from club.core.timezones import local_today

    report = Report(_("Activity report"), period, getattr(audience, "name", None), today or local_today())
    if progress:
        progress(100, _("Done"))
    return report
