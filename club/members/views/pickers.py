"""The organisation pickers' suggestions (``club.members.pickers``): the names htmx offers as one types."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from club.members import bp
from club.members.pickers import LIST_ID, described, suggestions
from club.members.views.common import STAFF
from club.permissions import role_required


@bp.route("/picks")
@role_required(*STAFF)
def organisation_picks():
    """The ``<datalist>`` of a picker: at most ten organisations the user may see whose name contains what was
    typed (``field`` names the parameter holding it, ``list`` the datalist's id; ``archived=1`` when the field
    takes archived organisations too)."""
    field = request.args.get("field", "q")
    list_id = request.args.get("list", f"{field}-options")
    if not LIST_ID.match(field) or not LIST_ID.match(list_id):
        abort(404)
    rows = suggestions(request.args.get(field, ""), current_user, archived=request.args.get("archived") == "1")
    return render_template("members/_picks.html", list_id=list_id, rows=described(rows))
