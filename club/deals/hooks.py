"""What deals add to other pages: home panels, the organisation page, the demo world."""

from __future__ import annotations

import sqlalchemy as sa

from club.core.home import register_home_panel
from club.core.sections import register_section
from club.deals import local_today, queries
from club.deals.models import OPEN_STAGES, STAGE_LABELS, STAGES, Deal
from club.demo import register_demo
from club.extensions import db
from club.permissions import Role


def partner_panel(user) -> dict:
    deals = list(db.session.scalars(queries.visible_deals(user).order_by(Deal.updated_at.desc(), Deal.id.desc())
                                    .limit(10)))
    return {"deals_shared": deals, "deals_stage_labels": STAGE_LABELS}


def secretariat_panel(user) -> dict:
    figures = queries.column_figures()
    today = local_today()
    return {"deals_figures": [(s, STAGE_LABELS[s], figures[s]) for s in STAGES],
            "deals_overdue": queries.overdue_next_steps(today, limit=10),
            "deals_overdue_count": db.session.scalar(
                sa.select(sa.func.count(Deal.id)).where(Deal.next_step_due < today, Deal.stage.in_(OPEN_STAGES)))}


def organisation_section(org, user) -> dict | None:
    if user.role not in (Role.SECRETARIAT, Role.PARTNER):
        return None
    deals = list(db.session.scalars(queries.deals_of_organisation(org.id, user).limit(50)))
    if user.role == Role.PARTNER and not deals:
        return None
    return {"deals": deals, "deals_stage_labels": STAGE_LABELS, "org": org}


register_home_panel(Role.PARTNER, "deals/_home_partner.html", partner_panel)
register_home_panel(Role.SECRETARIAT, "deals/_home_secretariat.html", secretariat_panel)
register_section("organization", "deals/_organization_section.html", organisation_section, order=30)


def _demo() -> list[str]:
    from club.deals.demo import load

    return load()


register_demo("deals", _demo)
