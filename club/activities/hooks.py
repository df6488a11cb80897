"""What activities adds to the app."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Nothing yet."""
