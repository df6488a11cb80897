"""Mailings: letters to a segment or a selection, in French and English with merge fields, previewed, test-sent, then
sent through the outbox and the job queue; consent (law 09-08) and unsubscribing."""

from flask import Blueprint

bp = Blueprint("mailings", __name__)
