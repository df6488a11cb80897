"""Incubator: calls for applications, the applicant portal, screening, blind reviews and ranking."""

from flask import Blueprint

bp = Blueprint("incubator", __name__)
