"""Charts drawn on the server as SVG, each with a title, a text description and its data as a table.

Made with pygal (https://www.pygal.org), chosen over matplotlib's SVG backend because it is made for this:
it writes SVG directly (no figure, no font cache, no global pyplot state shared between threads), renders a chart
in a few milliseconds where matplotlib takes tens, imports in a fraction of the time and is pure Python. What it
draws is a chart object we build from plain figures (``Chart``): every number and label is formatted by Babel in
the reader's language before pygal sees it, so a chart reads "1 250" in French and "1,250" in English.

How a chart reaches the page: as ``<img src="data:image/svg+xml;base64,…">``. An SVG shown as an image is a
document of its own: its ``<style>`` applies inside it (the page's CSP, ``style-src 'self'``, forbids inline
styles in the page itself), its scripts never run (pygal's tooltips script is not written anyway:
``js=[]``, and the config script it still adds is removed), it prints, and WeasyPrint draws it in the PDF
reports. The image's ``alt`` is the chart's title; the description and the table (``templates/_macros/
charts.html``) carry what the picture says for a reader who cannot see it.
"""

from __future__ import annotations

import base64
import math
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

import pygal
from babel.dates import format_date
from pygal.style import Style

from club import formats
from club.core.freshness import Recent

# pygal appends a finder of its map plugins to ``sys.meta_path`` that has no ``find_spec``: every later import of a
# missing module (huey's ``try: import gevent``) then warns, which ``filterwarnings = error`` turns into a failure.
# The club uses no map plugin: take it out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

# The club's palette (Bootstrap's, darkened where needed for AA contrast against white for lines and labels).
COLOURS = ("#1f5f8b", "#c0392b", "#1e7b4a", "#8e5a00", "#6f42c1", "#0b7285", "#495057", "#a61e4d")
TARGET_COLOUR = "#212529"

STYLE_ARGS = dict(
    font_family="'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif",
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    opacity=".9",
    opacity_hover="1",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=12,
    value_label_font_size=12,
    # Light solid guides: the target's dashed line must not read as one of them.
    guide_stroke_color="#dee2e6",
    major_guide_stroke_color="#ced4da",
    guide_stroke_dasharray="none",
    major_guide_stroke_dasharray="none",
    stroke_width="2.5",
)

KINDS = {
    "bar": pygal.Bar,
    "stacked": pygal.StackedBar,
    "line": pygal.Line,
    "hbar": pygal.HorizontalBar,
    "hstacked": pygal.HorizontalStackedBar,
}

UNITS = ("number", "money", "percent")

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class Series:
    name: str
    values: Sequence[int | float | Decimal | None]
    # A dashed line without dots (a target), drawn in the target's colour.
    dashed: bool = False


