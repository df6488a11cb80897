from __future__ import annotations

import sqlalchemy as sa

from club.auth.models import User
from club.demo import load_demo
from club.members.models import Organization
from tests.conftest import text

HOMES = {
    "secretariat@club.example": "Tableau de bord",
    "partner@firo.example": "Espace partenaire de FIRO",
    "contact@saccom.example": "Espace membre de Saccom",
    "founder@startup.example": "Votre espace de fondateur",
}


def counts(db):
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Organization)),
            db.session.scalar(sa.select(sa.func.count()).select_from(User)))


def test_the_demo_loads_once(app, db):
    load_demo()
    db.session.commit()
    first = counts(db)
    load_demo()
    db.session.commit()
    assert counts(db) == first
    names = set(db.session.scalars(sa.select(Organization.name)))
    assert {"Intelcia", "Notoriety", "Saccom", "Eca groupe", "FIRO", "CRI de l'Oriental", "Apebi", "Siccam",
            "MedZ"} <= names
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert counts(db) == first


def test_the_four_demo_accounts_sign_in_and_see_their_home(app, demo_world):
    for email, heading in HOMES.items():
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": "club-demo"})
        assert response.status_code == 303, email
        assert heading in text(client.get("/")), email
