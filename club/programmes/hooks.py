"""What programmes add to the app: the navigation entry, the organisation page's sections (programmes led or
supported, awards), the mission page's follow-up actions, the home panels, the global search's groups, how its
audit events read and name their objects, the demo."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from club.core.registry import SearchProvider, registry
from club.extensions import db
from club.permissions import Role, visible
from club.programmes import demo, history
from club.programmes.models import PARTNER_ROLE_LABELS, Beneficiary
from club.programmes.queries import awards as award_queries
from club.programmes.queries import programmes as queries

SEEING = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)


def organization_programmes(org, user):
    """The programmes the organisation leads or supports, those ``user`` may see."""
    if user.role not in SEEING:
        return None
    rows = queries.organization_programmes(org.id, user)
    return {"programmes": rows, "organization": org, "role_labels": PARTNER_ROLE_LABELS} if rows else None


def organization_awards(org, user):
    """The organisation's awards and its contacts' (None: nothing to show, or an applicant)."""
    if user.role not in SEEING:
        return None
    found = award_queries.organization_awards(org.id, user)
    return {"awards": found} if found else None


def mission_actions(mission, user):
    """On the mission page: each follow-up action, the programme it became, or (secretariat) a button to make it one."""
    if user.role not in SEEING:
        return None
    rows = queries.action_programmes(mission.id, user)
    staff = user.role == Role.SECRETARIAT
    shown = [(action, programme) for action, programme in rows if programme is not None or staff]
    return {"rows": shown, "staff": staff} if shown else None


def secretariat_panel(user):
    return {"rows": queries.panel_rows(user)}


def member_panel(user):
    if not user.organization_id:
        return {"rows": []}
    return {"rows": queries.panel_rows(user, lead_organization_id=user.organization_id)}


def people(ids, user) -> dict:
    """Audit subjects: the beneficiaries among ``ids`` that ``user`` may see, by the one rule (one query); their
    personal data is named to the secretariat and the programme's lead only."""
    rows = db.session.execute(sa.select(Beneficiary.id, Beneficiary.programme_id, Beneficiary.name)
                              .where(Beneficiary.id.in_(ids), visible(Beneficiary, user)))
    return {ident: (name, url_for("programmes.beneficiary", programme_id=programme_id, beneficiary_id=ident))
            for ident, programme_id, name in rows}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("programmes.index", _l("Programmes"), order=50)
    hooks.section("organization", "programmes/_organization_section.html", organization_programmes, order=65)
    hooks.section("organization", "programmes/_organization_awards.html", organization_awards, order=70)
    hooks.section("mission_actions", "programmes/_mission_actions.html", mission_actions)
    hooks.home_panel(Role.SECRETARIAT, "programmes/_home_secretariat.html", secretariat_panel, order=45, shared=True)
    hooks.home_panel(Role.MEMBER, "programmes/_home_member.html", member_panel, order=45)
    hooks.search(SearchProvider("programmes", _l("Programmes"), queries.search, order=50,
                                more=lambda term: url_for("programmes.index", q=term)))
    hooks.search(SearchProvider("awards", _l("Awards"), award_queries.search, order=55,
                                more=lambda term: url_for("programmes.awards", q=term)))
    hooks.subject("programmes", queries.resolve)
    hooks.subject("programme_reports", queries.resolve_reports)
    hooks.subject(Beneficiary.__tablename__, people)
    hooks.subject("awards", award_queries.subjects)
    hooks.demo("programmes", demo.load)
    history.register_labels(hooks)
