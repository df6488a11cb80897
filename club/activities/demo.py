"""The demo's activities (invented): on Saccom, a call, a meeting, a note shared with its members, an open task
owned by the secretariat's demo user and another one already overdue, logged through the services."""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from club.activities import services
from club.activities.models import Activity, ActivityKind
from club.auth.models import User
from club.core.timezones import local_today
from club.extensions import db
from club.members.models import Contact
from club.members.queries import organisation_named
from club.permissions import Role

DEMO_USER = "secretariat@club.example"


def load() -> list[str]:
    saccom = organisation_named("Saccom")
    staff = db.session.scalar(sa.select(User).where(User.email == DEMO_USER)) or db.session.scalar(
        sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id).limit(1))
    if saccom is None or staff is None:
        return []
    if db.session.scalar(sa.select(Activity.id).where(Activity.organization_id == saccom.id).limit(1)):
        return []
    contacts = {c.name: c.id for c in db.session.scalars(sa.select(Contact).where(Contact.organization_id == saccom.id))}
    ceo = contacts.get("Moulay Zine El Oudghiri")
    liaison = contacts.get("Nadia Amrani")
    today = local_today()
    entries = [
        services.ActivityData(kind=ActivityKind.CALL, occurred_on=today - timedelta(days=12), occurred_time=time(10, 30),
                              subject="Recrutements du second semestre",
                              body="Saccom prévoit 60 recrutements à Oujda ; demande un contact à l'ANAPEC.",
                              contact_id=ceo, user_ids=(staff.id,), contact_ids=tuple(c for c in (ceo,) if c)),
        services.ActivityData(kind=ActivityKind.MEETING, occurred_on=today - timedelta(days=7),
                              occurred_time=time(15, 0), subject="Réunion au siège du Club",
                              body="Point sur la convention de formation et le prochain Siccam.", contact_id=liaison,
                              user_ids=(staff.id,), contact_ids=tuple(c for c in (ceo, liaison) if c)),
        services.ActivityData(kind=ActivityKind.NOTE, occurred_on=today - timedelta(days=6),
                              subject="Compte rendu partagé de la réunion",
                              body="Le Club transmettra la liste des centres de formation partenaires.", shared=True),
        services.ActivityData(kind=ActivityKind.TASK, occurred_on=today - timedelta(days=6),
                              subject="Envoyer la liste des centres de formation", contact_id=liaison,
                              owner_id=staff.id, due_on=today + timedelta(days=3)),
        services.ActivityData(kind=ActivityKind.TASK, occurred_on=today - timedelta(days=12),
                              subject="Mettre l'ANAPEC en relation avec Saccom", contact_id=ceo, owner_id=staff.id,
                              due_on=today - timedelta(days=2)),
    ]
    for data in entries:
        services.log_activity(saccom, data, by=staff)
    return [f"activities added: {len(entries)}"]
