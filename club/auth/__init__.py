"""Accounts: sign-in, registration, invitations, passwords, profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
