from flask import Blueprint

bp = Blueprint("incubator", __name__)

from club.incubator import views  # noqa: E402,F401
