"""The missions' reads: lists, counts and pages' rows, each filtered by the one visibility rule
(``Mission.visible_to``, asked through ``permissions.visible``), and the global search's provider."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from club.core.search import Hit
from club.core.text import contains_folded, fold, like_escape
from club.extensions import db
from club.members.models import Contact, Organization
from club.missions.models import (
    ACTIVE,
    SEATED,
    FollowUpAction,
    Invitation,
    InvitationAnswer,
    Mission,
    MissionKind,
    MissionOutcome,
    MissionState,
    Registration,
    RegistrationStatus,
    mission_partners,
)
from club.models import utcnow
from club.permissions import visible


def seat_counts():
    """A subquery: per mission, the seats taken and the length of the waiting list."""
    return (
        sa.select(
            Registration.mission_id.label("mission_id"),
            sa.func.count().filter(Registration.status.in_(SEATED)).label("seated"),
            sa.func.count().filter(Registration.status == RegistrationStatus.WAITLISTED).label("waitlisted"),
        )
        .group_by(Registration.mission_id)
        .subquery()
    )


def mission_list(user, *, when: str = "upcoming", kind: str = "", state: str = "", partner_id: int = 0,
                 now: datetime | None = None) -> sa.Select:
    """Rows of (Mission, seated, waitlisted) that ``user`` may see, filtered."""
    now = now or utcnow()
    counts = seat_counts()
    stmt = (
        sa.select(Mission, sa.func.coalesce(counts.c.seated, 0).label("seated"),
                  sa.func.coalesce(counts.c.waitlisted, 0).label("waitlisted"))
        .outerjoin(counts, counts.c.mission_id == Mission.id)
        .where(visible(Mission, user))
        .options(selectinload(Mission.partners))
    )
    if when == "past":
        stmt = stmt.where(Mission.ends_at < now).order_by(Mission.starts_at.desc(), Mission.id.desc())
    elif when == "all":
        stmt = stmt.order_by(Mission.starts_at.desc(), Mission.id.desc())
    else:
        stmt = stmt.where(Mission.ends_at >= now).order_by(Mission.starts_at, Mission.id)
    if kind in {k.value for k in MissionKind}:
        stmt = stmt.where(Mission.kind == MissionKind(kind))
    if state in {s.value for s in MissionState}:
        stmt = stmt.where(Mission.state == MissionState(state))
    if partner_id:
        stmt = stmt.where(sa.exists().where(mission_partners.c.mission_id == Mission.id,
                                            mission_partners.c.organization_id == partner_id))
    return stmt


def counts_for(mission_id: int) -> dict[str, int]:
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(Registration.status == RegistrationStatus.REGISTERED),
            sa.func.count().filter(Registration.status == RegistrationStatus.ATTENDED),
            sa.func.count().filter(Registration.status == RegistrationStatus.WAITLISTED),
            sa.func.count().filter(Registration.status == RegistrationStatus.CANCELLED),
        ).where(Registration.mission_id == mission_id)
    ).one()
    registered, attended, waitlisted, cancelled = (int(v or 0) for v in row)
    return {"registered": registered, "attended": attended, "seated": registered + attended,
            "waitlisted": waitlisted, "cancelled": cancelled}


def invitation_counts(mission_id: int) -> dict[str, int]:
    """Invitations by the invitee's true state: registered (a seat or the waiting list), declined, or
    not answered (which includes a registration cancelled since: the invitation is open again)."""
    active = sa.exists().where(Registration.mission_id == Invitation.mission_id,
                               Registration.contact_id == Invitation.contact_id,
                               Registration.status.in_(ACTIVE))
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(active),
            sa.func.count().filter(~active, Invitation.answer == InvitationAnswer.DECLINED),
        ).where(Invitation.mission_id == mission_id)
    ).one()
    invited, registered, declined = (int(v or 0) for v in row)
    return {"invited": invited, "registered": registered, "declined": declined,
            "answered": registered + declined, "not_answered": invited - registered - declined}


def registrations(mission_id: int, *, statuses=None, organization_id: int | None = None) -> sa.Select:
    """Registrations of a mission with their contact and organisation (joined: one query)."""
    stmt = (
        sa.select(Registration)
        .join(Registration.contact)
        .join(Registration.organization)
        .where(Registration.mission_id == mission_id)
        .options(sa.orm.contains_eager(Registration.contact), sa.orm.contains_eager(Registration.organization),
                 selectinload(Registration.registered_by))
    )
    if statuses is not None:
        stmt = stmt.where(Registration.status.in_(statuses))
    if organization_id is not None:
        stmt = stmt.where(Registration.organization_id == organization_id)
    order_status = sa.case((Registration.status == RegistrationStatus.WAITLISTED, 1),
                           (Registration.status == RegistrationStatus.CANCELLED, 2), else_=0)
    return stmt.order_by(order_status, Organization.name_key, Contact.name_key, Registration.id)


def waitlist_positions(mission_id: int) -> dict[int, int]:
    """Registration id -> 1-based place on the waiting list."""
    ids = db.session.scalars(
        sa.select(Registration.id)
        .where(Registration.mission_id == mission_id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id)
    )
    return {rid: n for n, rid in enumerate(ids, start=1)}


def participating_organizations(mission_id: int) -> list[tuple[str, int]]:
    """(organisation name, people with a seat or on the list): what members and partners see of the others."""
    return [tuple(r) for r in db.session.execute(
        sa.select(Organization.name, sa.func.count())
        .join(Registration, Registration.organization_id == Organization.id)
        .where(Registration.mission_id == mission_id, Registration.status.in_(ACTIVE))
        .group_by(Organization.id, Organization.name)
        .order_by(Organization.name)
    )]


def own_people(mission_id: int, organization_id: int) -> list[dict]:
    """A member's colleagues with their registration and invitation on this mission (one query)."""
    rows = db.session.execute(
        sa.select(Contact, Registration, Invitation)
        .outerjoin(Registration, sa.and_(Registration.contact_id == Contact.id, Registration.mission_id == mission_id))
        .outerjoin(Invitation, sa.and_(Invitation.contact_id == Contact.id, Invitation.mission_id == mission_id))
        .where(Contact.organization_id == organization_id)
        .order_by(Contact.name_key, Contact.id)
    ).all()
    return [{"contact": c, "registration": r, "invitation": i} for c, r, i in rows]


