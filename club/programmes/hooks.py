"""What programmes add to the app: the navigation entries, the organisation page's sections (programmes led or
supported, awards), the secretariat's home panel, the global search's groups, how its events read, the demo."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core.registry import registry
from club.programmes import demo, history


def _programme_hooks(hooks) -> None:
    """Programmes: the organisation page's section, the mission page's follow-up actions, the home panels of the
    secretariat and of the lead's people, the search group, and how audit events name programmes and reports."""
    from flask import url_for

    from club.core.registry import SearchProvider
    from club.permissions import Role
    from club.programmes.models import PARTNER_ROLE_LABELS
    from club.programmes.queries import programmes as queries

    seeing = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)

    def organization_section(org, user):
        if user.role not in seeing:
            return None
        rows = queries.organization_programmes(org.id, user)
        return {"programmes": rows, "organization": org, "role_labels": PARTNER_ROLE_LABELS} if rows else None

    def mission_actions_section(mission, user):
        if user.role not in seeing:
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

    hooks.section("organization", "programmes/_organization_section.html", organization_section, order=65)
    hooks.section("mission_actions", "programmes/_mission_actions.html", mission_actions_section)
    hooks.home_panel(Role.SECRETARIAT, "programmes/_home_secretariat.html", secretariat_panel, order=45)
    hooks.home_panel(Role.MEMBER, "programmes/_home_member.html", member_panel, order=45)
    hooks.search(SearchProvider("programmes", _l("Programmes"), queries.search, order=50,
                                more=lambda term: url_for("programmes.index", q=term)))
    hooks.subject("programmes", queries.resolve)
    hooks.subject("programme_reports", queries.resolve_reports)


def _beneficiary_hooks(hooks) -> None:
    """Beneficiaries: nothing outside the programme's pages (personal data stays there)."""


def _award_hooks(hooks) -> None:
    """Awards: the navigation entry, the organisation page's section, the search group."""


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("programmes.index", _l("Programmes"), order=50)
    _programme_hooks(hooks)
    _beneficiary_hooks(hooks)
    _award_hooks(hooks)
    hooks.demo("programmes", demo.load)
    history.register_labels(hooks)
