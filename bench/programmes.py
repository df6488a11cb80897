"""Programmes at volume: 200 programmes, one of them with 20,000 beneficiaries, and 2,000 awards (scaled)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from bench import BenchPage

BIG_TITLE = "Bench: programme emploi des jeunes de l'Oriental"
BATCH = 1000


def _batches(rows):
    for i in range(0, len(rows), BATCH):
        yield rows[i:i + BATCH]


def seed(scale: float) -> None:
    from club.extensions import db
    from club.members.models import Organization, Province
    from club.models import utcnow
    from club.programmes.models import (
        Award,
        AwardCategory,
        Beneficiary,
        BeneficiaryStatus,
        Gender,
        Indicator,
        IndicatorSource,
        Measure,
        PartnerRole,
        Programme,
        ProgrammeKind,
        ProgrammePartner,
        ProgrammeState,
    )

    n_programmes = max(10, int(200 * scale))
    n_people = max(100, int(20_000 * scale))
    n_awards = max(20, int(2000 * scale))
    now = utcnow().replace(microsecond=0)
    start = date(2024, 1, 1)
    saccom = db.session.scalar(sa.select(Organization.id).where(Organization.name == "Saccom"))
    orgs = list(db.session.scalars(sa.select(Organization.id).order_by(Organization.id).limit(50)))
    kinds, provinces = list(ProgrammeKind), [p for p in Province if p != Province.OUTSIDE]
    states = [ProgrammeState.ACTIVE, ProgrammeState.ACTIVE, ProgrammeState.CLOSED, ProgrammeState.DRAFT,
              ProgrammeState.CANCELLED]
    rows = [{"title": f"Bench programme {i:04d}", "kind": kinds[i % len(kinds)],
             "lead_organization_id": saccom if i % 4 == 0 else orgs[i % len(orgs)],
             "province": provinces[i % len(provinces)], "starts_on": start + timedelta(days=i),
             "ends_on": start + timedelta(days=i + 700), "summary": "Programme de démonstration à volume.",
             "budget": Decimal(100_000 + i * 1000), "state": states[i % len(states)], "created_at": now,
             "updated_at": now, "version": 1} for i in range(n_programmes)]
    rows[0].update(title=BIG_TITLE, lead_organization_id=saccom, state=ProgrammeState.ACTIVE)
    db.session.execute(sa.insert(Programme), rows)
    ids = list(db.session.scalars(sa.select(Programme.id).where(Programme.title.like("Bench%")).order_by(Programme.id)))
    big = ids[0]
    partners = [{"programme_id": p, "organization_id": orgs[(i + 1) % len(orgs)], "role": PartnerRole.FUNDER,
                 "funding": Decimal(50_000), "position": 0} for i, p in enumerate(ids)
                if orgs[(i + 1) % len(orgs)] != rows[i]["lead_organization_id"]]
    db.session.execute(sa.insert(ProgrammePartner), partners)
    indicators = []
    for p in ids:
        for position, (name, measure) in enumerate([("Inscrits", Measure.ENROLLED), ("Formés", Measure.TRAINED),
                                                     ("Placés", Measure.PLACED),
                                                     ("Femmes placées", Measure.WOMEN_PLACED)]):
            indicators.append({"programme_id": p, "name": name, "source": IndicatorSource.BENEFICIARIES,
                               "measure": measure, "target": 100 * (4 - position), "position": position,
                               "created_at": now, "updated_at": now, "version": 1})
    for chunk in _batches(indicators):
        db.session.execute(sa.insert(Indicator), chunk)
    statuses = list(BeneficiaryStatus)
    people = []
    for i in range(n_people):
        status = statuses[i % len(statuses)]
        reached = {BeneficiaryStatus.TRAINED: 1, BeneficiaryStatus.PLACED: 2}.get(status, 0)  # what the dates say
        enrolled = start + timedelta(days=i % 300)
        people.append({"programme_id": big if i < n_people * 0.8 else ids[1 + i % (len(ids) - 1)],
                       "name": f"Bénéficiaire {i:05d}", "name_key": f"beneficiaire {i:05d}", "birth_year": 1995 + i % 10,
                       "gender": Gender.FEMALE if i % 2 else Gender.MALE, "commune": ["Jerada", "Oujda", "Nador"][i % 3],
                       "consent_on": enrolled, "status": status, "enrolled_on": enrolled,
                       "trained_on": enrolled + timedelta(days=90) if reached >= 1 else None,
                       "placed_on": enrolled + timedelta(days=100) if reached == 2 else None,
                       "placed_organization_id": saccom if reached == 2 else None,
                       "left_on": enrolled + timedelta(days=30) if status == BeneficiaryStatus.LEFT else None,
                       "created_at": now, "updated_at": now, "version": 1})
    for chunk in _batches(people):
        db.session.execute(sa.insert(Beneficiary), chunk)
    categories = list(AwardCategory)
    awards = [{"title": f"Bench trophée {i:05d}", "occasion": f"Bench Siccam {2000 + i % 25}",
               "category": categories[i % len(categories)], "awarded_on": date(2000 + i % 25, 7, 11),
               "organization_id": orgs[i % len(orgs)], "search_text": f"bench trophee {i:05d}",
               "created_at": now, "updated_at": now, "version": 1} for i in range(n_awards)]
    for chunk in _batches(awards):
        db.session.execute(sa.insert(Award), chunk)
    db.session.commit()


def pages() -> list[BenchPage]:
    from club.extensions import db
    from club.programmes.models import Programme

    big = db.session.scalar(sa.select(Programme.id).where(Programme.title == BIG_TITLE))
    lead, partner = "contact@saccom.example", "partner@firo.example"
    return [
        BenchPage("programmes: list", "/programmes/"),
        BenchPage("programmes: list (active, Jerada)", "/programmes/?state=active&province=jerada"),
        BenchPage("programmes: list (partner)", "/programmes/", login=partner),
        BenchPage("programmes: 20,000 beneficiaries, page", f"/programmes/{big}"),
        BenchPage("programmes: programme page (lead)", f"/programmes/{big}", login=lead),
        BenchPage("programmes: beneficiaries", f"/programmes/{big}/beneficiaries"),
        BenchPage("programmes: beneficiaries (placed women)",
                  f"/programmes/{big}/beneficiaries?status=placed&gender=female"),
        BenchPage("programmes: beneficiaries, name search", f"/programmes/{big}/beneficiaries?q=01234", login=lead),
        BenchPage("programmes: awards", "/programmes/awards/"),
        BenchPage("programmes: awards (2010, investment)", "/programmes/awards/?year=2010&category=investment"),
    ]
