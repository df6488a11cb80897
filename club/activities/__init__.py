"""Activities: calls, meetings, emails, notes and tasks logged on organisations and contacts, the organisation's timeline
(activities and audit events), each user's open tasks, and activities linked from deals, applications, missions and
programmes."""

from flask import Blueprint

bp = Blueprint("activities", __name__)
