"""Administration: users and the mail outbox (secretariat administrators)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
