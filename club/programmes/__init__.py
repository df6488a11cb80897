"""Programmes and recognitions: the club's programmes (the Jerada youth activity), their targets, beneficiaries,
milestones and progress reports, and the awards given to organisations and people."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)
