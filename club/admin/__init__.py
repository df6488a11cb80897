from flask import Blueprint

bp = Blueprint("admin", __name__)

from club.admin import views  # noqa: E402,F401
