"""Members: the register of organisations, their contacts, membership, dues and job commitments."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from club.members import cli, home, views  # noqa: E402,F401  (routes, command, home panels)


@bp.record_once
def _register_demo_part(state):
    # Imported when the blueprint is registered: club.demo imports club.members.models, not the reverse at import.
    from club.members import demo  # noqa: F401
