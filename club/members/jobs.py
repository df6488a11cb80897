"""Members' periodic jobs: the yearly dues reminders, from the day set by ``DUES_REMINDER_DAY``; the membership
renewal reminders."""

from __future__ import annotations

from datetime import date

from club.core.jobs import every_hour, periodic_job
from club.core.outbox import commit_and_dispatch
from club.core.timezones import local_today


def reminder_day(year: int, setting: str) -> date:
    month, day = (int(part) for part in setting.split("-"))
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a year without it
        return date(year, month, 28)


@periodic_job(every_hour, retries=3, retry_delay=60, retry_backoff=2)
def dues_reminders(today: date | None = None) -> int:
    """From the reminder day on, each member with unpaid dues for the year gets one reminder (each message
    has a deduplication key: hourly runs, several hosts or a manual run never send it twice)."""
    from flask import current_app

    from club.members.services import remind_dues

    today = today or local_today()
    if today < reminder_day(today.year, current_app.config["DUES_REMINDER_DAY"]):
        return 0
    queued = remind_dues(today.year)
    commit_and_dispatch()
    return queued


@periodic_job(every_hour, retries=3, retry_delay=60, retry_backoff=2)
def renewal_reminders(today: date | None = None) -> int:
    """One reminder per active membership renewing within 30 days (or overdue), once per period: each message's
    deduplication key names the membership and its renewal date, so hourly runs never send it twice."""
    from club.members.services import remind_renewals

    queued = remind_renewals(today or local_today())
    commit_and_dispatch()
    return queued
