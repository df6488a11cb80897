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


def keep_the_address_bar_true(response):
    """A boosted form answered without a redirect (a refusal re-rendering the form) must not leave its
    POST-only URL in the address bar: a reload would then answer 405. When the URL cannot be opened
    with GET, htmx is told not to push it (``HX-Push-Url: false``): the address bar keeps the page the
    form was on. Redirects are followed by htmx and pushed as the page they lead to."""
    if request.method == "GET" or request.headers.get("HX-Boosted") != "true":
        return response
    if 300 <= response.status_code < 400 or "HX-Push-Url" in response.headers \
            or "HX-Replace-Url" in response.headers:
        return response
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return response  # the same URL opens the form: pushing it is harmless
    response.headers["HX-Push-Url"] = "false"
    return response