def organization_missions(org_id: int, user) -> dict:
    """For the organisation page: missions it took part in, partnered, or came from."""
    took_part = db.session.execute(
        sa.select(Mission, sa.func.count(Registration.id))
        .join(Registration, Registration.mission_id == Mission.id)
        .where(Registration.organization_id == org_id, Registration.status.in_(ACTIVE), visible(Mission, user))
        .group_by(Mission.id)
        .order_by(Mission.starts_at.desc())
        .limit(50)
    ).all()
    partnered = list(db.session.scalars(
        sa.select(Mission).join(mission_partners, mission_partners.c.mission_id == Mission.id)
        .where(mission_partners.c.organization_id == org_id, visible(Mission, user))
        .order_by(Mission.starts_at.desc()).limit(50)
    ))
    produced = db.session.execute(
        sa.select(Mission, MissionOutcome.note)
        .join(MissionOutcome, MissionOutcome.mission_id == Mission.id)
        .where(MissionOutcome.organization_id == org_id, visible(Mission, user))
        .order_by(Mission.starts_at.desc()).limit(50)
    ).all()
    return {"took_part": took_part, "partnered": partnered, "produced": produced}


def mission_deals(mission_id: int) -> list:
    """The deals a mission led to, with their stage (one query)."""
    from club.missions.models import MissionDeal

    return list(db.session.scalars(
        sa.select(MissionDeal).where(MissionDeal.mission_id == mission_id)
        .options(sa.orm.joinedload(MissionDeal.deal)).order_by(MissionDeal.created_at)
    ))


def missions_of_deal(deal_id: int, user) -> list:
    """The missions a deal came from that ``user`` may see (one query)."""
    from club.missions.models import MissionDeal

    return list(db.session.execute(
        sa.select(Mission, MissionDeal.note).join(MissionDeal, MissionDeal.mission_id == Mission.id)
        .where(MissionDeal.deal_id == deal_id, visible(Mission, user)).order_by(Mission.starts_at.desc())
    ).all())


def upcoming_registrations_of(user, limit: int = 20) -> list:
    """(registration, mission, contact) of the user's organisation on missions not yet over."""
    if not user.organization_id:
        return []
    return db.session.execute(
        sa.select(Registration, Mission, Contact)
        .join(Mission, Mission.id == Registration.mission_id)
        .join(Contact, Contact.id == Registration.contact_id)
        .where(Registration.organization_id == user.organization_id,
               Registration.status != RegistrationStatus.CANCELLED,
               Mission.ends_at >= utcnow(),
               visible(Mission, user))
        .order_by(Mission.starts_at, Contact.name_key).limit(limit)).all()


