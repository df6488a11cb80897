"""Demo programmes and recognitions.

- The Jerada youth activity, led by Saccom with the Province of Jerada (local authority), a training centre and the
  FIRO (funder), born from the club's first meeting (its follow-up action). **Invented**: the partners' names other
  than Saccom and the FIRO, the budget and its shares, the targets (200 enrolled, 150 trained, 100 placed, 50 women
  placed), every beneficiary (names drawn from common Moroccan first and family names), the placements, the
  milestones, the reports and the two documents. The article says only that the activity exists, for young people of Jerada, led by
  Saccom with the local authorities.
- The recognitions of the 17th Siccam (Oujda, 10–11 July 2020): the article says three continuity trophies, four
  prizes for investors in the Oriental's offshoring, and the webinar trophy won by Marie Agnès Verron of Belgium.
  It names no other winner: **invented** are the continuity winners (Intelcia, Saccom, Eca groupe) and the
  investor prizes (Notoriety, Intelcia, Groupe international A, Groupe international B), plausible members.

Idempotent: the programme is found by title, awards by title and recipient. No mail is queued.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from club.auth.models import User
from club.core.text import fold
from club.core.timezones import local_today
from club.extensions import db
from club.members import services as members_services
from club.members.models import OrgKind, Province
from club.members.queries import organisation_named as organisation
from club.permissions import Role
from club.programmes.models import (
    AgeBand,
    Award,
    AwardCategory,
    Beneficiary,
    BeneficiaryStatus,
    Gender,
    Indicator,
    IndicatorFigure,
    IndicatorSource,
    Measure,
    Milestone,
    MilestoneStatus,
    PartnerRole,
    Programme,
    ProgrammeKind,
    ProgrammePartner,
    ProgrammeState,
    ProgressReport,
    ReportState,
)
from club.programmes.services import programmes as programme_services
from club.programmes.services.awards import search_text_for_award

JERADA = "Activité jeunesse de Jerada"
# A one-page PDF, enough for the demo's documents to download.
CONVENTION_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                  b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PROVINCE = "Province de Jerada"
TRAINING = "Centre de formation Jerada Compétences"
SICCAM = "17e Siccam, Oujda, 10–11 juillet 2020"
SICCAM_DAY = date(2020, 7, 11)

FIRST_NAMES_F = ["Fatima", "Khadija", "Salma", "Imane", "Hajar", "Meryem", "Zineb", "Soukaina", "Asmae", "Nora",
                 "Hind", "Ikram", "Ghizlane", "Oumaima", "Wiam"]
FIRST_NAMES_M = ["Mohamed", "Yassine", "Ayoub", "Hamza", "Anas", "Othmane", "Bilal", "Zakaria", "Reda", "Ilyas",
                 "Soufiane", "Amine", "Mehdi", "Younes", "Walid"]
FAMILY_NAMES = ["El Amrani", "Bouazza", "Lahlou", "Ouali", "Benyahia", "Mimouni", "Kaddouri", "Belhaj",
                "Zerrouki", "Haddou", "Ait Taleb", "Sebbar", "Tahri", "Moussaoui", "Bensaid", "Khalfi", "Rahmouni"]
COMMUNES = ["Jerada", "Aïn Bni Mathar", "Touissit", "Guenfouda", "Lebkhata", "Ras Asfour"]

AWARDS = [  # title, category, recipient organisation (None: a person outside the register), citation
    ("Trophée de la continuité d'activité", AwardCategory.CONTINUITY, "Intelcia",
     "Pour avoir maintenu ses plateaux en activité pendant le confinement sanitaire."),
    ("Trophée de la continuité d'activité", AwardCategory.CONTINUITY, "Saccom",
     "Pour le télétravail organisé en quelques jours pour l'ensemble de ses conseillers."),
    ("Trophée de la continuité d'activité", AwardCategory.CONTINUITY, "Eca groupe",
     "Pour la continuité de service assurée à ses clients pendant le confinement."),
    ("Prix de l'investissement dans l'offshoring de l'Oriental", AwardCategory.INVESTMENT, "Notoriety",
     "Pour son installation à Oujda-shore et le pacte d'associés conclu avec le FIRO."),
    ("Prix de l'investissement dans l'offshoring de l'Oriental", AwardCategory.INVESTMENT, "Intelcia",
     "Pour les emplois annoncés à Oujda."),
    ("Prix de l'investissement dans l'offshoring de l'Oriental", AwardCategory.INVESTMENT, "Groupe international A",
     "Pour son projet d'implantation dans l'Oriental."),
    ("Prix de l'investissement dans l'offshoring de l'Oriental", AwardCategory.INVESTMENT, "Groupe international B",
     "Pour son projet d'implantation dans l'Oriental."),
    ("Trophée webinaire", AwardCategory.EVENT, None, "Trophée webinaire de la 17e édition du Siccam."),
]


def _staff() -> User | None:
    return db.session.scalar(sa.select(User).where(User.role == Role.SECRETARIAT).order_by(User.id).limit(1))


def _organisation(name: str, kind: OrgKind, description: str):
    return organisation(name) or members_services.create_organization_for(
        name, kind, by=None, city="Jerada", province=Province.JERADA, description=description)


def _first_meeting_action():
    from club.missions.models import FollowUpAction

    return db.session.scalar(sa.select(FollowUpAction).where(FollowUpAction.task.like("Activité jeunesse de Jerada%"))
                             .order_by(FollowUpAction.id).limit(1))


def _beneficiaries(programme: Programme, started: date, staff) -> int:
    """80 young people (invented): everyone enrolled, most trained, 34 placed (Saccom, Intelcia, Eca groupe, and
    employers outside the register), a few who left."""
    employers = [organisation("Saccom"), organisation("Intelcia"), organisation("Eca groupe")]
    people = []
    for n in range(80):
        woman = n % 2 == 0
        first = (FIRST_NAMES_F if woman else FIRST_NAMES_M)[(n * 7) % 15]
        name = f"{first} {FAMILY_NAMES[(n * 5) % len(FAMILY_NAMES)]}"
        enrolled = started + timedelta(days=n % 30)
        beneficiary = Beneficiary(
            programme_id=programme.id, name=name, name_key=fold(name),
            birth_year=2004 - n % 8 if n % 3 else None, age_band=None if n % 3 else AgeBand.FROM_18_TO_24,
            gender=Gender.FEMALE if woman else Gender.MALE, commune=COMMUNES[n % len(COMMUNES)],
            phone=f"+2126{61000000 + n * 7919:08d}" if n % 4 else None, consent_on=enrolled,
            enrolled_on=enrolled, created_by_id=staff.id if staff else None)
        if n < 64:  # trained (or in training)
            beneficiary.status = BeneficiaryStatus.TRAINED
            beneficiary.trained_on = enrolled + timedelta(days=90)
        if n < 34:  # placed
            beneficiary.status = BeneficiaryStatus.PLACED
            beneficiary.placed_on = enrolled + timedelta(days=120 + n)
            employer = employers[n % 4] if n % 4 < 3 else None
            if employer is not None:
                beneficiary.placed_organization_id = employer.id
            else:
                beneficiary.placed_employer = "Commune de Jerada"
        elif 64 <= n < 72:
            beneficiary.status = BeneficiaryStatus.IN_TRAINING
        elif n >= 76:
            beneficiary.status, beneficiary.left_on = BeneficiaryStatus.LEFT, enrolled + timedelta(days=40)
        people.append(beneficiary)
    db.session.add_all(people)
    return len(people)


def _jerada(staff) -> list[str]:
    if db.session.scalar(sa.select(Programme.id).where(Programme.title == JERADA)) is not None:
        return []
    saccom = organisation("Saccom")
    if saccom is None:
        return []
    province = _organisation(PROVINCE, OrgKind.INSTITUTION, "Autorités locales de la province de Jerada.")
    training = _organisation(TRAINING, OrgKind.OTHER, "Centre de formation aux métiers de la relation client "
                                                      "(organisme de démonstration).")
    today = local_today()
    started = today - timedelta(days=240)
    action = _first_meeting_action()
    programme = Programme(
        title=JERADA, kind=ProgrammeKind.YOUTH_EMPLOYMENT, lead_organization_id=saccom.id, province=Province.JERADA,
        communes="Jerada, Aïn Bni Mathar, Touissit, Guenfouda", starts_on=started,
        ends_on=started + timedelta(days=540),
        summary="Former et accompagner vers l'emploi des jeunes de la province de Jerada dans les métiers de la "
                "relation client, avec les autorités locales. Activité décidée à la première réunion du club.",
        objectives="200 jeunes inscrits, 150 formés, 100 placés dans un emploi, dont la moitié de femmes.",
        budget=Decimal("1800000"), state=ProgrammeState.ACTIVE, mission_action_id=action.id if action else None,
        created_by_id=staff.id if staff else None)
    firo = organisation("FIRO")
    programme.partners = [p for p in (
        ProgrammePartner(organization_id=province.id, role=PartnerRole.LOCAL_AUTHORITY, funding=Decimal("300000"),
                         position=0),
        ProgrammePartner(organization_id=training.id, role=PartnerRole.TRAINING_BODY, position=1),
        ProgrammePartner(organization_id=firo.id, role=PartnerRole.FUNDER, funding=Decimal("900000"), position=2)
        if firo else None) if p is not None]
    target_on = started + timedelta(days=540)
    programme.indicators = [
        Indicator(name="Jeunes inscrits", source=IndicatorSource.BENEFICIARIES, measure=Measure.ENROLLED, target=200,
                  target_on=target_on, position=0),
        Indicator(name="Jeunes formés", source=IndicatorSource.BENEFICIARIES, measure=Measure.TRAINED, target=150,
                  target_on=target_on, position=1),
        Indicator(name="Jeunes placés dans un emploi", source=IndicatorSource.BENEFICIARIES, measure=Measure.PLACED,
                  target=100, target_on=target_on, position=2),
        Indicator(name="dont femmes placées", source=IndicatorSource.BENEFICIARIES, measure=Measure.WOMEN_PLACED,
                  target=50, target_on=target_on, position=3),
        Indicator(name="Ateliers d'orientation tenus", source=IndicatorSource.FIGURES, measure=None, target=24,
                  target_on=target_on, position=4),
    ]
    programme.milestones = [
        Milestone(title="Convention signée avec la province de Jerada", due_on=started - timedelta(days=30),
                  status=MilestoneStatus.DONE, done_on=started - timedelta(days=35)),
        Milestone(title="Première promotion formée", due_on=started + timedelta(days=120),
                  status=MilestoneStatus.DONE, done_on=started + timedelta(days=125)),
        Milestone(title="Deuxième promotion formée", due_on=today + timedelta(days=60),
                  status=MilestoneStatus.IN_PROGRESS),
        Milestone(title="Bilan final et restitution aux partenaires", due_on=started + timedelta(days=540),
                  status=MilestoneStatus.PLANNED),
    ]
    db.session.add(programme)
    db.session.flush()
    workshops = programme.indicators[4]
    db.session.add_all([
        IndicatorFigure(indicator_id=workshops.id, measured_on=started + timedelta(days=90), value=6,
                        note="Premier trimestre"),
        IndicatorFigure(indicator_id=workshops.id, measured_on=started + timedelta(days=180), value=11),
    ])
    lead_user = db.session.scalar(sa.select(User).where(User.email == "contact@saccom.example"))
    author = lead_user.id if lead_user else None
    db.session.add_all([
        ProgressReport(programme_id=programme.id, period_start=started, period_end=started + timedelta(days=89),
                       summary="Première promotion de 40 jeunes inscrits ; formation aux métiers de la relation client "
                               "en cours au centre Jerada Compétences.",
                       next_steps="Premiers placements chez Saccom et Intelcia.", state=ReportState.ACCEPTED,
                       author_id=author, reviewed_by_id=staff.id if staff else None),
        ProgressReport(programme_id=programme.id, period_start=started + timedelta(days=90),
                       period_end=started + timedelta(days=179),
                       summary="Première promotion formée ; 20 jeunes placés, dont 11 femmes.",
                       difficulties="Transport entre Aïn Bni Mathar et Jerada.",
                       next_steps="Deuxième promotion ; convention avec Eca groupe.", state=ReportState.SUBMITTED,
                       author_id=author),
    ])
    count = _beneficiaries(programme, started, staff)
    db.session.flush()
    if staff is not None:  # the convention with the province, and the first report's annex a partner may open
        accepted = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.programme_id == programme.id,
                                                                     ProgressReport.state == ReportState.ACCEPTED))
        programme_services.add_document(programme, title="Convention avec la province de Jerada", data=CONVENTION_PDF,
                                        filename="convention-province-jerada.pdf", by=staff)
        accepted.state = ReportState.DRAFT  # a document goes with a report while it is written, then reviewed
        programme_services.add_document(programme, title="Liste d'émargement de la première promotion",
                                        data=CONVENTION_PDF, filename="emargement-promotion-1.pdf", by=staff,
                                        report=accepted)
        accepted.state = ReportState.ACCEPTED
    return [f"programme added: {JERADA}", f"beneficiaries added: {count}"]


def _awards(staff) -> int:
    added = 0
    for title, category, org_name, citation in AWARDS:
        org = organisation(org_name) if org_name else None
        if org_name and org is None:
            continue
        recipient = Award.organization_id == org.id if org else Award.person_name == "Marie Agnès Verron"
        if db.session.scalar(sa.select(Award.id).where(Award.title == title, recipient)) is not None:
            continue
        award = Award(title=title, occasion=SICCAM, category=category, awarded_on=SICCAM_DAY, citation=citation,
                      organization_id=org.id if org else None,
                      person_name=None if org else "Marie Agnès Verron", person_country=None if org else "Belgique",
                      created_by_id=staff.id if staff else None)
        award.search_text = search_text_for_award(title, SICCAM, organization=org_name,
                                                  person_name=award.person_name, person_country=award.person_country)
        db.session.add(award)
        added += 1
    return added


def load() -> list[str]:
    staff = _staff()
    done = _jerada(staff)
    done.append(f"awards added: {_awards(staff)}")
    db.session.flush()
    return done
