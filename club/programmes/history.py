"""How the programmes' audit events read (labels of actions and fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from club.core import audit
from club.members.models import PROVINCE_LABELS, Organization
from club.programmes.models import (
    KIND_LABELS,
    MEASURE_LABELS,
    MILESTONE_STATUS_LABELS,
    PARTNER_ROLE_LABELS,
    REPORT_STATE_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
)

# One dict per subject, each kept by its own services module's author.
PROGRAMME_ACTIONS: dict = {
    "programme.create": _l("Programme created"),
    "programme.update": _l("Programme edited"),
    "programme.state": _l("Programme state changed"),
    "programme.partner_add": _l("Partner added"),
    "programme.partner_update": _l("Partner changed"),
    "programme.partner_remove": _l("Partner removed"),
    "programme.indicator_add": _l("Indicator added"),
    "programme.indicator_update": _l("Indicator edited"),
    "programme.indicator_remove": _l("Indicator removed"),
    "programme.figure_add": _l("Figure recorded"),
    "programme.milestone_add": _l("Milestone added"),
    "programme.milestone_update": _l("Milestone edited"),
    "programme.report_create": _l("Progress report written"),
    "programme.report_update": _l("Progress report edited"),
    "programme.report_submit": _l("Progress report submitted"),
    "programme.report_accept": _l("Progress report accepted"),
    "programme.report_changes": _l("Changes requested on a progress report"),
    "programme.document_add": _l("Document added"),
}
BENEFICIARY_ACTIONS: dict = {}
AWARD_ACTIONS: dict = {}

# Field labels, by action prefix: {"programme.": {field: label or audit.Field}}, one table per subject.
PROGRAMME_FIELDS: dict = {
    "programme.": {
        "title": _l("Title"),
        "kind": audit.Field(_l("Kind"), KIND_LABELS),
        "lead_organization_id": audit.Field(_l("Lead organisation"), audit.name_of(Organization)),
        "province": audit.Field(_l("Province"), PROVINCE_LABELS),
        "communes": _l("Communes"),
        "starts_on": audit.Field(_l("Starts on"), audit.date),
        "ends_on": audit.Field(_l("Ends on"), audit.date),
        "summary": _l("Public description"),
        "objectives": _l("Objectives"),
        "budget": audit.Field(_l("Budget"), audit.money),
        "mission_action": _l("From the follow-up action"),
        "state": audit.Field(_l("State"), STATE_LABELS),
        "partner": _l("Partner"),
        "role": audit.Field(_l("Role"), PARTNER_ROLE_LABELS),
        "funding": audit.Field(_l("Funding share"), audit.money),
        "indicator": _l("Indicator"),
        "name": _l("Name"),
        "source": audit.Field(_l("Result from"), SOURCE_LABELS),
        "measure": audit.Field(_l("Counting"), MEASURE_LABELS),
        "target": audit.Field(_l("Target"), audit.number),
        "target_on": audit.Field(_l("Target date"), audit.date),
        "value": audit.Field(_l("Figure"), audit.number),
        "measured_on": audit.Field(_l("Date"), audit.date),
        "milestone": _l("Milestone"),
        "due_on": audit.Field(_l("Due on"), audit.date),
        "done_on": audit.Field(_l("Done on"), audit.date),
        "status": audit.Field(_l("Status"), MILESTONE_STATUS_LABELS),
        "document": _l("Document"),
    },
    "programme.report_": {
        "state": audit.Field(_l("State"), REPORT_STATE_LABELS),
        "period_start": audit.Field(_l("Period from"), audit.date),
        "period_end": audit.Field(_l("Period to"), audit.date),
        "summary": _l("What was done"),
        "difficulties": _l("Difficulties"),
        "next_steps": _l("Next steps"),
        "review_note": _l("What should change"),
    },
}
BENEFICIARY_FIELDS: dict = {}
AWARD_FIELDS: dict = {}



def register_labels(hooks) -> None:
    hooks.action_labels({**PROGRAMME_ACTIONS, **BENEFICIARY_ACTIONS, **AWARD_ACTIONS})
    hooks.audit_fields({**PROGRAMME_FIELDS, **BENEFICIARY_FIELDS, **AWARD_FIELDS})
