"""Links in emails come from the configured ``BASE_URL``, never from the request's Host header."""

from __future__ import annotations

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values, force_external=False)
    return current_app.config["BASE_URL"] + path
