"""The incubator's part of the demo world (idempotent): the 2021 call, applications, reviews, a conflict."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from club.auth import passwords
from club.auth.models import User
from club.core.storage import store
from club.extensions import db
from club.incubator import services
from club.incubator.models import (
    Application,
    Call,
    DeckVersion,
    Message,
    Recommendation,
    Review,
    Score,
    Stage,
    Status,
    StatusChange,
)
from club.members.models import Province
from club.models import utcnow
from club.permissions import Role

CALL_TITLE = "Incubateur du Club de l'Offshoring de l'Oriental — promotion 2021"

CRITERIA = [
    ("Équipe", 3, "Fondateur seul, sans expérience du secteur", "Équipe complète et expérimentée"),
    ("Marché", 2, "Marché flou ou minuscule", "Marché clair, clients déjà identifiés"),
    ("Emplois créés dans la région", 3, "Aucun emploi dans l'Oriental", "Des dizaines d'emplois à Oujda et alentour"),
    ("Innovation", 1, "Copie d'une offre existante", "Offre nouvelle pour la région"),
    ("Faisabilité", 1, "Plan irréaliste", "Plan chiffré et crédible"),
]

# (email, name, startup, title, status, jobs 12 / 36, province, scores of the partner or None)
APPLICANTS = [
    ("founder@startup.example", "Amine Tazi", "Oriental Digital Lab",
     "Centre de relation client multilingue pour les PME de l'Oriental", Status.SCREENING, 12, 40,
     Province.OUJDA_ANGAD, [4, 4, 5, 3, 4]),
    ("karima@nadorcx.example", "Karima El Fassi", "Nador CX", "Support technique en tamazight et en espagnol",
     Status.INTERVIEW, 8, 25, Province.NADOR, [5, 4, 4, 4, 3]),
    ("said@berkanedocs.example", "Saïd Ouali", "Berkane Docs", "Numérisation des archives des coopératives",
     Status.SUBMITTED, 4, 15, Province.BERKANE, None),
    ("leila@jeradatalent.example", "Leïla Haddou", "Jerada Talent", "Formation des jeunes de Jerada aux métiers du "
     "centre d'appels", Status.ACCEPTED, 20, 60, Province.JERADA, [4, 3, 5, 3, 4]),
    ("omar@taourirt.example", "Omar Berrada", "Taourirt Data", "Saisie et qualification de données",
     Status.DRAFT, None, None, Province.TAOURIRT, None),
]

DEMO_PASSWORD = "club-demo"

# A one-page PDF ("Oriental Digital Lab — pitch"), enough for the demo's deck download.
DEMO_DECK = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
             b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
             b"4 0 obj<</Length 60>>stream\nBT /F1 24 Tf 72 760 Td (Oriental Digital Lab - pitch) Tj ET\n"
             b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _user(email: str, name: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=Role.APPLICANT, password_hash=passwords.hash_password(DEMO_PASSWORD),
                    confirmed_at=utcnow(), locale="fr")
        db.session.add(user)
        db.session.flush()
    return user


def load() -> list[str]:
    if db.session.scalar(sa.select(Call.id).where(Call.title == CALL_TITLE)):
        return ["call already present"]
    secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    partner = db.session.scalar(sa.select(User).where(User.email == "partner@firo.example"))
    now = utcnow()
    call = services.create_call(
        title=CALL_TITLE,
        description=("Le Club de l'Offshoring de l'Oriental ouvre son incubateur aux centres d'appels et aux startups "
                     "de la région. Accompagnement, mise en relation avec les donneurs d'ordre du club et avec le "
                     "FIRO, hébergement à Oujda-shore."),
        opens_at=(now - timedelta(days=30)).replace(second=0, microsecond=0), closes_at=(now + timedelta(days=60)).replace(hour=22, minute=59,
                                                                                         second=0, microsecond=0),
        capacity=10, is_blind_first_round=True,
        criteria=[services.CriterionData(name=n, weight=w, low_anchor=lo, high_anchor=hi) for n, w, lo, hi in CRITERIA],
        by=secretariat,
    )
    criteria = call.criteria
    path = {
        Status.DRAFT: [], Status.SUBMITTED: [Status.SUBMITTED],
        Status.SCREENING: [Status.SUBMITTED, Status.SCREENING],
        Status.INTERVIEW: [Status.SUBMITTED, Status.SCREENING, Status.INTERVIEW],
        Status.ACCEPTED: [Status.SUBMITTED, Status.SCREENING, Status.INTERVIEW, Status.ACCEPTED],
    }
    made = 0
    conflict_done = False
    for email, name, startup, title, status, jobs12, jobs36, province, scores in APPLICANTS:
        user = _user(email, name)
        application = Application(
            call_id=call.id, applicant_id=user.id, status=Status.DRAFT, startup_name=startup, project_title=title,
            problem="Les entreprises de la région manquent de services de proximité.",
            solution=title, market="PME et donneurs d'ordre de l'Oriental et d'Europe.",
            business_model="Abonnement mensuel et prestations à l'acte.", stage=Stage.PROTOTYPE,
            team=f"{name} (fondateur·rice) et deux associés.", needs="Locaux, mise en relation, financement.",
            jobs_12m=jobs12, jobs_36m=jobs36, province=province,
            consent_at=now if status != Status.DRAFT else None,
        )
        db.session.add(application)
        db.session.flush()
        db.session.add(StatusChange(application_id=application.id, from_status=None, to_status=Status.DRAFT,
                                    by_id=user.id, at=now - timedelta(days=20)))
        previous = Status.DRAFT
        for step, target in enumerate(path[status]):
            db.session.add(StatusChange(application_id=application.id, from_status=previous, to_status=target,
                                        by_id=user.id if target == Status.SUBMITTED else secretariat.id,
                                        at=now - timedelta(days=15 - 3 * step)))
            previous = target
        if status != Status.DRAFT:
            application.status = status
            application.submitted_at = now - timedelta(days=15)
            application.status_changed_at = now - timedelta(days=15 - 3 * (len(path[status]) - 1))
        if status in (Status.ACCEPTED, Status.INCUBATED, Status.GRADUATED):
            services.link_organization(application, by=secretariat)  # a new startup organisation, explicitly
        if scores is not None:
            review = Review(application_id=application.id, reviewer_id=partner.id, assigned_by_id=secretariat.id,
                            has_conflict=False, declared_at=now, comment="Projet solide, ancré dans la région.",
                            recommendation=Recommendation.YES, is_final=status != Status.SCREENING,
                            finalized_at=now if status != Status.SCREENING else None)
            review.scores = [Score(criterion_id=c.id, value=v) for c, v in zip(criteria, scores, strict=True)]
            db.session.add(review)
            secretariat_review = Review(application_id=application.id, reviewer_id=secretariat.id,
                                        assigned_by_id=secretariat.id, has_conflict=False, declared_at=now,
                                        comment="À confirmer en entretien.", recommendation=Recommendation.MAYBE,
                                        is_final=True, finalized_at=now)
            secretariat_review.scores = [Score(criterion_id=c.id, value=max(1, v - 1))
                                         for c, v in zip(criteria, scores, strict=True)]
            db.session.add(secretariat_review)
        elif status == Status.SUBMITTED and not conflict_done:
            # The partner knows this founder: a declared conflict, recorded.
            db.session.add(Review(application_id=application.id, reviewer_id=partner.id,
                                  assigned_by_id=secretariat.id, has_conflict=True, declared_at=now,
                                  conflict_note="Le fondateur est un ancien associé."))
            conflict_done = True
        made += 1
    db.session.flush()
    first = db.session.scalar(sa.select(Application).join(User, User.id == Application.applicant_id)
                              .where(User.email == "founder@startup.example", Application.call_id == call.id))
    stored = store(DEMO_DECK, "oriental-digital-lab-pitch.pdf", kinds={"pdf"}, max_size=services.DECK_MAX_SIZE,
                   by=first.applicant)
    db.session.add(DeckVersion(application_id=first.id, number=1, stored_file_id=stored.id,
                               uploaded_by_id=first.applicant_id, uploaded_at=now - timedelta(days=16)))
    db.session.add(Message(application_id=first.id, author_id=secretariat.id, from_secretariat=True,
                                    body="Pouvez-vous préciser le nombre de postes prévus à Oujda la première année ?",
                                    at=now - timedelta(days=2)))
    db.session.flush()
    return [f"call added with {made} applications"]


