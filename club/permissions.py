"""Who may reach what.

Every view declares its audience with one of the decorators below; ``enforce_access`` runs before
each request and refuses what is not declared (deny by default). A signed-in user outside the
audience gets 404, so ids cannot be probed; an anonymous visitor is sent to the login page.
Per-object questions are one rule per model, ``Model.visible_to(user)`` (a SQL condition), asked through
``get_visible_or_404`` and ``is_visible`` and used by the list queries.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_login import current_user

from club.extensions import db, login_manager

log = logging.getLogger("club.security")


class Role(enum.StrEnum):
    SECRETARIAT = "secretariat"
    PARTNER = "partner"
    MEMBER = "member"
    APPLICANT = "applicant"


ALL_ROLES = frozenset(Role)
PUBLIC = "public"
ADMIN = "admin"


SECRET_ARGUMENTS = ("token",)


def loggable_path() -> str:
    """The request's path for the log, with any token in it (invitation, confirmation, reset) masked."""
    path = request.path
    for name in SECRET_ARGUMENTS:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, "<" + name + ">")
    return path


def _declare(view: Callable, access) -> Callable:
    view.access = access
    return view


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    return _declare(view, PUBLIC)


def signed_in(view: Callable) -> Callable:
    """Any signed-in user, whatever the role."""
    return _declare(view, ALL_ROLES)


def role_required(*roles: Role | str) -> Callable[[Callable], Callable]:
    allowed = frozenset(Role(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        return _declare(view, allowed)

    return decorator


def admin_required(view: Callable) -> Callable:
    """Secretariat users with ``is_admin``."""
    return _declare(view, ADMIN)


def access_of(endpoint: str | None):
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def may_access(user, access) -> bool:
    """Whether ``user`` (possibly anonymous) is in the declared audience."""
    if access == PUBLIC:
        return True
    if access is None or not user.is_authenticated:
        return False
    if access == ADMIN:
        return user.role == Role.SECRETARIAT and user.is_admin
    return user.role in access


def enforce_access():
    """``before_request`` hook: deny by default."""
    if request.endpoint is None:  # no route matched: Flask answers 404/405 itself
        return None
    access = access_of(request.endpoint)
    if access is None:
        log.error("route %s declares no audience: refused", request.endpoint)
        abort(404)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not may_access(current_user, access):
        log.warning("denied %s %s to user %s", request.method, loggable_path(), current_user.id)
        abort(404)
    return None


def is_secretariat(user) -> bool:
    return user.is_authenticated and user.role == Role.SECRETARIAT


def visible(model, user):
    """The SQL condition for the rows of ``model`` that ``user`` may see: the model's one visibility rule
    (``Model.visible_to(user)``, a class-level condition), used by ``get_visible_or_404``, ``is_visible`` and
    the domains' list queries alike."""
    if user is None or not getattr(user, "is_authenticated", False):
        # A model with pages for visitors (an open call) says which rows they see; others show them nothing.
        return model.visible_to_visitors() if hasattr(model, "visible_to_visitors") else sa.false()
    return model.visible_to(user)


def get_visible_or_404(model, ident, user=None, *, options=()):
    """Load ``model`` by primary key, 404 when missing or not visible to ``user``; ``options``: loader options
    (``selectinload(...)``) for what the page shows."""
    user = user if user is not None else current_user
    obj = db.session.scalar(sa.select(model).where(model.id == ident, visible(model, user)).options(*options))
    if obj is None:
        log.warning("denied or missing %s %s for user %s", model.__name__, ident, getattr(user, "id", None))
        abort(404)
    return obj


def is_visible(obj, user) -> bool:
    """Whether ``user`` may see ``obj`` (already loaded), by its model's one rule, asked of the database."""
    model = type(obj)
    return bool(db.session.scalar(sa.select(sa.literal(True)).where(model.id == obj.id, visible(model, user))))


def roles_in(values: Iterable[str]) -> frozenset[Role]:
    return frozenset(Role(v) for v in values)
