"""The segments part of the demo world: three tags on the article's organisations and one shared segment.

- "Siccam 2020": the organisations the article shows at the 17th Siccam (Oujda, July 2020): Intelcia, Notoriety,
  Saccom, Eca groupe, and the Siccam itself.
- "Centre d'appels": the call centres of the register, tagged by one bulk action (its page lists them).
- "Jerada": Saccom, which leads the Jerada youth activity (see the programmes' demo), and its contact there.
- The shared segment "Centres d'appels actifs à Oujda-Angad" (kind call centre, status active, province
  Oujda-Angad), saved by the secretariat.

Idempotent: tags and the segment are found by name. Written through the services.
"""

from __future__ import annotations

import sqlalchemy as sa

from club.auth.models import User
from club.extensions import db
from club.members.models import Contact, OrgKind, organization_tags
from club.members.queries import RegisterFilters, organisation_named
from club.permissions import Role
from club.segments import queries, services
from club.segments.models import BulkAction, BulkKind, Segment

SEGMENT = "Centres d'appels actifs à Oujda-Angad"
TAGS = {
    "Siccam 2020": ("blue", ["Intelcia", "Notoriety", "Saccom", "Eca groupe", "Siccam"]),
    "Centre d'appels": ("green", None),  # every call centre, through a bulk action
    "Jerada": ("yellow", ["Saccom"]),
}


def load() -> list[str]:
    staff = db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id).limit(1))
    if staff is None:
        return []
    done = []
    for name, (colour, organisations) in TAGS.items():
        tag = queries.tag_named(name) or services.create_tag(name, colour, by=staff)
        if organisations is None:
            if db.session.scalar(sa.select(BulkAction.id).where(BulkAction.tag_id == tag.id)) is None:
                bulk = services.start_bulk(BulkKind.TAG, RegisterFilters(kind=OrgKind.CALL_CENTER.value), None,
                                           tag=tag, audience="Centres d'appels", by=staff)
                services.run_all(bulk)
                done.append(f"tag {name}: {bulk.changed} organisations (bulk action)")
            continue
        found = [org for org in map(organisation_named, organisations) if org is not None]
        tagged = set(db.session.scalars(sa.select(organization_tags.c.organization_id)
                                        .where(organization_tags.c.tag_id == tag.id)))
        for org in found:
            if org.id not in tagged:
                services.tag_organization(org, name, by=staff)
        done.append(f"tag {name}: {len(found)} organisations")
    saccom = organisation_named("Saccom")
    if saccom is not None:
        contact = db.session.scalar(sa.select(Contact).where(Contact.organization_id == saccom.id,
                                                             Contact.is_primary.is_(True)))
        if contact is not None:
            services.tag_contact(contact, "Jerada", by=staff)
    if db.session.scalar(sa.select(Segment.id).where(Segment.name == SEGMENT)) is None:
        filters = RegisterFilters(kind="call_center", status="active", province="oujda_angad")
        services.create_segment(SEGMENT, filters, shared=True, by=staff)
        done.append(f"segment {SEGMENT}")
    db.session.flush()
    return done
