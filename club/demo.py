"""The demo world, from the Siccam 2020 article (../shared/seed). Idempotent: safe to run again.

Each domain adds its part with ``register_demo``; parts run in registration order.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from club.auth import passwords
from club.auth.models import User
from club.extensions import db
from club.members.models import Organization, OrgKind
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

_PARTS: list[tuple[str, Callable[[], list[str]]]] = []


def register_demo(name: str, loader: Callable[[], list[str]]) -> None:
    if all(existing != name for existing, _ in _PARTS):
        _PARTS.append((name, loader))


def organisation(name: str) -> Organization:
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def _foundation() -> list[str]:
    created = []
    for name, kind, city, description in ORGANISATIONS:
        if organisation(name) is None:
            db.session.add(Organization(name=name, name_key=Organization.key_for(name), kind=kind, city=city,
                                        description=description))
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


register_demo("foundation", _foundation)


def _part_order(name: str) -> int:
    """Foundation first, then the domains in the order of ``club.BLUEPRINTS`` (members before the
    modules that build on its contacts), whatever order the modules were imported in."""
    from club import BLUEPRINTS

    order = ["foundation"] + [module.rsplit(".", 1)[-1] for module, _ in BLUEPRINTS]
    return order.index(name) if name in order else len(order)


def load_demo() -> list[str]:
    summary = []
    for name, loader in sorted(_PARTS, key=lambda part: _part_order(part[0])):
        for line in loader():
            summary.append(f"{name}: {line}")
    return summary
