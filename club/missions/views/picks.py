"""The registration form's person picker: the people it suggests as one types (``club.members.pickers``)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from club.members.pickers import LIST_ID, Pick, contact_label, contact_suggestions
from club.missions import bp, queries
from club.missions.views.common import mission_or_404
from club.permissions import Role, is_secretariat, role_required


@bp.route("/<int:mission_id>/register/picks")
@role_required(Role.SECRETARIAT, Role.MEMBER)
def register_picks(mission_id: int):
    """The people the registration form suggests as one types (htmx swaps the field's ``<datalist>``)."""
    mission = mission_or_404(mission_id)
    field = request.args.get("field", "contact_id")
    list_id = request.args.get("list", f"{field}-options")
    if not LIST_ID.match(field) or not LIST_ID.match(list_id):
        abort(404)
    org_filter = request.args.get("organization_id", type=int) if is_secretariat(current_user) \
        else current_user.organization_id or -1
    rows = contact_suggestions(request.args.get(field, ""), queries.registrable(mission.id, org_filter, current_user),
                               current_user, organization_id=org_filter)
    return render_template("members/_picks.html", list_id=list_id,
                           rows=[Pick(row.id, contact_label(row.org, row.name), "") for row in rows])
