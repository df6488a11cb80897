"""The reports' pages: the jobs target (``target``), the activity reports and their runs (``runs``), the partners'
reports and schedules (``partners``)."""

from club.reports.views import partners, runs, target  # noqa: F401
