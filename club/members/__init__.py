"""Members: the register of organisations, their contacts, membership, dues and job commitments."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from club.members import cli, demo, home, views  # noqa: E402,F401  (routes, command, demo part, home panels)
