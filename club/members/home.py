"""The members module's navigation entry and home panels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from club.core.home import register_home_panel
from club.navigation import register_nav
from club.permissions import Role

register_nav("members.index", _l("Members"), order=10)


def _secretariat_panel(user) -> dict:
    from club.members.queries import secretariat_stats

    return {"members_stats": secretariat_stats()}


def _member_panel(user) -> dict:
    from club.members.queries import member_stats

    return {"member_org": member_stats(user)}


register_home_panel(Role.SECRETARIAT, "members/_home_secretariat.html", _secretariat_panel)
register_home_panel(Role.MEMBER, "members/_home_member.html", _member_panel)
