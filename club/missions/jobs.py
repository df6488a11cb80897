"""Missions' periodic job: a reminder with the calendar file, two days before a mission starts."""

from __future__ import annotations

from datetime import date

from club.core.jobs import every_hour, periodic_job
from club.core.outbox import commit_and_dispatch
from club.core.timezones import local_today


@periodic_job(every_hour, retries=3, retry_delay=60, retry_backoff=2)
def mission_reminders(today: date | None = None) -> int:
    """Each participant once per registration (deduplication key): hourly runs catch up after an outage."""
    from club.missions.services import remind_upcoming

    queued = remind_upcoming(today or local_today())
    commit_and_dispatch()
    return queued
