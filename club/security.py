"""Request-wide protections: access declarations, headers, cache rules, redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask_babel
from flask import Flask, abort, current_app, g, request
from werkzeug.datastructures import ImmutableMultiDict

from club.extensions import bare_request
from club.htmx import keep_the_address_bar_true
from club.permissions import enforce_access

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def is_safe_next(target: str | None) -> bool:
    """Only local absolute paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not isinstance(target, str):
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # A page that looked at its user (every signed-in page does, through the access check) is theirs alone; a
    # response that never loaded the user (a static file, the health check) says nothing of them.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if request.headers.get("HX-Request"):
        response.vary.add("HX-Request")
    return response


def _dispatch_mail(response):
    """Ask the worker to deliver the mail this request queued (and committed): one task enqueued, never an
    SMTP connection here, so a mail server that hangs cannot hang a web worker. When the queue is unreachable
    the messages wait in the outbox for the sweep."""
    from club.core.outbox import dispatch_committed

    dispatch_committed()
    return response


def _unencodable(value: str) -> bool:
    """NUL (PostgreSQL refuses it in text, nobody can type it) or a lone surrogate (not UTF-8 at all)."""
    return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)


def refuse_nul_bytes():
    """A request carrying what no keyboard types and no database stores is malformed (400), wherever it
    is: a query argument, a form field, the path. Values that reach the database out of its range
    (an integer too large) are answered 400 by the error handler (``club.core.errors``)."""
    if _unencodable(request.path):
        abort(400)
    if bare_request():
        return
    for values in (request.args, request.form):
        for key, items in values.lists():
            if _unencodable(key) or any(_unencodable(item) for item in items):
                abort(400)


def _steering_key(key: str) -> bool:
    """A query key that would collide with ``url_for``'s own arguments when a view or template passes the
    query on (``url_for(endpoint, id=..., **request.args)``): a path argument, ``_external``, ``endpoint``."""
    return (not key or key.startswith("_") or key in ("endpoint", "values")
            or key in (request.view_args or {}))


def drop_steering_query_keys():
    """Forged query keys are ignored, never a 500: the view sees the query without them."""
    if bare_request():
        return
    if any(_steering_key(key) for key in request.args):
        request.args = ImmutableMultiDict(
            [(key, value) for key, value in request.args.items(multi=True) if not _steering_key(key)]
        )


def _forget_request_user(_exc=None):
    """The user and their locale are cached on the app context; never let them outlive their request
    (an app context outlives requests in tests and CLI commands)."""
    g.pop("_login_user", None)
    flask_babel.refresh()


def init_security(app: Flask) -> None:
    app.teardown_request(_forget_request_user)
    app.before_request(refuse_nul_bytes)
    app.before_request(drop_steering_query_keys)
    app.before_request(enforce_access)
    app.after_request(_headers)
    app.after_request(keep_the_address_bar_true)
    app.after_request(_dispatch_mail)
