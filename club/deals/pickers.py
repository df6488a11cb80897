"""A deal typed by its title (a mission's "deals it led to"): the organisation picker's way
(``club.members.pickers``), over the deals the user may see, "Title — Target" as suggested."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from club.core.text import contains_folded, fold
from club.deals.models import STAGE_LABELS, Deal
from club.extensions import db
from club.members.models import Organization
from club.members.pickers import MAX_TYPED, PICKS, OrganizationField, Pick
from club.permissions import visible

LABEL = " — "  # "Title — Target organisation"
SEVERAL_DEALS = _l("Several deals match: choose one below, or type more of the title.")
NO_DEAL = _l("No deal of that title.")


def deal_label(title: str, target: str) -> str:
    return f"{title}{LABEL}{target}"


def _columns():
    return (sa.select(Deal.id, Deal.title, Deal.stage, Organization.name.label("target"))
            .join(Organization, Organization.id == Deal.target_id))


def deal_suggestions(term: str, user, *, limit: int = PICKS) -> list:
    """At most ``limit`` deals ``user`` may see whose title or target's name holds every word of ``term``, the
    newest first (a walk of the deals' key that stops at ``limit`` rows): rows of (id, title, stage, target)."""
    words = fold(" ".join((term or "").replace(LABEL.strip(), " ").split())[:MAX_TYPED]).split()[:4]
    if not words or sum(len(w) for w in words) < 2:
        return []
    match = [sa.or_(contains_folded(Deal.title, w), contains_folded(Organization.name, w)) for w in words]
    return db.session.execute(_columns().where(visible(Deal, user), *match)
                              .order_by(Deal.id.desc()).limit(limit)).all()


def resolve_deal(text: str, user) -> tuple[int | None, list, str | None]:
    """What a typed "Title — Target" (or a part of it) picks, as ``club.members.pickers.resolve``."""
    text = " ".join((text or "").split())[:MAX_TYPED]
    if not text:
        return None, [], None
    title, _, target = text.rpartition(LABEL)
    exact = db.session.execute(_columns().where(visible(Deal, user), Deal.title == title, Organization.name == target)
                               .limit(PICKS + 1)).all() if title else []
    found = exact or deal_suggestions(text, user, limit=PICKS + 1)
    if len(found) == 1:
        return found[0].id, [], None
    if found:
        return None, [Pick(row.id, row.title, f"{row.target}, {STAGE_LABELS[row.stage]}") for row in found[:PICKS]], \
            SEVERAL_DEALS
    return None, [], NO_DEAL


class DealField(OrganizationField):
    """One deal the user may see, typed by its title or its target's name; ``data`` is its id."""

    @property
    def url(self) -> str:
        return url_for("deals.deal_picks")

    def _names(self, ids) -> dict[int, str]:
        ids = [i for i in ids if i is not None]
        rows = db.session.execute(_columns().where(Deal.id.in_(ids), visible(Deal, current_user))).all() if ids else []
        return {row.id: deal_label(row.title, row.target) for row in rows}

    def _allowed(self, ident: int) -> bool:
        return bool(self._names([ident]))

    def _resolve(self, text: str):
        return resolve_deal(text, current_user)