# --- what the pages read -----------------------------------------------------------------------

def partner_choices() -> list[tuple[int, str]]:
    """(id, name) of the organisations that partner at least one mission: the list's partner filter."""
    return [(row.id, row.name) for row in db.session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.id.in_(sa.select(mission_partners.c.organization_id)))
        .order_by(Organization.name))]


def follow_up_actions(mission_id: int) -> list[FollowUpAction]:
    """A mission's follow-up actions, those to do first, by due date (one query)."""
    return list(db.session.scalars(
        sa.select(FollowUpAction).where(FollowUpAction.mission_id == mission_id)
        .options(sa.orm.joinedload(FollowUpAction.owner_organization))
        .order_by(FollowUpAction.done_at.is_not(None), FollowUpAction.due_on, FollowUpAction.id)))


def outcomes(mission_id: int) -> list[MissionOutcome]:
    """The organisations a mission brought, with their names (one query)."""
    return list(db.session.scalars(
        sa.select(MissionOutcome).where(MissionOutcome.mission_id == mission_id)
        .options(sa.orm.joinedload(MissionOutcome.organization)).order_by(MissionOutcome.created_at)))


def registrable(mission_id: int, organization_id: int | None, user) -> list:
    """Whom the registration form offers (conditions over Contact joined to its Organization): the people ``user``
    may see not registered on the mission, of one organisation when ``organization_id`` is given. The service
    keeps the rules (a member registers their own organisation's people, seats, deadline)."""
    conditions = [visible(Contact, user),
                  ~sa.exists().where(Registration.mission_id == mission_id, Registration.contact_id == Contact.id,
                                     Registration.status != RegistrationStatus.CANCELLED)]
    if organization_id:
        conditions.append(Contact.organization_id == organization_id)
    return conditions


def invitation_rows(mission_id: int) -> sa.Select:
    """Rows of (invitation with its contact and organisation, registration or None): the unanswered first."""
    return (
        sa.select(Invitation, Registration).join(Invitation.contact).join(Invitation.organization)
        .outerjoin(Registration, sa.and_(Registration.mission_id == Invitation.mission_id,
                                         Registration.contact_id == Invitation.contact_id))
        .where(Invitation.mission_id == mission_id)
        .options(sa.orm.contains_eager(Invitation.contact), sa.orm.contains_eager(Invitation.organization))
        .order_by(Invitation.answer.is_not(None), Organization.name_key, Contact.name_key, Invitation.id))


def attendance_rows(mission_id: int, q: str = "") -> sa.Select:
    """The people with a seat on the mission, those whose name matches ``q`` (case and accents folded)."""
    stmt = registrations(mission_id, statuses=SEATED)
    if fold(q):
        stmt = stmt.where(Contact.name_key.like(f"%{like_escape(fold(q))}%", escape="\\"))
    return stmt


def registration_of(mission_id: int, contact_id: int) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(Registration.mission_id == mission_id,
                                                           Registration.contact_id == contact_id))


# --- the global search -------------------------------------------------------------------------

def search_missions(term: str, user, limit: int) -> tuple[int, list[Hit]]:
    """The missions ``user`` may see whose title or destination contains ``term``, case and accents folded
    (``club.core.text.contains_folded``): the next ones first, then the most recent; ``(how many, the first
    `limit` as hits)``, in two queries."""
    upcoming = Mission.ends_at >= utcnow()
    matching = sa.and_(visible(Mission, user), sa.or_(contains_folded(Mission.title, term),
                                                      contains_folded(Mission.destination, term)))
    total = db.session.scalar(sa.select(sa.func.count(Mission.id)).where(matching))
    if not total:
        return 0, []
    page = db.session.scalars(
        sa.select(Mission).where(matching)
        .order_by(upcoming.desc(), sa.case((upcoming, Mission.starts_at)), Mission.starts_at.desc(),
                  Mission.id.desc()).limit(limit))
    return total, [_hit(mission) for mission in page]


def _hit(mission: Mission) -> Hit:
    from club.formats import datetime_filter

    return Hit(title=mission.title, url=url_for("missions.detail", mission_id=mission.id),
               detail=" · ".join([str(mission.kind_label), mission.destination,
                                  datetime_filter(mission.starts_at, "d MMM y, HH:mm"), str(mission.state_label)]))


# --- the activity report's figures -------------------------------------------------------------------------------

