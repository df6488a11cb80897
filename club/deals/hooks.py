"""What deals add to other pages: home panels, the organisation page, the global search, the demo world, how
its history reads."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from club.auth.models import User
from club.core import audit
from club.core.registry import SearchProvider, registry
from club.core.timezones import local_today
from club.deals import cli, demo, jobs, queries, services  # noqa: F401  (jobs: the periodic reminder)
from club.deals.models import (
    DECISION_LABELS,
    KIND_LABELS,
    STAGE_LABELS,
    STAGES,
    VERDICT_LABELS,
)
from club.extensions import db
from club.members.models import Organization
from club.permissions import Role


def partner_panel(user) -> dict:
    deals = list(db.session.scalars(queries.shared_deals(user).limit(10)))
    return {"deals_shared": deals, "deals_stage_labels": STAGE_LABELS}


def secretariat_panel(user) -> dict:
    figures = queries.column_figures()
    today = local_today()
    return {"deals_figures": [(s, STAGE_LABELS[s], figures[s]) for s in STAGES],
            "deals_overdue": queries.overdue_next_steps(today, limit=10),
            "deals_overdue_count": queries.overdue_count(today)}


def organisation_section(org, user) -> dict | None:
    """The deals ``org`` is party to, as ``user`` may see them; an empty section only for the secretariat."""
    deals = list(db.session.scalars(queries.deals_of_organisation(org.id, user).limit(50)))
    if not deals and user.role != Role.SECRETARIAT:
        return None
    return {"deals": deals, "deals_stage_labels": STAGE_LABELS, "org": org}


# How the fields of the deals' audit events read.
AUDIT_FIELDS = {
    "deal.": {
        "title": _l("Title"),
        "kind": audit.Field(_l("Kind"), KIND_LABELS),
        "target_id": audit.Field(_l("Target"), audit.name_of(Organization)),
        "amount": audit.Field(_l("Amount"), audit.money),
        "stake": audit.Field(_l("Stake"), audit.percent),
        "owner_id": audit.Field(_l("Owner"), audit.name_of(User)),
        "summary": _l("Summary"),
        "expected_close": audit.Field(_l("Expected close"), audit.date),
        "next_step": _l("Next step"),
        "next_step_due": audit.Field(_l("Next step due"), audit.date),
        "signed_on": audit.Field(_l("Signed on"), audit.date),
        "announced_on": audit.Field(_l("Announced on"), audit.date),
        "investors": _l("Investors"),
        "signatories": _l("Signatories"),
        "stage": audit.Field(_l("Stage"), STAGE_LABELS),
        "drop_reason": _l("Reason for dropping"),
        "document": _l("Document"),
        "shared_with": _l("Shared with"),
        "opinions_open": audit.Field(_l("Opinions shown to partners"), audit.yes_no),
        "verdict": audit.Field(_l("Opinion"), VERDICT_LABELS),
        "comment": _l("Comment"),
        "meeting": audit.Field(_l("Meeting"), audit.date),
        "quorum_reached": audit.Field(_l("Quorum reached"), audit.yes_no),
        "decision": audit.Field(_l("Decision"), DECISION_LABELS),
        "deals": _l("Deals"),
    },
}


def _deals(ids, user) -> dict:
    """The deals of an audit trail that ``user`` may see, filtered by the visibility rule in SQL."""
    return {i: (title, url_for("deals.detail", deal_id=i)) for i, title in queries.titles(ids, user).items()}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("deals.index", _l("Deals"), order=30)
    hooks.home_panel(Role.PARTNER, "deals/_home_partner.html", partner_panel)
    hooks.home_panel(Role.SECRETARIAT, "deals/_home_secretariat.html", secretariat_panel, shared=True)
    hooks.section("organization", "deals/_organization_section.html", organisation_section, order=30)
    hooks.search(SearchProvider("deals", _l("Deals"), queries.search, order=30))  # the table has no text filter
    hooks.demo("deals", demo.load)
    hooks.action_labels(services.ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    hooks.subject("deals", _deals)
    app.cli.add_command(cli.deals_cli)
