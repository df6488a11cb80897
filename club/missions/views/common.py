"""What the missions' screens share: loading a mission (404 unless the user may see it) and its rows, and
saying who moved up from the waiting list."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import ngettext

from club.extensions import db
from club.missions.models import Mission
from club.permissions import Role, get_visible_or_404

SEEING = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)


def mission_or_404(mission_id: int) -> Mission:
    return get_visible_or_404(Mission, mission_id)


def in_mission_or_404(model, ident, mission: Mission):
    """A child row of ``mission`` (nested URLs must agree), else 404."""
    obj = db.session.get(model, ident)
    if obj is None or obj.mission_id != mission.id:
        abort(404)
    return obj


def promoted_names(promoted) -> tuple[list[str], list[str]]:
    """(names with an email address, names without) of people who moved up from the waiting list; read before the
    commit, which expires them."""
    return ([r.contact.name for r in promoted if r.contact.email],
            [r.contact.name for r in promoted if not r.contact.email])


def flash_promoted(promoted: tuple[list[str], list[str]]) -> None:
    """Say who moved up from the waiting list, and only what is true of their email: it is queued."""
    mailed, unmailed = promoted
    total = len(mailed) + len(unmailed)
    if not total:
        return
    flash(ngettext("%(num)s person promoted from the waiting list: %(names)s.",
                   "%(num)s people promoted from the waiting list: %(names)s.", total,
                   names=", ".join(mailed + unmailed)), "info")
    if mailed:
        flash(ngettext("An email telling them is queued in the outbox.",
                       "Emails telling them are queued in the outbox (%(num)s).", len(mailed)), "info")
    if unmailed:
        flash(ngettext("%(names)s has no email address: tell them yourself.",
                       "%(names)s have no email address: tell them yourself.", len(unmailed),
                       names=", ".join(unmailed)), "warning")


def back_to(mission: Mission, anchor: str = ""):
    return redirect(url_for("missions.detail", mission_id=mission.id) + anchor, 303)
