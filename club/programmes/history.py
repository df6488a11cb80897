"""How the programmes' audit events read (labels of actions and fields)."""

from __future__ import annotations

from club.core import audit  # noqa: F401

# One dict per subject, each kept by its own services module's author.
PROGRAMME_ACTIONS: dict = {}
BENEFICIARY_ACTIONS: dict = {}
AWARD_ACTIONS: dict = {}

# Field labels, by action prefix: {"programme.": {field: label or audit.Field}}, one table per subject.
PROGRAMME_FIELDS: dict = {}
BENEFICIARY_FIELDS: dict = {}
AWARD_FIELDS: dict = {}



def register_labels(hooks) -> None:
    hooks.action_labels({**PROGRAMME_ACTIONS, **BENEFICIARY_ACTIONS, **AWARD_ACTIONS})
    hooks.audit_fields({**PROGRAMME_FIELDS, **BENEFICIARY_FIELDS, **AWARD_FIELDS})
