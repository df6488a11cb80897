"""htmx helpers: the same URL answers a full page or the fragment it includes."""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx_partial() -> bool:
    """An htmx request that wants a fragment (not a boosted navigation)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page_or_partial(page_template: str, partial_template: str, **context):
    template = partial_template if is_htmx_partial() else page_template
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response
