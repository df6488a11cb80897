"""Africa/Casablanca for every module, from the standard zoneinfo, the same time-zone database the date filters
convert with (``club.formats``), so what a user types is what they see: converting with one database and
displaying with another would shift times whenever the two disagree (Morocco's rules change often)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ZONE = "Africa/Casablanca"


def casablanca() -> ZoneInfo:
    """Python's zoneinfo (the system's or the tzdata package's rules), handed to Babel too: pytz, which Babel
    would pick otherwise, cannot read Morocco's rules past 2026 (it shows UTC+0 where Morocco is on UTC+1)."""
    return ZoneInfo(ZONE)


def to_utc(local: datetime | None) -> datetime | None:
    """A naive datetime typed in Casablanca -> aware UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=casablanca()).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """An aware datetime -> naive Casablanca time (for a datetime-local input)."""
    if value is None:
        return None
    return value.astimezone(casablanca()).replace(tzinfo=None)


def local_date(value: datetime) -> date:
    return value.astimezone(casablanca()).date()


def local_today() -> date:
    """Today in Casablanca (due dates are local dates)."""
    return local_date(datetime.now(UTC))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Casablanca wall-clock time on ``day`` -> aware UTC."""
    return to_utc(datetime.combine(day, time(hour, minute)))
