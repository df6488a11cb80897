"""How the programmes' audit events read (labels of actions and fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from club.core import audit
from club.members.models import Contact, Organization
from club.members.phones import display as display_phone
from club.programmes.models import (
    AGE_BAND_LABELS,
    AWARD_CATEGORY_LABELS,
    BENEFICIARY_STATUS_LABELS,
    GENDER_LABELS,
)

# One dict per subject, each kept by its own services module's author.
PROGRAMME_ACTIONS: dict = {}
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
PROGRAMME_FIELDS: dict = {}
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
