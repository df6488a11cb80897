"""views of the programmes domain: programmes."""

from flask import render_template

from club.permissions import Role, role_required
from club.programmes import bp


@bp.route("/")
@role_required(Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)
def index():
    return render_template("programmes/index.html")
