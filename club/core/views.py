"""Home per role, language switch, health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from club.core import bp
from club.core import search as search_module
from club.core.home import home_context
from club.core.jobs import last_heartbeat, worker_alive
from club.extensions import db
from club.forms import LanguageForm
from club.htmx import render_page_or_partial
from club.permissions import public, signed_in
from club.security import safe_next


@bp.route("/")
@signed_in
def index():
    role = current_user.role.value
    return render_template(f"core/home_{role}.html", **home_context(current_user))


@bp.route("/search")
@signed_in
def search():
    """Everything the user may see that matches: a page without JavaScript, live results under the header's
    box with htmx (the same URL answers the fragment)."""
    term = search_module.clean(request.args.get("q"))
    groups = search_module.search(term, current_user)
    response = render_page_or_partial("core/search.html", "core/_search_results.html", term=term, groups=groups,
                                      searchable=search_module.searchable(term),
                                      min_length=search_module.MIN_LENGTH)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/language", methods=["POST"])
@public
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated and current_user.locale != form.locale.data:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect(safe_next(form.next.data, url_for("core.index")), 303)


def _rate_limits_shared() -> bool:
    """True when the rate-limit store (Redis) answers, or when none is configured (memory by design)."""
    from flask import current_app

    from club.extensions import limiter

    if current_app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        return True
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - unreachable is the answer, not an error
        return False


_HEALTH: list = [0.0, None]  # (until when, the answer) of this process


@bp.route("/healthz")
@public
def healthz():
    """The database, the rate limits' store and the worker, as a monitor polls them. The answer is kept a second
    per process (``HEALTHZ_CACHE_SECONDS``; none under ``TESTING``): a monitor hitting it hundreds of times a second
    costs one query a second, and a failure shows within that second."""
    import time

    seconds = current_app.config.get("HEALTHZ_CACHE_SECONDS")
    if seconds is None:
        seconds = 0 if current_app.testing else 1.0
    now = time.monotonic()
    if seconds and _HEALTH[1] is not None and now < _HEALTH[0]:
        return _HEALTH[1]
    answer = _health()
    _HEALTH[:] = [now + seconds, answer]
    return answer


def _health():
    try:
        seen = last_heartbeat()  # one query: it answers for the database too
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable"}, 503
    problems = {}
    if not _rate_limits_shared():
        # Still serving: sign-in limits are counted in each process's memory until Redis is back.
        problems["rate_limits"] = "memory (Redis unreachable)"
    if not worker_alive(seen):
        # Still serving: mail and reminders wait in the database until a worker runs again.
        problems["worker"] = f"not seen since {seen.isoformat()}" if seen else "never seen"
    if problems:
        return {"status": "degraded", **problems}
    return {"status": "ok"}
