"""Missions: delegations, club meetings and visits, with registrations, waitlists, invitations and outcomes."""

from flask import Blueprint

bp = Blueprint("missions", __name__)
