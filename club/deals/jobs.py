"""Deals' periodic job: each owner's overdue next steps, once a day."""

from __future__ import annotations

from datetime import date, datetime

from club.core.jobs import every_hour, periodic_job
from club.core.outbox import commit_and_dispatch
from club.core.timezones import casablanca, local_today

# Not before this hour (Casablanca): a reminder read at the start of the working day.
REMIND_FROM_HOUR = 7


@periodic_job(every_hour, retries=3, retry_delay=60, retry_backoff=2)
def next_step_reminders(today: date | None = None) -> int:
    """Once a day per owner (the deduplication key holds the date): hourly runs catch up after an outage."""
    from club.deals.services import remind_owners

    if today is None:
        if datetime.now(casablanca()).hour < REMIND_FROM_HOUR:
            return 0
        today = local_today()
    queued = remind_owners(today)
    commit_and_dispatch()
    return queued
