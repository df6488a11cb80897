"""The activity report at volume: the yearly report over the whole register (100,000 organisations, 5,000 deals,
2,000 applications, 1,000 missions, as the other domains seed them) built, then rendered to PDF and XLSX, as the
worker does; the seconds are printed (target: under 60 s in all).

``make bench`` runs it after the other domains' seeds (``pages()`` times the report and measures no page). Alone:
``python -m bench.report_files [--db sqlite|postgres] [--scale 1.0]`` seeds what the report reads, then times it.
"""

from __future__ import annotations

import time

from bench import BenchPage

TARGET_SECONDS = 60
# What the report reads, seeded by their own bench modules.
DOMAINS = ["members", "dues", "deals", "incubator", "missions", "programmes"]


def seed(scale: float) -> None:
    """Nothing of its own: the report reads what the other domains seeded."""


def time_report(year: int | None = None) -> dict[str, float]:
    """Build the yearly report of ``year`` (this year by default: its dues are seeded) for the club, then render its
    PDF (French) and its XLSX; print and return the seconds of each step."""
    from flask import current_app
    from flask_babel import force_locale

    from club.core.timezones import local_today
    from club.reports.content import Period, build_report
    from club.reports.pdf import render_pdf
    from club.reports.xlsx import render_xlsx

    year = year or local_today().year
    seconds: dict[str, float] = {}
    with current_app.test_request_context(), force_locale("fr"):
        started = time.perf_counter()
        report = build_report(Period.year(year))
        seconds["build"] = time.perf_counter() - started
        started = time.perf_counter()
        pdf = render_pdf(report)
        seconds["pdf"] = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = render_xlsx(report)
        seconds["xlsx"] = time.perf_counter() - started
    total = sum(seconds.values())
    verdict = "ok" if total < TARGET_SECONDS else "MISSED"
    rows = {t.title: t.total if t.total is not None else len(t.rows) for s in report.sections for t in s.tables}
    print(f"report {year}: build {seconds['build']:.1f} s, PDF {seconds['pdf']:.1f} s ({len(pdf) // 1024} KiB), "
          f"XLSX {seconds['xlsx']:.1f} s ({len(xlsx) // 1024} KiB, {sum(rows.values())} rows): "
          f"{total:.1f} s in all, target < {TARGET_SECONDS} s {verdict}", flush=True)
    return seconds


def pages() -> list[BenchPage]:
    time_report()
    return []


def main(argv=None) -> int:
    import argparse

    from bench.__main__ import scratch_database
    from bench.__main__ import seed as seed_domains

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    seed_domains(scratch_database(args.db), args.scale, [*DOMAINS, "report_files"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
