"""Reports at volume: the secretariat's dashboard with its charts, the deals' and members' figures pages, and the
cost of drawing the dashboard's seven charts.

Seeds nothing of its own: the figures read the other modules' volume (100,000 organisations and their job
reports from ``bench.members``, 5,000 deals from ``bench.deals``); run it with them (``make bench``, or
``python -m bench --only members --only deals --only reports``).

The pages are served as in production: the figures and their charts are kept ``CHART_CACHE_SECONDS`` (90 s) per
process, so the throughput measured is that of a dashboard whose figures are at most 90 s old (the page says how
old). The chart line below measures what a cache miss costs: the figures' queries and the drawing of the charts.
"""

from __future__ import annotations

import statistics
import time

from bench import BenchPage

ROUNDS = 7


def seed(scale: float) -> None:
    """Nothing: the dashboard reads what the members and deals modules seeded."""


def measure_charts() -> str:
    """Build the secretariat's figures and draw its seven charts, uncached, ``ROUNDS`` times (French); and draw
    only (figures queried once). Returns the line the runner prints."""
    from flask import current_app
    from flask_babel import force_locale

    from club.core.charts import Chart
    from club.reports import dashboard
    from club.reports.target import current_target

    def charts_of(figures) -> list[Chart]:
        out = []
        for item in figures.charts.values():
            out.extend(item if isinstance(item, list) else [item])
        return out

    with current_app.test_request_context(), force_locale("fr"):
        target = current_target()
        whole, drawing, queries = [], [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            figures = dashboard._club_figures(target, dashboard.local_today())
            queried = time.perf_counter()
            for chart in charts_of(figures):
                chart.svg  # noqa: B018 - drawn now
            done = time.perf_counter()
            queries.append((queried - started) * 1000)
            drawing.append((done - queried) * 1000)
            whole.append((done - started) * 1000)
        count = len(charts_of(figures))
    return (f"charts: the dashboard's {count} charts, uncached (a cache miss), median of {ROUNDS}: "
            f"{statistics.median(whole):.0f} ms = figures' queries {statistics.median(queries):.0f} ms "
            f"+ drawing the SVGs with pygal {statistics.median(drawing):.0f} ms")


def pages() -> list[BenchPage]:
    print(measure_charts(), flush=True)
    return [
        BenchPage("reports: dashboard with charts", "/", target=40),
        BenchPage("reports: deals in figures", "/deals/figures"),
        BenchPage("reports: deals in figures, partner", "/deals/figures", login="partner@firo.example"),
        BenchPage("reports: members in figures", "/members/figures"),
        BenchPage("reports: member's home (own jobs chart)", "/", login="contact@saccom.example"),
    ]
