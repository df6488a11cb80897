"""The demo world, from the Siccam 2020 article (../shared/seed), and the ``flask demo`` command that loads it.
Idempotent: safe to run again.

The foundation (the article's organisations and the four demo accounts) comes first; then each domain's part,
added by its ``hooks.register`` with ``registry(app).demo(...)``, in the order of ``club.BLUEPRINTS``.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app

from club.auth import passwords
from club.auth.models import User
from club.extensions import db
from club.members import services as members_services
from club.members.models import OrgKind
from club.members.queries import organisation_named as organisation
from club.models import utcnow
from club.permissions import Role

DEMO_PASSWORD = "club-demo"  # demo mode only; DESIGN.md. Shorter than the policy: set directly, never via a form.

ORGANISATIONS = [
    ("Intelcia", OrgKind.CALL_CENTER, "Oujda",
     "Leader national de l'offshoring ; ouvre un centre d'appels à Oujda dès août 2020."),
    ("Notoriety", OrgKind.CALL_CENTER, "Oujda", "Centre de contact installé à Oujda-shore ; pacte d'associés avec le FIRO."),
    ("Saccom", OrgKind.BPO, "Oujda",
     "Gestion électronique des documents et ressources humaines, avec un pôle anglophone ; 1 000 emplois prévus."),
    ("Eca groupe", OrgKind.CALL_CENTER, "Oujda", "Centre de contact déjà installé dans l'Oriental."),
    ("Groupe international A", OrgKind.CALL_CENTER, None,
     "Groupe de renom international qui démarre ses tests de recrutement à Oujda."),
    ("Groupe international B", OrgKind.BPO, None,
     "Second groupe international qui démarre ses tests de recrutement à Oujda."),
    ("FIRO", OrgKind.INVESTOR, "Oujda", "Fonds d'Investissement de la Région de l'Oriental."),
    ("CRI de l'Oriental", OrgKind.INSTITUTION, "Oujda", "Centre régional d'investissement de l'Oriental."),
    ("Apebi", OrgKind.ASSOCIATION, "Casablanca", "Fédération marocaine des technologies de l'information."),
    ("Siccam", OrgKind.ASSOCIATION, "Casablanca", "Salon international des centres de contact et d'appel au Maroc."),
    ("MedZ", OrgKind.INSTITUTION, "Casablanca", "Aménageur et gestionnaire de parcs, dont Casa-shore."),
    ("Oriental Digital Lab", OrgKind.STARTUP, "Oujda", "Startup oujdie de services numériques (compte de démonstration)."),
]

ACCOUNTS = [
    ("secretariat@club.example", "Salma Idrissi", Role.SECRETARIAT, True, "CRI de l'Oriental"),
    ("partner@firo.example", "Youssef Benali", Role.PARTNER, False, "FIRO"),
    ("contact@saccom.example", "Nadia Amrani", Role.MEMBER, False, "Saccom"),
    ("founder@startup.example", "Amine Tazi", Role.APPLICANT, False, "Oriental Digital Lab"),
]

def _foundation() -> list[str]:
    created = []
    for name, kind, city, description in ORGANISATIONS:
        if organisation(name) is None:
            members_services.create_organization_for(name, kind, city=city, description=description, by=None)
            created.append(name)
    db.session.flush()
    accounts = []
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    for email, name, role, is_admin, org_name in ACCOUNTS:
        if db.session.scalar(sa.select(User).where(User.email == email)) is None:
            db.session.add(User(email=email, name=name, role=role, is_admin=is_admin,
                                organization_id=organisation(org_name).id, password_hash=password_hash,
                                confirmed_at=utcnow(), locale="fr"))
            accounts.append(email)
    db.session.flush()
    return [f"organisations added: {len(created)}", f"accounts added: {len(accounts)}"]


def load_demo() -> list[str]:
    from club.core.registry import registry

    summary = [f"foundation: {line}" for line in _foundation()]
    for name, loader in registry().demo_parts:
        summary.extend(f"{name}: {line}" for line in loader())
    return summary


@click.command("demo")
def demo_command():
    """Load the demo world of the Siccam 2020 article (idempotent: run it as often as you like)."""
    from club.core.outbox import commit_and_dispatch

    if not current_app.config.get("DEMO"):
        raise click.ClickException("the demo world is for development only (CLUB_DEMO is off)")
    summary = load_demo()
    commit_and_dispatch()
    for line in summary:
        click.echo(line)
