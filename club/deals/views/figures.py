"""The deals in figures: the pipeline as a funnel (count and MAD) and the amounts signed by year and kind, as the
viewer may see them (every deal for the secretariat, the deals shared with a partner's organisation)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from club.deals import bp
from club.permissions import Role, role_required


@bp.route("/figures")
@role_required(Role.SECRETARIAT, Role.PARTNER)
def figures():
    from club.reports.dashboard import deals_figures

    return render_template("deals/figures.html", figures=deals_figures(current_user))
