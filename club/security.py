"""Request-wide protections: access declarations, headers, cache rules, redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask_babel
from flask import Flask, abort, current_app, g, request
from flask_login import current_user

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
    if current_user and current_user.is_authenticated and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if request.headers.get("HX-Request"):
        response.vary.add("HX-Request")
    return response


def _dispatch_mail(response):
    """Send the mail this request committed once the response has gone out: the user never waits for
    (nor learns anything from the timing of) the SMTP server, and a failure leaves the message pending."""
    ids = g.pop("outbox_committed", None)
    if ids:
        app = current_app._get_current_object()

        def send():
            from club.core.outbox import send_pending

            with app.app_context():
                send_pending(ids=ids)

        response.call_on_close(send)
    return response


def refuse_nul_bytes():
    """NUL cannot be typed and PostgreSQL refuses it in text: such a request is malformed (400)."""
    for values in (request.args, request.form):
        for key, items in values.lists():
            if "\x00" in key or any("\x00" in item for item in items):
                abort(400)
    if "\x00" in request.path:
        abort(400)


def _forget_request_user(_exc=None):
    """The user and their locale are cached on the app context; never let them outlive their request
    (an app context outlives requests in tests and CLI commands)."""
    g.pop("_login_user", None)
    flask_babel.refresh()


def init_security(app: Flask) -> None:
    app.teardown_request(_forget_request_user)
    app.before_request(refuse_nul_bytes)
    app.before_request(enforce_access)
    app.after_request(_headers)
    app.after_request(_dispatch_mail)
