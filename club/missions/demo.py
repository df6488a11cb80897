"""Demo missions: the Casa-shore visit with MedZ (open, a waiting list) and the club's first meeting (done).

Idempotent: missions are found by title, contacts by email (the members demo may have created them).
No mail is queued: demo addresses are not real.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from club.auth.models import User
from club.core.timezones import at, local_date
from club.extensions import db
from club.members import services as members_services
from club.members.models import Contact, Site
from club.members.queries import organisation_named as organisation
from club.missions.models import (
    AgendaItem,
    FollowUpAction,
    Invitation,
    InvitationAnswer,
    Mission,
    MissionDeal,
    MissionKind,
    MissionOutcome,
    MissionReport,
    MissionState,
    Registration,
    RegistrationStatus,
)
from club.models import utcnow

CASA_SHORE = "Visite de Casa-shore avec MedZ"
FIRST_MEETING = "Première réunion du Club de l'Offshoring de l'Oriental"

PEOPLE = [  # organisation, name, title, email
    ("Saccom", "Nadia Amrani", "Directrice des ressources humaines", "contact@saccom.example"),
    ("Saccom", "Karim Berrada", "Responsable du pôle anglophone", "k.berrada@saccom.example"),
    ("Saccom", "Leila Chraibi", "Chargée de recrutement", "l.chraibi@saccom.example"),
    ("Intelcia", "Omar El Fassi", "Directeur du site d'Oujda", "o.elfassi@intelcia.example"),
    ("Intelcia", "Sara Bennani", "Responsable formation", "s.bennani@intelcia.example"),
    ("Intelcia", "Hicham Alaoui", "Superviseur de plateau", "h.alaoui@intelcia.example"),
    ("Notoriety", "Rachid Ziani", "Gérant", "r.ziani@notoriety.example"),
    ("Notoriety", "Imane Kettani", "Responsable qualité", "i.kettani@notoriety.example"),
    ("Eca groupe", "Youssef Tahiri", "Directeur des opérations", "y.tahiri@eca.example"),
    # the duplicate of Eca groupe (members demo), to merge
    ("ECA Group SARL", "Mehdi Ouazzani", "Responsable du recrutement", "m.ouazzani@eca-groupe.example"),
]


def _contacts() -> dict[str, Contact]:
    found = {}
    for org_name, name, title, email in PEOPLE:
        org = organisation(org_name)
        if org is None:
            continue
        contact = db.session.scalar(sa.select(Contact).where(sa.func.lower(Contact.email) == email)
                                    .order_by(Contact.id).limit(1))
        if contact is None:  # through members' services: its search text and audit trail follow
            contact = members_services.add_contact(org, {"name": name, "title": title, "email": email}, by=None)
        found[name] = contact
    return found


def _register(mission, contact, status, by, minutes):
    if contact is None:
        return
    exists = db.session.scalar(sa.select(Registration.id).where(Registration.mission_id == mission.id,
                                                                Registration.contact_id == contact.id))
    if exists is None:
        db.session.add(Registration(mission_id=mission.id, contact_id=contact.id,
                                    organization_id=contact.organization_id, status=status,
                                    queued_at=mission.created_at + timedelta(minutes=minutes),
                                    registered_by_id=by.id if by else None,
                                    attended_at=mission.starts_at if status == RegistrationStatus.ATTENDED else None))


def load() -> list[str]:
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    people = _contacts()
    created = []

    casa = db.session.scalar(sa.select(Mission).where(Mission.title == CASA_SHORE))
    if casa is None:
        day = local_date(utcnow() + timedelta(days=30))
        casa = Mission(
            title=CASA_SHORE, kind=MissionKind.STUDY_VISIT, destination="Casablanca, Casa-shore", site=Site.CASA_SHORE,
            starts_at=at(day, 9), ends_at=at(day + timedelta(days=1), 17),
            objectives="Découvrir Casa-shore avec MedZ, son aménageur : plateaux, services aux entreprises, "
                       "recrutement et formation ; rencontrer les opérateurs installés et préparer l'accueil "
                       "d'opérateurs à Oujda-shore.",
            capacity=6, seats_per_organization=3, registration_deadline=at(day - timedelta(days=7), 18),
            state=MissionState.OPEN, created_by_id=staff.id if staff else None,
        )
        casa.partners = [o for o in (organisation("MedZ"), organisation("CRI de l'Oriental")) if o is not None]
        db.session.add(casa)
        db.session.flush()
        for offset, hour, place, title in [
            (0, 9, "Casa-shore, accueil MedZ", "Accueil par MedZ et présentation du parc"),
            (0, 11, "Casa-shore", "Visite de plateaux de centres de contact"),
            (0, 15, "Casa-shore", "Rencontres B2B avec les opérateurs installés"),
            (1, 10, "Casablanca", "Atelier recrutement et formation avec l'Apebi"),
        ]:
            db.session.add(AgendaItem(mission_id=casa.id, day=day + timedelta(days=offset), starts_at=time(hour),
                                      place=place, title=title))
        created.append(CASA_SHORE)
    db.session.flush()
    if casa.created_at is None:
        casa.created_at = utcnow()
    for n, (name, status) in enumerate([
        ("Nadia Amrani", RegistrationStatus.REGISTERED), ("Omar El Fassi", RegistrationStatus.REGISTERED),
        ("Rachid Ziani", RegistrationStatus.REGISTERED), ("Karim Berrada", RegistrationStatus.REGISTERED),
        ("Sara Bennani", RegistrationStatus.REGISTERED), ("Youssef Tahiri", RegistrationStatus.REGISTERED),
        ("Hicham Alaoui", RegistrationStatus.WAITLISTED), ("Imane Kettani", RegistrationStatus.WAITLISTED),
    ]):
        _register(casa, people.get(name), status, staff, n)
    for name, answer in [("Nadia Amrani", InvitationAnswer.REGISTERED), ("Omar El Fassi", InvitationAnswer.REGISTERED),
                         ("Rachid Ziani", InvitationAnswer.REGISTERED), ("Leila Chraibi", None)]:
        contact = people.get(name)
        if contact is not None and db.session.scalar(sa.select(Invitation.id).where(
                Invitation.mission_id == casa.id, Invitation.contact_id == contact.id)) is None:
            db.session.add(Invitation(mission_id=casa.id, organization_id=contact.organization_id,
                                      contact_id=contact.id, invited_by_id=staff.id if staff else None, answer=answer,
                                      answered_at=utcnow() if answer else None))

    meeting = db.session.scalar(sa.select(Mission).where(Mission.title == FIRST_MEETING))
    if meeting is None:
        day = date(2020, 9, 24)
        meeting = Mission(
            title=FIRST_MEETING, kind=MissionKind.CLUB_MEETING, destination="Oujda, CRI de l'Oriental",
            site=Site.OUJDA_SHORE, starts_at=at(day, 10), ends_at=at(day, 13),
            objectives="Lancer le club après le Siccam 2020 : feuille de route, engagements d'emplois, "
                       "actions dans les provinces de l'Oriental.",
            capacity=40, seats_per_organization=None, state=MissionState.DONE,
            created_by_id=staff.id if staff else None, created_at=at(day, 10) - timedelta(days=20),
        )
        meeting.partners = [o for o in (organisation("CRI de l'Oriental"), organisation("Apebi"), organisation("FIRO"),
                                        organisation("Siccam")) if o is not None]
        db.session.add(meeting)
        db.session.flush()
        db.session.add(AgendaItem(mission_id=meeting.id, day=day, starts_at=time(10), place="CRI de l'Oriental",
                                  title="Feuille de route du club"))
        db.session.add(MissionReport(
            mission_id=meeting.id,
            outcomes="Le club est constitué : CRI de l'Oriental, Apebi et Siccam en assurent le secrétariat. "
                     "Saccom conduira une activité pour les jeunes de Jerada avec les autorités locales ; "
                     "plus de 3 000 emplois annoncés par les membres.",
            contacts_made="Intelcia, Notoriety, Saccom, Eca groupe ; le FIRO pour le financement des opérateurs.",
            updated_by_id=staff.id if staff else None))
        db.session.add(FollowUpAction(mission_id=meeting.id, task="Activité jeunesse de Jerada (avec les autorités "
                                      "locales)", owner_organization_id=organisation("Saccom").id
                                      if organisation("Saccom") else None, owner_name="Nadia Amrani",
                                      due_on=date(2021, 3, 31)))
        notoriety = organisation("Notoriety")
        if notoriety is not None:
            db.session.add(MissionOutcome(mission_id=meeting.id, organization_id=notoriety.id,
                                          note="Installation à Oujda-shore ; pacte d'associés avec le FIRO."))
        created.append(FIRST_MEETING)
        db.session.flush()
    for n, name in enumerate(["Nadia Amrani", "Omar El Fassi", "Rachid Ziani", "Youssef Tahiri", "Mehdi Ouazzani"]):
        _register(meeting, people.get(name), RegistrationStatus.ATTENDED, staff, n)
    _link_first_meeting_to_its_deal(meeting, staff)
    db.session.flush()
    return [f"missions added: {len(created)}", f"contacts known: {len(people)}"]


def _link_first_meeting_to_its_deal(meeting: Mission, staff) -> None:
    """At the first meeting the FIRO met the operators: Intelcia's equity deal (in committee) came from it."""
    from club.deals.models import Deal, Stage

    intelcia = organisation("Intelcia")
    if intelcia is None:
        return
    deal = db.session.scalar(sa.select(Deal).where(Deal.target_id == intelcia.id, Deal.stage == Stage.COMMITTEE)
                             .order_by(Deal.id).limit(1))
    if deal is not None and db.session.get(MissionDeal, (meeting.id, deal.id)) is None:
        db.session.add(MissionDeal(mission_id=meeting.id, deal_id=deal.id, created_by_id=staff.id if staff else None,
                                   note="Le FIRO y a rencontré les opérateurs qui s'installent à Oujda."))
