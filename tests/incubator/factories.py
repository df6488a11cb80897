"""Factories for the incubator (they commit, like a finished request)."""

from __future__ import annotations

from datetime import timedelta

import factory

from club.extensions import db
from club.incubator.models import Application, Call, Criterion, Review, Score, Stage, Status
from club.members.models import Province
from club.models import utcnow
from tests.factories import Base, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class CallFactory(Base):
    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"Appel {n}")
    description = "Un appel à candidatures."
    opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=10))
    capacity = 5
    is_blind_first_round = True

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        rows = extracted if extracted is not None else [("Équipe", 3), ("Marché", 2), ("Emplois", 1)]
        for position, (name, weight) in enumerate(rows):
            obj.criteria.append(Criterion(position=position, name=name, weight=weight, low_anchor="faible",
                                          high_anchor="excellent"))
        if create:
            db.session.commit()


COMPLETE = dict(startup_name="Atlas Calls", project_title="Centre d'appels bilingue", problem="Le problème",
                solution="La solution", market="Le marché", business_model="Abonnement", stage=Stage.PROTOTYPE,
                team="Deux fondateurs", needs="Locaux", jobs_12m=5, jobs_36m=20, province=Province.OUJDA_ANGAD)


class ApplicationFactory(Base):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    applicant = factory.SubFactory(UserFactory, applicant=True)
    status = Status.SUBMITTED
    startup_name = factory.Sequence(lambda n: f"Startup {n}")
    project_title = factory.Sequence(lambda n: f"Projet {n}")
    problem = "Le problème"
    solution = "La solution"
    market = "Le marché"
    business_model = "Abonnement"
    stage = Stage.PROTOTYPE
    team = "Fondatrice : Samira Alaoui"
    needs = "Locaux"
    jobs_12m = 5
    jobs_36m = 20
    province = Province.OUJDA_ANGAD
    consent_at = factory.LazyFunction(utcnow)
    submitted_at = factory.LazyFunction(utcnow)

    class Params:
        draft = factory.Trait(status=Status.DRAFT, submitted_at=None, consent_at=None)


class ReviewFactory(Base):
    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory, partner=True)
    has_conflict = False


def score(review: Review, values: list[int], *, final: bool = True) -> Review:
    """Give ``review`` one score per criterion of its call, in order."""
    criteria = review.application.call.criteria
    review.scores = [Score(criterion_id=c.id, value=v) for c, v in zip(criteria, values, strict=True)]
    review.is_final = final
    review.recommendation = "yes"
    db.session.commit()
    return review
