"""How the programmes' audit events read (labels of actions and fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from club.core import audit
from club.members.models import PROVINCE_LABELS, Contact, Organization
from club.members.phones import display as display_phone
from club.programmes.models import (
    AGE_BAND_LABELS,
    AWARD_CATEGORY_LABELS,
    BENEFICIARY_STATUS_LABELS,
    GENDER_LABELS,
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
BENEFICIARY_ACTIONS: dict = {
    "beneficiary.enrol": _l("Person enrolled"),
    "beneficiary.import": _l("Person enrolled by a CSV import"),
    "beneficiary.update": _l("Person's record edited"),
    "beneficiary.step": _l("Step of the path"),
    "beneficiary.place": _l("Placement recorded"),
    "beneficiary.counted": _l("Placement counted in the employer's jobs"),
}
AWARD_ACTIONS: dict = {
    "award.create": _l("Award recorded"),
    "award.update": _l("Award edited"),
    "award.delete": _l("Award deleted"),
}

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
BENEFICIARY_FIELDS: dict = {
    "beneficiary.": {
        "name": _l("Name"),
        "birth_year": audit.Field(_l("Birth year"), str),
        "age_band": audit.Field(_l("Age band"), AGE_BAND_LABELS),
        "gender": audit.Field(_l("Gender"), GENDER_LABELS),
        "commune": _l("Commune"),
        "phone": audit.Field(_l("Phone"), display_phone),
        "email": _l("Email"),
        "consent_on": audit.Field(_l("Consent given on"), audit.date),
        "enrolled_on": audit.Field(_l("Enrolled on"), audit.date),
        "status": audit.Field(_l("Status"), BENEFICIARY_STATUS_LABELS),
        "trained_on": audit.Field(_l("Trained on"), audit.date),
        "placed_on": audit.Field(_l("Placed on"), audit.date),
        "left_on": audit.Field(_l("Left on"), audit.date),
        "employer": _l("Employer"),
        "in_register": audit.Field(_l("Employer in the register"), audit.yes_no),
        "jobs_created": audit.Field(_l("Jobs created to date"), audit.number),
        "reported_on": audit.Field(_l("Report dated"), audit.date),
        "file": _l("File"),
    },
}
AWARD_FIELDS: dict = {
    "award.": {
        "title": _l("Title"),
        "occasion": _l("Occasion"),
        "category": audit.Field(_l("Category"), AWARD_CATEGORY_LABELS),
        "awarded_on": audit.Field(_l("Date"), audit.date),
        "citation": _l("Citation"),
        "mission_id": audit.Field(_l("Mission"), audit.name_of("missions", "title")),
        "organization_id": audit.Field(_l("Organisation"), audit.name_of(Organization)),
        "contact_id": audit.Field(_l("Contact"), audit.name_of(Contact)),
        "person_name": _l("Person outside the register"),
        "person_country": _l("Country"),
        "recipient": _l("Recipient"),
    },
}



def register_labels(hooks) -> None:
    hooks.action_labels({**PROGRAMME_ACTIONS, **BENEFICIARY_ACTIONS, **AWARD_ACTIONS})
    hooks.audit_fields({**PROGRAMME_FIELDS, **BENEFICIARY_FIELDS, **AWARD_FIELDS})
