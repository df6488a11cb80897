"""How the missions' audit events read (labels of actions, fields and values) and a mission's history."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from club.core import audit
from club.extensions import db
from club.members.models import SITE_LABELS
from club.missions.models import (
    KIND_LABELS,
    REGISTRATION_STATUS_LABELS,
    STATE_LABELS,
    FollowUpAction,
    Invitation,
    InvitationAnswer,
    Mission,
    Registration,
)
from club.permissions import visible

ANSWER_LABELS = {InvitationAnswer.REGISTERED: _l("Registered"), InvitationAnswer.DECLINED: _l("Declined")}

ACTION_LABELS = {
    "mission.create": _l("Mission created"),
    "mission.update": _l("Mission edited"),
    "mission.state": _l("Mission status changed"),
    "mission.register": _l("Person registered"),
    "mission.promote": _l("Promoted from the waiting list"),
    "mission.reminded": _l("Mission reminder sent"),
    "mission.cancel_registration": _l("Registration cancelled"),
    "mission.attendance": _l("Attendance recorded"),
    "mission.invite": _l("Invitations sent"),
    "mission.decline": _l("Invitation declined"),
    "mission.agenda_add": _l("Agenda item added"),
    "mission.agenda_delete": _l("Agenda item removed"),
    "mission.report": _l("Report written"),
    "mission.action_add": _l("Follow-up action added"),
    "mission.action_done": _l("Follow-up action done"),
    "mission.outcome_add": _l("Organisation brought by the mission added"),
    "mission.outcome_remove": _l("Organisation brought by the mission removed"),
    "mission.deal_add": _l("Deal linked"),
    "mission.deal_remove": _l("Deal unlinked"),
}

AUDIT_FIELDS = {
    "mission.": {
        "title": _l("Title"),
        "kind": audit.Field(_l("Kind"), KIND_LABELS),
        "destination": _l("Destination"),
        "site": audit.Field(_l("Site"), SITE_LABELS),
        "starts_at": audit.Field(_l("Starts"), audit.moment),
        "ends_at": audit.Field(_l("Ends"), audit.moment),
        "objectives": _l("Objectives"),
        "capacity": audit.Field(_l("Capacity"), audit.number),
        "seats_per_organization": audit.Field(_l("Seats per organisation"), audit.number),
        "registration_deadline": audit.Field(_l("Registration deadline"), audit.moment),
        "partners": _l("Partner organisations"),
        "state": audit.Field(_l("Status"), STATE_LABELS),
        "status": audit.Field(_l("Registration"), REGISTRATION_STATUS_LABELS),
        "mission_id": audit.Field(_l("Mission"), audit.name_of(Mission, "title"), hidden=True),  # the page's own
        "contact": _l("Person"),
        "invited": _l("People invited"),
        "answer": audit.Field(_l("Answer"), ANSWER_LABELS),
        "invitation": audit.Field(_l("Invitation"), ANSWER_LABELS),  # registered by the invitation's link
        "agenda": _l("Agenda item"),
        "outcomes": _l("Outcomes"),
        "contacts_made": _l("Contacts made"),
        "task": _l("Task"),
        "done_at": audit.Field(_l("Done"), audit.moment),
        "outcome": _l("Organisation"),
        "deal": _l("Deal"),
    },
}


def _missions(ids, user) -> dict:
    """The missions among ``ids`` that ``user`` may see, by the one rule, in SQL (one query)."""
    rows = db.session.execute(sa.select(Mission.id, Mission.title).where(Mission.id.in_(ids), visible(Mission, user)))
    return {mission_id: (title, url_for("missions.detail", mission_id=mission_id)) for mission_id, title in rows}


def _of_mission(model):
    """Registrations, invitations and actions read as their mission, when ``user`` may see it (one query)."""
    def resolve(ids, user) -> dict:
        rows = db.session.execute(
            sa.select(model.id, Mission.id, Mission.title).join(Mission, Mission.id == model.mission_id)
            .where(model.id.in_(ids), visible(Mission, user)))
        return {ident: (title, url_for("missions.detail", mission_id=mission_id))
                for ident, mission_id, title in rows}

    return resolve


def register_labels(hooks) -> None:
    """Called by ``hooks.register``: the labels above, and how the missions' events name their subject."""
    hooks.action_labels(ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    hooks.subject("missions", _missions)
    for model in (Registration, Invitation, FollowUpAction):
        hooks.subject(model.__tablename__, _of_mission(model))


def history(mission: Mission, limit: int = 50) -> list:
    """The events of a mission and of its registrations, invitations and follow-up actions, newest first."""
    def ids(model):
        return list(db.session.scalars(sa.select(model.id).where(model.mission_id == mission.id)))

    return audit.events_for_any({"missions": [mission.id], **{m.__tablename__: ids(m) for m in
                                                              (Registration, Invitation, FollowUpAction)}},
                                limit=limit)
