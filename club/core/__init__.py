"""The core: home, language, health, and what every domain builds on (audit, outbox, jobs, storage, registry)."""

from flask import Blueprint

bp = Blueprint("core", __name__)
