"""The calendar file of a mission: one VEVENT, times in UTC, the agenda in the description."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from icalendar import Calendar, Event

from club.core.urls import absolute_url
from club.missions.models import Mission, MissionState
from club.models import utcnow


def description(mission: Mission) -> str:
    lines = []
    if mission.objectives:
        lines += [mission.objectives.strip(), ""]
    if mission.agenda:
        lines.append(_("Agenda:"))
        for item in mission.agenda:
            when = format_date(item.day, "medium")
            if item.starts_at:
                when += " " + format_time(item.starts_at, "short")
            line = f"- {when} — {item.title}"
            if item.place:
                line += f" ({item.place})"
            lines.append(line)
        lines.append("")
    lines.append(absolute_url("missions.detail", mission_id=mission.id))
    return "\n".join(lines)


def calendar_bytes(mission: Mission) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Oriental Offshoring Club//Missions//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = current_app.config.get("BASE_URL", "club").split("://")[-1].split("/")[0] or "club"
    event.add("uid", f"mission-{mission.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", mission.starts_at)
    event.add("dtend", mission.ends_at)
    event.add("summary", mission.title)
    event.add("location", mission.destination)
    event.add("description", description(mission))
    event.add("url", absolute_url("missions.detail", mission_id=mission.id))
    event.add("sequence", mission.version or 1)
    event.add("status", "CANCELLED" if mission.state == MissionState.CANCELLED else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
