"""The deals of the demo world (Siccam 2020, Oujda). Idempotent: a deal whose title exists is left alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from club.auth.models import User
from club.core.timezones import local_today
from club.deals import services
from club.deals.models import Deal, DealKind, Decision, DocumentKind, Stage, StageChange
from club.extensions import db
from club.members.queries import organisation_named as organisation

PATH = [Stage.LEAD, Stage.SCREENING, Stage.DUE_DILIGENCE, Stage.COMMITTEE, Stage.TERM_SHEET, Stage.SIGNED,
        Stage.CLOSED]

MEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _deal(spec: dict, by: User) -> Deal | None:
    if db.session.scalar(sa.select(Deal.id).where(Deal.title == spec["title"])) is not None:
        return None
    investors = [organisation(n).id for n in spec["investors"]]
    signatories = [organisation(n).id for n in spec.get("signatories", [])]
    deal = services.create_deal(
        by=by, investor_ids=investors, signatory_ids=signatories, title=spec["title"], kind=spec["kind"],
        target_id=organisation(spec["target"]).id, amount=spec.get("amount"), stake=spec.get("stake"),
        owner_id=by.id, summary=spec.get("summary", ""), expected_close=spec.get("expected_close"),
        next_step=spec.get("next_step", ""), next_step_due=spec.get("next_step_due"),
        signed_on=None, announced_on=spec.get("announced_on"))
    # Walk the deal through its history, dated, as the secretariat would have recorded it.
    start = spec["started"]
    history = list(db.session.scalars(sa.select(StageChange).where(StageChange.deal_id == deal.id)))
    history[0].at = _at(start)
    target = spec["stage"]
    steps = PATH[1:PATH.index(target) + 1] if target != Stage.DROPPED else PATH[1:PATH.index(spec["dropped_after"]) + 1]
    day = start
    if target in (Stage.COMMITTEE, Stage.TERM_SHEET, Stage.SIGNED, Stage.CLOSED) or (
            target == Stage.DROPPED and Stage.COMMITTEE in steps):
        version = services.add_document(deal, title="Mémo d'investissement", kind=DocumentKind.MEMO,
                                        data=MEMO_PDF, filename="memo-investissement.pdf", by=by)
        memo_day = start + timedelta(days=spec.get("step_days", 12) * 2)  # written during due diligence
        version.uploaded_at = version.document.created_at = _at(memo_day)
    for step in steps:
        day = day + timedelta(days=spec.get("step_days", 12))
        if step == Stage.SIGNED:
            day = spec["signed_on"]
        change = services.move_deal(deal, step, by=by, signed_on=spec.get("signed_on"))
        change.at = _at(day)
        deal.stage_entered_at = _at(day)
        if step == Stage.COMMITTEE and "committee" in spec:
            meeting = services.record_meeting(deal, by=by, held_on=day + timedelta(days=7), quorum_reached=True,
                                              members=spec["committee"]["members"],
                                              decision=Decision.APPROVED, minutes=spec["committee"]["minutes"])
            meeting.recorded_at = _at(day + timedelta(days=7))
            for decision in meeting.decisions:
                decision.recorded_at = meeting.recorded_at
    if target == Stage.DROPPED:
        day = day + timedelta(days=20)
        change = services.move_deal(deal, Stage.DROPPED, by=by, reason=spec["reason"])
        change.at = _at(day)
        deal.stage_entered_at = _at(day)
    for name in spec.get("shared_with", []):
        services.share(deal, organisation(name), by=by)
    db.session.flush()
    return deal


def load() -> list[str]:
    by = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    today = local_today()
    specs = [
        {"title": "Pacte d'associés FIRO × Notoriety", "kind": DealKind.SHAREHOLDERS_PACT, "target": "Notoriety",
         "investors": ["FIRO"], "signatories": ["CRI de l'Oriental"], "amount": Decimal("10000000.00"),
         "stake": Decimal("20.00"), "stage": Stage.SIGNED, "started": date(2020, 2, 3),
         "signed_on": date(2020, 7, 10), "announced_on": date(2020, 7, 10), "step_days": 25,
         "summary": "Pacte d'associés officialisé à Oujda-shore pendant le Siccam 2020 : première opération de "
                    "capital-investissement dans l'offshoring au Maroc cette année-là. (Montant et participation "
                    "fictifs, pour la démonstration.)",
         "committee": {
             "members": [
                 {"name": "Représentant du FIRO", "vote": "for"},
                 {"name": "Représentant du CRI de l'Oriental", "vote": "for"},
                 {"name": "Administrateur indépendant", "vote": "for"},
                 {"name": "Représentant d'Apebi", "conflict_declared": True,
                  "conflict_note": "Notoriety est adhérent de la fédération"},
             ],
             "minutes": "Le comité approuve l'entrée du FIRO au capital de Notoriety et le projet de pacte "
                        "d'associés, sous réserve du plan d'emplois à Oujda-shore. (Procès-verbal de démonstration.)"},
         "shared_with": ["FIRO"], "next_step": "Suivi des engagements d'emplois", "next_step_due": today + timedelta(days=30)},
        {"title": "Mémorandum d'entente — Groupe international A", "kind": DealKind.MOU,
         "target": "Groupe international A", "investors": ["FIRO"], "signatories": ["CRI de l'Oriental"],
         "stage": Stage.SIGNED, "started": date(2020, 5, 4), "signed_on": date(2020, 7, 11), "step_days": 10,
         "announced_on": date(2020, 7, 11),
         "summary": "Mémorandum d'entente signé au Siccam 2020 avec un autre opérateur de l'offshoring, qui démarre "
                    "ses tests de recrutement à Oujda.",
         "next_step": "Préparer la convention d'implantation", "next_step_due": today + timedelta(days=14)},
        {"title": "Prise de participation — centre d'appels Intelcia Oujda", "kind": DealKind.EQUITY,
         "target": "Intelcia", "investors": ["FIRO"], "amount": Decimal("25000000.00"), "stake": Decimal("15.00"),
         "stage": Stage.COMMITTEE, "started": today - timedelta(days=60), "step_days": 12,
         "summary": "Entrée au capital de la filiale oujdie pour accompagner l'ouverture du centre d'appels.",
         "shared_with": ["FIRO"], "next_step": "Réunir le comité d'investissement",
         "next_step_due": today + timedelta(days=7), "expected_close": today + timedelta(days=90)},
        {"title": "Prêt d'amorçage — pôle anglophone Saccom", "kind": DealKind.LOAN, "target": "Saccom",
         "investors": ["FIRO"], "amount": Decimal("5000000.00"), "stage": Stage.DUE_DILIGENCE,
         "started": today - timedelta(days=45), "step_days": 10, "shared_with": ["FIRO"],
         "summary": "Financement du démarrage du pôle anglophone à Oujda-shore (1 000 emplois prévus à terme).",
         "next_step": "Recevoir les états financiers 2019", "next_step_due": today - timedelta(days=5)},
        {"title": "Convention d'implantation — Eca groupe", "kind": DealKind.CONVENTION, "target": "Eca groupe",
         "investors": ["CRI de l'Oriental"], "amount": Decimal("2000000.00"), "stage": Stage.LEAD,
         "started": today - timedelta(days=9), "next_step": "Premier rendez-vous avec la direction",
         "next_step_due": today - timedelta(days=2)},
        {"title": "Subvention formation — Groupe international B", "kind": DealKind.GRANT,
         "target": "Groupe international B", "investors": ["CRI de l'Oriental"], "amount": Decimal("1500000.00"),
         "stage": Stage.SCREENING, "started": today - timedelta(days=30), "step_days": 8,
         "next_step": "Vérifier l'éligibilité au programme régional", "next_step_due": today + timedelta(days=10)},
        {"title": "Prise de participation — Oriental Digital Lab", "kind": DealKind.EQUITY,
         "target": "Oriental Digital Lab", "investors": ["FIRO"], "amount": Decimal("800000.00"),
         "stake": Decimal("20.00"), "stage": Stage.TERM_SHEET, "started": today - timedelta(days=120),
         "step_days": 20, "next_step": "Négocier la lettre d'intention", "next_step_due": today + timedelta(days=3)},
        {"title": "Extension d'un plateau à Nador", "kind": DealKind.EQUITY, "target": "Eca groupe",
         "investors": ["FIRO"], "amount": Decimal("3000000.00"), "stage": Stage.DROPPED,
         "dropped_after": Stage.SCREENING, "started": today - timedelta(days=200), "step_days": 15,
         "reason": "L'opérateur a renoncé à l'extension après l'étude de marché."},
    ]
    created = [d for d in (_deal(spec, by) for spec in specs) if d is not None]
    db.session.flush()
    return [f"deals added: {len(created)}"]
