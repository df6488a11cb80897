"""How the programmes' audit events read (labels of actions and fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from club.core import audit
from club.members.models import Contact, Organization
from club.programmes.models import AWARD_CATEGORY_LABELS

# One dict per subject, each kept by its own services module's author.
PROGRAMME_ACTIONS: dict = {}
BENEFICIARY_ACTIONS: dict = {}
AWARD_ACTIONS: dict = {
    "award.create": _l("Award recorded"),
    "award.update": _l("Award edited"),
    "award.delete": _l("Award deleted"),
}

# Field labels, by action prefix: {"programme.": {field: label or audit.Field}}, one table per subject.
PROGRAMME_FIELDS: dict = {}
BENEFICIARY_FIELDS: dict = {}
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
