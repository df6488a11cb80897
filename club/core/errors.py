"""Error pages: generic, translated, with an error id for 500s that is also in the log."""

from __future__ import annotations

import logging
import math
import secrets
import time

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from club.extensions import db
from club.htmx import is_htmx_partial
from club.permissions import enforce_access, loggable_path

log = logging.getLogger("club.errors")
security_log = logging.getLogger("club.security")

PAGES = {400, 403, 404, 405, 409, 413, 429, 500}


def _render(code: int, **context):
    template = "errors/_error.html" if is_htmx_partial() else "errors/error.html"
    response = current_app.make_response((render_template(template, code=code, **context), code))
    response.vary.add("HX-Request")
    return response


def retry_wait() -> str | None:
    """How long the person must really wait after a rate limit, in words ("45 seconds", "12 minutes")."""
    from club.extensions import limiter

    try:
        current = limiter.current_limit
        seconds = int(math.ceil(current.reset_at - time.time())) if current is not None else None
    except Exception:  # noqa: BLE001 - the page must render even if the limiter cannot tell
        return None
    if seconds is None:
        return None
    seconds = max(seconds, 1)
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = max(1, round(seconds / 60))
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def http_error(error: HTTPException):
    code = error.code if error.code in PAGES else 400
    context = {}
    if error.code == 429:
        security_log.warning("rate limit hit on %s %s from %s", request.method, loggable_path(), request.remote_addr)
        context["wait"] = retry_wait()
    response = _render(code, **context)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _bad_value(error: BaseException) -> bool:
    """A value the database cannot hold, come from the request: an integer out of range, a lone
    surrogate, a NUL byte on PostgreSQL, text that is not a number... The request is wrong, not the app."""
    if isinstance(error, sa_exc.DataError):
        return True
    if isinstance(error, sa_exc.StatementError) and error.orig is not None:
        return _bad_value(error.orig)
    if isinstance(error, OverflowError):
        return True
    return isinstance(error, UnicodeEncodeError) and "surrogates not allowed" in str(error)


def server_error(error: Exception):
    db.session.rollback()
    if _bad_value(error):
        log.warning("400 on %s %s: a value the database cannot hold (%s)", request.method, loggable_path(),
                    type(getattr(error, "orig", None) or error).__name__)
        return _render(400)
    error_id = secrets.token_hex(4)
    log.error("error %s on %s %s", error_id, request.method, loggable_path(), exc_info=error)
    return _render(500, error_id=error_id)


def _is_duplicate(error: IntegrityError) -> bool:
    """A unique constraint refused the row (PostgreSQL's unique_violation, SQLite's UNIQUE failure)."""
    return getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig)


def concurrent_write(error: Exception):
    """Two requests wrote the same thing at the same moment (a row changed or removed under this one, or
    the same row created by both): the later one is refused with a 409, nothing half-saved, one line in
    the log. A view that expects the conflict answers it at the field; this is the net under the others."""
    if isinstance(error, IntegrityError) and not _is_duplicate(error):
        return server_error(error)
    db.session.rollback()
    log.warning("concurrent write refused on %s %s: %s", request.method, loggable_path(), type(error).__name__)
    return _render(409)


class RefusedCommit(Exception):
    """A commit attempted while a request refused for its CSRF token is shown again."""


def _no_commit_after_a_refusal(session) -> None:
    if has_request_context() and request.environ.get("club.csrf_refused"):
        raise RefusedCommit("no commit on a request refused for its CSRF token")


def csrf_error(error: CSRFError):
    """An expired or missing token: a form view re-renders itself with the user's input (boosted
    navigations included), and the refusal is one line in the log, never a traceback nor a 500."""
    security_log.warning("CSRF failure on %s %s: %s", request.method, loggable_path(), error.description)
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "rerender_on_csrf_error", False) and not is_htmx_partial():
        g.pop("csrf_valid", None)  # the view's own form must see the refusal too
        request.environ["club.csrf_refused"] = True  # nothing it does may be committed (one request only)
        try:
            denied = enforce_access()  # the audience of the view, before anything is shown
            if denied is not None:
                return denied
            return view(**(request.view_args or {}))
        except HTTPException as exc:  # e.g. the rate limit, checked when the view is called
            return http_error(exc)
        except Exception as exc:  # noqa: BLE001 - the refusal stands; the form could not be shown again
            db.session.rollback()
            security_log.warning("CSRF failure on %s %s: form not shown again (%s: %s)", request.method,
                                 loggable_path(), type(exc).__name__, str(exc)[:200])
    return _render(400, csrf=True)


def init_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "before_commit", _no_commit_after_a_refusal):
        event.listen(Session, "before_commit", _no_commit_after_a_refusal)
    app.register_error_handler(StaleDataError, concurrent_write)
    app.register_error_handler(IntegrityError, concurrent_write)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, server_error)
