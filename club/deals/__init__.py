"""Deals: the capital-investment pipeline, the partners' room and the investment committee."""

from flask import Blueprint

bp = Blueprint("deals", __name__)
