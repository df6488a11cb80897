"""What members add to the app: the navigation entry, home panels, the global search's group, the phone filter,
how its events read, the demo, the CLI."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from club.core.registry import SearchProvider, registry
from club.members import cli, demo, jobs, labels, merging, phones, queries  # noqa: F401  (jobs: the dues and renewal reminders)
from club.members import documents as org_documents
from club.members.views.documents import documents_section
from club.permissions import Role


def secretariat_panel(user) -> dict:
    from club.core.timezones import local_today

    stats = queries.secretariat_stats()
    stats["renewals_due"], stats["renewals_overdue"] = queries.renewals_due_count(local_today())
    return {"members_stats": stats}


# --- Dues follow-up, tiers and renewals: how their events read -------------------------------------------------

DUES_ACTION_LABELS = {
    "tier.created": _l("Membership tier created"),
    "tier.updated": _l("Membership tier changed"),
    "membership.renewed": _l("Membership renewed"),
    "membership.ended": _l("Membership ended"),
    "membership.renewal_reminded": _l("Renewal reminder sent"),
}


def dues_audit_fields() -> dict:
    from club.core import audit

    return {
        "membership.": {
            "renews_on": audit.Field(_l("Renews on"), audit.date),
            "reason": _l("Reason"),
            "dues_year": audit.Field(_l("Dues invoiced for"), str),
            "to": _l("Sent to"),
        },
        "tier.": {
            "name": _l("Name"),
            "annual_fee": audit.Field(_l("Annual fee"), audit.money),
            "period_months": audit.Field(_l("Period (months)"), audit.number),
            "position": audit.Field(_l("Position"), audit.number),
            "is_active": audit.Field(_l("Offered to new members"), audit.yes_no),
        },
    }


def tier_subjects(ids, user) -> dict:
    """The tiers of the audit events ``user`` reads (the secretariat), linking to the tiers page."""
    import sqlalchemy as sa

    from club.extensions import db
    from club.members.models import MembershipTier
    from club.permissions import visible

    rows = db.session.execute(sa.select(MembershipTier.id, MembershipTier.name)
                              .where(MembershipTier.id.in_(ids), visible(MembershipTier, user)))
    return {row.id: (row.name, url_for("members.tier_edit", tier_id=row.id)) for row in rows}


def member_panel(user) -> dict:
    return {"member_org": queries.member_stats(user)}


def register_filtered_by(term: str) -> str:
    """All the results of the members group: the register, filtered by the term."""
    return url_for("members.index", q=term)


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("members.index", _l("Members"), order=10)
    hooks.home_panel(Role.SECRETARIAT, "members/_home_secretariat.html", secretariat_panel, shared=True)
    hooks.home_panel(Role.MEMBER, "members/_home_member.html", member_panel)
    hooks.search(SearchProvider("members", _l("Members"), queries.search, order=10, more=register_filtered_by))
    hooks.demo("members", demo.load)
    hooks.action_labels(labels.ACTION_LABELS)
    hooks.audit_fields(labels.AUDIT_FIELDS)
    hooks.action_labels(merging.ACTION_LABELS)
    hooks.audit_fields(merging.AUDIT_FIELDS)
    hooks.subject("organizations", labels.organisation_subjects)
    hooks.action_labels(DUES_ACTION_LABELS)
    hooks.audit_fields(dues_audit_fields())
    hooks.subject("membership_tiers", tier_subjects)
    app.add_template_filter(phones.display, "phone")
    app.cli.add_command(cli.members_cli)
    # Organisation documents and dues receipts.
    hooks.action_labels(org_documents.ACTION_LABELS)
    hooks.audit_fields(org_documents.AUDIT_FIELDS)
    app.add_template_global(documents_section, "org_documents")
