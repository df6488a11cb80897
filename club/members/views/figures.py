"""The members in figures: active members by province and by site (the secretariat's)."""

from __future__ import annotations

from flask import render_template

from club.members import bp
from club.members.views.common import STAFF
from club.permissions import role_required


@bp.route("/figures")
@role_required(*STAFF)
def figures():
    from club.reports.dashboard import members_figures

    return render_template("members/figures.html", figures=members_figures())
