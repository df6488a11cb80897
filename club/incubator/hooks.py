"""What the incubator adds to other pages: home panels, the organisation page section, the demo world."""

from __future__ import annotations

from club.core.home import register_home_panel
from club.core.sections import register_section
from club.demo import register_demo
from club.incubator import queries
from club.incubator.demo import load as load_demo
from club.incubator.models import STATUS_LABELS
from club.permissions import Role


def _applicant_panel(user) -> dict:
    return {"applications": queries.applications_of(user), "open_calls": queries.open_calls(),
            "status_labels": STATUS_LABELS}


def _reviewer_panel(user) -> dict:
    return {"assignments": queries.assignments_of(user, pending_only=True)}


def _secretariat_panel(user) -> dict:
    rows, total = queries.to_screen()
    return {"to_screen": rows, "to_screen_total": total, "assignments": queries.assignments_of(user, pending_only=True),
            "status_labels": STATUS_LABELS}


def _organization_section(org, user):
    if not (user.is_authenticated and user.role == Role.SECRETARIAT):
        return None
    rows = queries.organization_applications(org.id)
    if not rows:
        return None
    return {"applications": rows, "status_labels": STATUS_LABELS}


register_home_panel(Role.APPLICANT, "incubator/_home_applicant.html", _applicant_panel)
register_home_panel(Role.PARTNER, "incubator/_home_reviewer.html", _reviewer_panel)
register_home_panel(Role.SECRETARIAT, "incubator/_home_secretariat.html", _secretariat_panel)
register_section("organization", "incubator/_organization_section.html", _organization_section, order=30)
register_demo("incubator", load_demo)
