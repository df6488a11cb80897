"""Members: the register of organisations, their contacts, membership, dues and job commitments."""

from flask import Blueprint

bp = Blueprint("members", __name__)
