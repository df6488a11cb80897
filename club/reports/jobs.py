"""The reports' tasks: build a report run (PDF and XLSX), send the schedules that are due, and sweep the runs a
worker left behind (``club.reports.runs`` says how each stays correct when run twice)."""

from __future__ import annotations

from huey import crontab

from club.core.jobs import enqueue, job, periodic_job
from club.extensions import db

# The schedules are looked at every hour (not once a day): a worker down at the daily hour would otherwise skip a
# day; a schedule is taken once whatever the number of looks (``send_due_schedules``).
every_hour_at_twenty = crontab(minute="20")
every_five_minutes = crontab(minute="*/5")


@job()
def build_report_run(run_id: int) -> bool:
    """Build one run (no retry by the queue: a failure is recorded on the run, which can be asked for again)."""
    from club.reports.runs import build_run

    return build_run(run_id)


@periodic_job(every_hour_at_twenty)
def send_scheduled_reports() -> int:
    from club.core.timezones import local_today
    from club.reports.runs import send_due_schedules

    ids = send_due_schedules(local_today())
    for run_id in ids:
        enqueue(build_report_run, run_id)
    return len(ids)


@periodic_job(every_five_minutes)
def sweep_report_runs() -> int:
    """Runs abandoned by a dead worker, or whose task the queue lost: queued again (``sweep_stalled_runs``)."""
    from club.reports.runs import sweep_stalled_runs

    sweep = sweep_stalled_runs()
    db.session.rollback()
    for run_id in sweep.requeued:
        enqueue(build_report_run, run_id)
    return len(sweep.requeued)
