"""Tags and segments: tags on organisations and contacts, saved views of the register (segments) with their live
count, and bulk actions on the register and on segments (tag, untag, membership status, export, write)."""

from flask import Blueprint

bp = Blueprint("segments", __name__)
