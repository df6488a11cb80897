"""What missions add to the app: the navigation entry, home panels, sections on the organisation and deal pages,
the global search's "missions" group, how its events read, the demo, the CLI."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from club.core.registry import SearchProvider, registry
from club.extensions import db
from club.missions import cli, demo, history, jobs, queries  # noqa: F401  (jobs: the periodic reminders)
from club.missions.models import REGISTRATION_STATUS_LABELS
from club.permissions import Role

SEEING = (Role.SECRETARIAT, Role.MEMBER, Role.PARTNER)


def organization_section(org, user):
    if user.role not in SEEING:
        return None
    data = queries.organization_missions(org.id, user)
    return data if any(data.values()) else None


def deal_section(deal, user):
    """On the deal page: the missions the deal came from (those the user may see)."""
    if user.role not in SEEING:
        return None
    missions = queries.missions_of_deal(deal.id, user)
    return {"missions": missions} if missions else None


def _upcoming(user, limit: int = 5):
    return db.session.execute(queries.mission_list(user, when="upcoming").limit(limit)).all()


def member_panel(user):
    return {"upcoming": _upcoming(user), "mine": queries.upcoming_registrations_of(user),
            "status_labels": REGISTRATION_STATUS_LABELS}


def partner_panel(user):
    return {"upcoming": _upcoming(user, 10)}


def secretariat_panel(user):
    return {"upcoming": _upcoming(user, 8)}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("missions.index", _l("Missions"), order=40)
    hooks.section("organization", "missions/_organization_section.html", organization_section, order=60)
    hooks.section("deal", "missions/_deal_section.html", deal_section, order=60)
    hooks.home_panel(Role.MEMBER, "missions/_home_member.html", member_panel)
    hooks.home_panel(Role.PARTNER, "missions/_home_partner.html", partner_panel)
    hooks.home_panel(Role.SECRETARIAT, "missions/_home_secretariat.html", secretariat_panel, shared=True)
    # The missions list has no search box: the group shows the first hits, no link to more.
    hooks.search(SearchProvider("missions", _l("Missions"), queries.search_missions, order=40))
    hooks.demo("missions", demo.load)
    history.register_labels(hooks)
    app.cli.add_command(cli.missions_cli)