@dataclass
class Chart:
    """A chart: ``labels`` along one axis, one value per label in each of ``series``.

    ``unit`` says how values are written ("number", "money" in MAD, "percent" of 100). ``kind`` is one of
    ``KINDS``. ``columns`` names the table's first column (the labels' heading)."""

    title: str
    description: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: str = "bar"
    unit: str = "number"
    columns: str = ""
    width: int = 800
    height: int = 400
    # Extra cells per row in the data table (e.g. "overdue"), beside the series' values: (heading, cells).
    notes: tuple[str, Sequence[str]] | None = None
    legend: bool = True
    options: dict = field(default_factory=dict)
    # A horizontal chart's labels longer than this are shortened in the picture (pygal does not, and long ones
    # squeeze the plot and its legend); the table keeps them whole.
    short_label: int = 30

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")

    # -- the numbers, as the reader's language writes them -------------------------------------------------------

    def format(self, value) -> str:
        if value is None:
            return "—"
        if self.unit == "money":
            return formats.money(value)
        if self.unit == "percent":  # values are percentages (0–100): "45 %" in French, "45%" in English
            from flask_babel import format_percent

            return format_percent(float(value) / 100)
        return formats.number(value)

    def axis_format(self, value) -> str:
        """A value on the axis: money compact ("10 M MAD", "250 k MAD"), the rest as in the table."""
        if self.unit == "money" and value is not None:
            from babel.numbers import format_compact_decimal

            return format_compact_decimal(value, locale=formats._locale(), fraction_digits=1) + "\u00a0MAD"
        return self.format(value)

    @property
    def slug(self) -> str:
        """An HTML id for the chart on its page: its title, and a digest of what it shows (two charts of one title,
        such as two calls' funnels, get two ids; a title in Arabic still gets one)."""
        import hashlib

        digest = hashlib.sha1(repr((str(self.title), str(self.description), list(map(str, self.labels))))
                              .encode()).hexdigest()[:8]
        return "chart-" + (re.sub(r"[^a-z0-9]+", "-", fold_ascii(self.title)).strip("-")[:40] or "x") + "-" + digest

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(v in (None, 0) for s in self.series for v in s.values)

    @property
    def table_header(self) -> list[str]:
        header = [self.columns, *(s.name for s in self.series)]
        if self.notes:
            header.append(self.notes[0])
        return header

    @cached_property
    def table_rows(self) -> list[list[str]]:
        """The figures as the table under the picture writes them; written once per process for what they are."""
        key = (self._picture_key(), repr(self.notes))
        rows = _TABLES.get(key)
        if rows is None:
            rows = _TABLES.put(key, self._table_rows())
        return rows

    def _table_rows(self) -> list[list[str]]:
        rows = []
        for i, label in enumerate(self.labels):
            row = [label, *(self.format(s.values[i] if i < len(s.values) else None) for s in self.series)]
            if self.notes:
                row.append(self.notes[1][i] if i < len(self.notes[1]) else "")
            rows.append(row)
        return rows

    # -- the picture -----------------------------------------------------------------------------------------------

    def _picture_key(self) -> tuple:
        """Everything the picture is drawn from, the reader's language included (its axis is written in it)."""
        return (self.kind, self.unit, self.width, self.height, str(self.title), str(self.description)[:60],
                self.legend, self.short_label, repr(sorted(self.options.items())), formats._locale(),
                tuple(map(str, self.labels)),
                tuple((str(s.name), tuple(map(repr, s.values)), s.dashed) for s in self.series))

    @cached_property
    def svg(self) -> str:
        """The chart as an SVG document (no XML declaration, no script, no comment), drawn once per process for
        what it shows: a picture is a function of its figures and language alone (nobody's data but what the
        page already shows them), so two readers of the same figures share it."""
        key = self._picture_key()
        svg = _PICTURES.get(key)
        if svg is None:
            svg = _PICTURES.put(key, self._draw())
        return svg

    def _draw(self) -> str:
        horizontal = self.kind in ("hbar", "hstacked")
        colours = [TARGET_COLOUR if s.dashed else None for s in self.series]
        palette = iter(COLOURS)
        colours = tuple(c or next(palette, COLOURS[-1]) for c in colours)
        style = Style(**STYLE_ARGS, colors=colours)
        chart = KINDS[self.kind](
            style=style, js=[], disable_xml_declaration=True, width=self.width, height=self.height,
            title=self.title, show_legend=self.legend and len(self.series) > 1, legend_at_bottom=True,
            legend_at_bottom_columns=min(len(self.series), 3) or 1, truncate_legend=40, truncate_label=24,
            value_formatter=self.axis_format, x_label_rotation=0 if len(self.labels) <= 8 else 40,
            show_minor_x_labels=len(self.labels) <= 12, x_labels_major_every=max(1, len(self.labels) // 12),
            print_values=False, margin=16, spacing=12, show_y_guides=True, show_x_guides=False,
            no_data_text=self.description[:60], dots_size=3, show_dots=len(self.labels) <= 24,
            **({"stroke_style": {"width": 2.5}} if self.kind == "line" else {}), **self.options)
        # A horizontal chart draws its first label at the bottom: reversed, it reads top-down as the table does.
        order = list(reversed(range(len(self.labels)))) if horizontal else list(range(len(self.labels)))
        chart.x_labels = [shorten(self.labels[i], self.short_label) if horizontal else self.labels[i] for i in order]
        chart.y_labels_major_count = 6
        chart.show_minor_y_labels = False
        if horizontal:
            # pygal swaps the axes of a horizontal chart: the "x" options are the values' along the bottom.
            chart.x_label_rotation = 30 if self.unit == "money" else 0
            chart.y_label_rotation = 0
            chart.show_minor_x_labels = False
            chart.x_labels_major_count = 6
        stacked = self.kind in ("stacked", "hstacked")
        totals = [sum(float(s.values[i]) for s in self.series if i < len(s.values) and s.values[i] is not None)
                  for i in range(len(self.labels))] if stacked else [
            float(v) for s in self.series for v in s.values if v is not None]
        largest = max(totals, default=0)
        if self.unit == "number" and largest <= 10:
            # Counts: whole numbers on the axis, every one of them.
            labels = list(range(0, math.ceil(largest) + 1)) or [0, 1]
            chart.y_labels = labels
            if horizontal:
                chart.x_labels_major_count = len(labels)
            else:
                chart.y_labels_major_count = len(labels)
        for series in self.series:
            values = [None if i >= len(series.values) or series.values[i] is None else float(series.values[i])
                      for i in order]
            extra = {"stroke_style": {"width": 3, "dasharray": "10, 6"}, "show_dots": False} if series.dashed else {}
            chart.add(series.name, values, **extra)
        svg = chart.render(is_unicode=True)
        svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
        # The SVG's own accessible name, for a reader who opens it on its own.
        return svg.replace(">", f' role="img" aria-label="{_attr(self.title)}">', 1)

    @cached_property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")


# The pictures and tables drawn lately in this process (a home page's charts change with its figures: a new key,
# the old picture ages out).
_PICTURES, _TABLES = Recent(), Recent()


def shorten(label: str, length: int = 30) -> str:
    """``label`` cut to ``length`` characters with an ellipsis."""
    label = str(label)
    return label if len(label) <= length else label[:length - 1].rstrip() + "…"


def fold_ascii(text) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()


def _attr(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def month_labels(months: Iterable[date]) -> list[str]:
    """Months as the reader's language writes them: "janv. 2021", "Jan 2021"."""
    locale = formats._locale()
    return [format_date(m, "MMM y", locale=locale) for m in months]


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s to ``last``'s, both included."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months

