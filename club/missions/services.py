"""Mission services: they take data, add, flush, audit and queue mail; the caller commits.

A refusal is core's ``Refused(message, field)`` (nothing changed; ``field`` names the form field it belongs to); an
edit made on an old version raises ``Stale(record)`` (``check_version``).

Seats are decided under a lock on the mission row (``lock_mission``), so two people taking the
last seat at the same moment cannot both get it: one is seated, the other is wait-listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from club.core import audit
from club.core.outbox import already_queued, queue_mail
from club.core.refusals import Refused, check_version
from club.core.timezones import local_date, to_utc
from club.core.urls import absolute_url
from club.extensions import db
from club.members.models import SITE_LABELS, Contact, Membership, MembershipStatus, Organization, Site
from club.missions.models import (
    ACTIVE,
    SEATED,
    TRANSITIONS,
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
from club.permissions import Role

MISSION_FIELDS = ("title", "kind", "destination", "site", "starts_at", "ends_at", "objectives", "capacity",
                  "seats_per_organization", "registration_deadline")


@dataclass
class Saved:
    """What a mission save did: the audited changes and who moved up from the waiting list."""

    changes: dict
    promoted: list


@dataclass
class Invited:
    """What an invitation round did: how many were invited, and who was left out and why."""

    count: int
    already_invited: int = 0
    already_registered: int = 0


@dataclass
class MissionData:
    title: str
    kind: MissionKind
    destination: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    site: object = None
    objectives: str | None = None
    seats_per_organization: int | None = None
    registration_deadline: datetime | None = None
    partner_ids: tuple[int, ...] = ()


# --- locking -----------------------------------------------------------------------------------

def lock_mission(mission_id: int) -> Mission:
    """Take the write lock on the mission row and return it fresh from the database.

    PostgreSQL: ``SELECT ... FOR UPDATE`` (held until commit). SQLite: a no-op UPDATE on the row
    starts the write transaction at once (SQLite serialises writers, like ``BEGIN IMMEDIATE``), so
    every count read afterwards is the latest committed one.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        table = Mission.__table__
        db.session.execute(sa.update(table).where(table.c.id == mission_id)
                           .values(capacity=table.c.capacity, updated_at=table.c.updated_at))  # changes nothing
    return db.session.execute(
        sa.select(Mission).where(Mission.id == mission_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


# --- missions ----------------------------------------------------------------------------------

def _check_dates(data: MissionData) -> None:
    if data.ends_at < data.starts_at:
        raise Refused(_l("The end must not be before the start."), field="ends_at")
    if data.registration_deadline is not None and data.registration_deadline > data.ends_at:
        raise Refused(_l("The registration deadline must not be after the end of the mission."),
                      field="registration_deadline")
    if data.capacity < 1:
        raise Refused(_l("The capacity must be at least 1."), field="capacity")
    if data.seats_per_organization is not None and data.seats_per_organization < 1:
        raise Refused(_l("Seats per organisation must be at least 1 (or empty for no limit)."),
                      field="seats_per_organization")


def _partners(ids) -> list[Organization]:
    ids = sorted(set(ids or ()))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids))))


def create_mission(data: MissionData, *, by) -> Mission:
    _check_dates(data)
    mission = Mission(created_by_id=by.id, state=MissionState.DRAFT,
                      **{f: getattr(data, f) for f in MISSION_FIELDS})
    mission.partners = _partners(data.partner_ids)
    db.session.add(mission)
    db.session.flush()
    audit.record("mission.create", mission, by=by,
                 changes={f: [None, getattr(mission, f)] for f in MISSION_FIELDS}
                 | {"partners": [None, [p.name for p in mission.partners]]})
    return mission


def update_mission(mission: Mission, data: MissionData, *, version, by) -> Saved:
    """Save an edit made on ``version`` (as the form sent it); ``Stale`` when the mission was saved since, refused
    when the capacity is below the seats taken.

    Every save gives any free seat to the waiting list (a higher capacity, but also seats left free
    by an earlier change), first come first served."""
    _check_dates(data)
    mission = lock_mission(mission.id)  # no registration slips in between the check and the save
    check_version(mission, version)
    seated = _seated(mission.id)
    if data.capacity < seated:
        raise Refused(lazy_ngettext("The capacity cannot be below the %(num)s person already registered.",
                                    "The capacity cannot be below the %(num)s people already registered.", seated),
                      field="capacity")
    old_partners = [p.name for p in mission.partners]
    for f in MISSION_FIELDS:
        setattr(mission, f, getattr(data, f))
    mission.partners = _partners(data.partner_ids)
    changes = audit.diff(mission, MISSION_FIELDS)
    new_partners = [p.name for p in mission.partners]
    if new_partners != old_partners:
        changes["partners"] = [old_partners, new_partners]
    db.session.flush()
    if changes:
        audit.record("mission.update", mission, by=by, changes=changes)
    return Saved(changes=changes, promoted=promote_waitlist(mission, by=by))


@dataclass
class Moved:
    """What a change of state did: who moved up from the waiting list, how many emails were queued."""

    promoted: list
    notified: int = 0


def transition(mission: Mission, to: MissionState, *, by) -> Moved:
    """Move the mission to ``to``: a cancellation queues an email to each person concerned, a
    (re)opening or closing gives any free seat to the waiting list."""
    mission = lock_mission(mission.id)
    if to not in TRANSITIONS[mission.state]:
        raise Refused(_l("A mission cannot go from “%(a)s” to “%(b)s”.", a=mission.state_label,
                         b=_state_label(to)))
    old = mission.state
    mission.state = to
    db.session.flush()
    audit.record("mission.state", mission, by=by, changes={"state": [old, to]})
    if to == MissionState.CANCELLED:
        return Moved(promoted=[], notified=_notify_cancelled(mission))
    if to in (MissionState.OPEN, MissionState.CLOSED):
        return Moved(promoted=promote_waitlist(mission, by=by))
    return Moved(promoted=[])


def _state_label(state):
    from club.missions.models import STATE_LABELS

    return STATE_LABELS[state]


def _notify_cancelled(mission: Mission) -> int:
    """Queue the cancellation email to every registered and waitlisted person with an address; how many."""
    rows = db.session.execute(
        sa.select(Registration.id, Contact.name, Contact.email)
        .join(Contact, Contact.id == Registration.contact_id)
        .where(Registration.mission_id == mission.id, Registration.status.in_(ACTIVE), Contact.email.is_not(None),
               Contact.email != "")
        .order_by(Registration.id)
    ).all()
    locales = _locales([r.email for r in rows])
    for reg_id, name, email in rows:
        queue_mail("missions_cancelled", email, subject=_l("Mission cancelled: %(title)s", title=mission.title),
                   locale=locales.get(email.lower(), "fr"),
                   context={"name": name, "mission": mission, "url": absolute_url("missions.detail",
                                                                                  mission_id=mission.id)},
                   dedup_key=f"mission-{mission.id}-cancelled-{reg_id}")
    return len(rows)


# --- registrations -----------------------------------------------------------------------------

def _seated(mission_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.mission_id == mission_id, Registration.status.in_(SEATED)))


def _locales(emails) -> dict[str, str]:
    from club.auth.models import User

    emails = {e.lower() for e in emails if e}
    if not emails:
        return {}
    return dict(db.session.execute(sa.select(User.email, User.locale).where(User.email.in_(emails))).all())


def may_register_for(mission: Mission, user) -> bool:
    """Whether ``user`` may register people now (the secretariat also when registration is closed)."""
    if user.role == Role.SECRETARIAT:
        return mission.state in (MissionState.OPEN, MissionState.CLOSED)
    return (user.role == Role.MEMBER and user.organization_id is not None and mission.state == MissionState.OPEN
            and not mission.deadline_passed())


def register(mission: Mission, contact: Contact, *, by, now: datetime | None = None,
             invitation: Invitation | None = None) -> Registration:
    """Register ``contact`` on ``mission``: a seat if one is left, else the waiting list.

    A member registers only people of their own organisation, while the mission is open, before the
    deadline and within the seats allowed per organisation; the secretariat registers anyone while
    the mission is open or closed. An invitee accepting by the link in their email (``invitation``,
    ``by`` None) follows the member's rules for themselves.
    """
    now = now or utcnow()
    staff = by is not None and by.role == Role.SECRETARIAT
    if invitation is not None:
        if invitation.contact_id != contact.id:
            raise Refused(_l("You can register only people of your own organisation."), field="contact_id")
    elif not staff:
        if by.role != Role.MEMBER or by.organization_id is None or contact.organization_id != by.organization_id:
            raise Refused(_l("You can register only people of your own organisation."), field="contact_id")
    mission = lock_mission(mission.id)
    if staff:
        if mission.state not in (MissionState.OPEN, MissionState.CLOSED):
            raise Refused(_l("Registration is not open for this mission."), field="contact_id")
    else:
        if mission.state != MissionState.OPEN:
            raise Refused(_l("Registration is not open for this mission."), field="contact_id")
        if mission.deadline_passed(now):
            raise Refused(_l("The registration deadline has passed; only the secretariat can still register people."),
                          field="contact_id")
    existing = db.session.scalar(sa.select(Registration).where(
        Registration.mission_id == mission.id, Registration.contact_id == contact.id)
        .execution_options(populate_existing=True))
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise Refused(_l("%(name)s is already registered for this mission.", name=contact.name), field="contact_id")
    if mission.seats_per_organization and not staff:
        used = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
            Registration.mission_id == mission.id, Registration.organization_id == contact.organization_id,
            Registration.status.in_(ACTIVE)))
        if used >= mission.seats_per_organization:
            raise Refused(lazy_ngettext("Your organisation already has its %(num)s seat on this mission.",
                                        "Your organisation already has its %(num)s seats on this mission.",
                                        mission.seats_per_organization), field="contact_id")
    status = RegistrationStatus.REGISTERED if _seated(mission.id) < mission.capacity else RegistrationStatus.WAITLISTED
    if existing is not None:
        registration = existing
        registration.status = status
        registration.organization_id = contact.organization_id
        registration.queued_at = now
        registration.cancelled_at = None
        registration.attended_at = None
        registration.registered_by_id = getattr(by, "id", None)
        db.session.flush()
    else:
        registration = Registration(mission_id=mission.id, contact_id=contact.id,
                                    organization_id=contact.organization_id, status=status, queued_at=now,
                                    registered_by_id=getattr(by, "id", None))
        try:
            with db.session.begin_nested():
                db.session.add(registration)
        except sa.exc.IntegrityError:  # the same person registered by a request that committed first
            raise Refused(_l("%(name)s is already registered for this mission.", name=contact.name),
                          field="contact_id") from None
    db.session.execute(
        sa.update(Invitation).where(Invitation.mission_id == mission.id, Invitation.contact_id == contact.id)
        .values(answer=InvitationAnswer.REGISTERED, answered_at=now)
        .execution_options(synchronize_session=False))
    changes = {"mission_id": [None, mission.id], "contact": [None, contact.name], "status": [None, status]}
    if invitation is not None:
        changes["invitation"] = [None, InvitationAnswer.REGISTERED]
    audit.record("mission.register", registration, by=by, changes=changes)
    _mail_registration(mission, registration, contact,
                       "missions_registered" if status == RegistrationStatus.REGISTERED else "missions_waitlisted")
    return registration


def _mail_registration(mission: Mission, registration: Registration, contact: Contact, template: str) -> bool:
    """Queue the email telling ``contact`` (in the outbox, sent after the commit); False if they have no address."""
    if not contact.email:
        return False
    from club.missions.calendar import calendar_bytes

    subjects = {
        "missions_registered": _l("Registered: %(title)s", title=mission.title),
        "missions_waitlisted": _l("Waiting list: %(title)s", title=mission.title),
        "missions_promoted": _l("A seat is yours: %(title)s", title=mission.title),
    }
    locale = _locales([contact.email]).get(contact.email.lower(), "fr")
    attachments = []
    if template != "missions_waitlisted":
        with force_locale(locale):
            data = calendar_bytes(mission)
        attachments = [{"filename": f"mission-{mission.id}.ics", "content_type": "text/calendar", "data": data}]
    queue_mail(template, contact.email, subject=subjects[template], locale=locale,
               context={"name": contact.name, "mission": mission,
                        "url": absolute_url("missions.detail", mission_id=mission.id)},
               attachments=attachments)
    return True


def promote_waitlist(mission: Mission, *, by) -> list[Registration]:
    """Give the free seats to the first on the waiting list, in order; call with the mission locked."""
    if mission.state not in (MissionState.OPEN, MissionState.CLOSED):
        return []
    free = mission.capacity - _seated(mission.id)
    if free <= 0:
        return []
    promoted = list(db.session.scalars(
        sa.select(Registration).where(Registration.mission_id == mission.id,
                                      Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id).limit(free)
        .options(sa.orm.joinedload(Registration.contact))
        .execution_options(populate_existing=True)
    ))
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        audit.record("mission.promote", registration, by=by,
                     changes={"status": [RegistrationStatus.WAITLISTED, RegistrationStatus.REGISTERED]})
        _mail_registration(mission, registration, registration.contact, "missions_promoted")
    db.session.flush()
    return promoted


def may_cancel(registration: Registration, user) -> bool:
    if registration.status not in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED):
        return False
    if user.role == Role.SECRETARIAT:
        return True
    return (user.role == Role.MEMBER and user.organization_id == registration.organization_id
            and registration.mission.state == MissionState.OPEN)


def cancel_registration(registration: Registration, *, by, now: datetime | None = None) -> list[Registration]:
    """Cancel a registration; a freed seat goes at once to the first on the waiting list (returned)."""
    mission = lock_mission(registration.mission_id)
    db.session.refresh(registration)
    if not may_cancel(registration, by):
        raise Refused(_l("This registration cannot be cancelled."))
    old = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now or utcnow()
    db.session.flush()
    audit.record("mission.cancel_registration", registration, by=by, changes={"status": [old, registration.status]})
    if old == RegistrationStatus.REGISTERED:
        return promote_waitlist(mission, by=by)
    return []


def set_attendance(registration: Registration, attended: bool, *, by, now: datetime | None = None) -> None:
    if registration.status not in SEATED:
        raise Refused(_l("Only people with a seat can be marked present."))
    if registration.mission.state not in (MissionState.OPEN, MissionState.CLOSED, MissionState.DONE):
        raise Refused(_l("Attendance cannot be taken for this mission."))
    new = RegistrationStatus.ATTENDED if attended else RegistrationStatus.REGISTERED
    if registration.status == new:
        return
    old = registration.status
    registration.status = new
    registration.attended_at = (now or utcnow()) if attended else None
    db.session.flush()
    audit.record("mission.attendance", registration, by=by, changes={"status": [old, new]})


# --- reminders ---------------------------------------------------------------------------------

# How many days before its first (Casablanca) day a mission is recalled to the people seated on it.
REMINDER_DAYS = 2
# A mission still going ahead: a draft was never announced, a cancelled one was (its own email), a done one is over.
REMINDED_STATES = (MissionState.OPEN, MissionState.CLOSED)


def reminder_key(registration_id: int) -> str:
    """The outbox key of a registration's reminder: one reminder per registration, ever."""
    return f"missions:reminder:{registration_id}"


def _reminder_subject(context: dict) -> str:
    from club.formats import date_filter

    return _("Reminder: %(title)s on %(date)s", title=context["mission"].title,
             date=date_filter(context["first_day"], "full"))


def remind_upcoming(today: date, *, by=None) -> int:
    """Queue a reminder, with the calendar file, to each seated person with an address on every mission
    going ahead whose first day (in Casablanca) is within ``REMINDER_DAYS`` days after ``today``.

    Normally that first day is exactly ``today + REMINDER_DAYS``; a mission starting sooner is still
    reminded if it was not yet (a worker that was down a day catches up). Each registration is reminded
    once (its outbox key), so a second run queues nothing. Returns how many emails were queued."""
    from club.missions.calendar import calendar_bytes

    first, last = today + timedelta(days=1), today + timedelta(days=REMINDER_DAYS)
    since = to_utc(datetime.combine(first, time.min))
    until = to_utc(datetime.combine(last + timedelta(days=1), time.min))
    mission_ids = list(db.session.scalars(
        sa.select(Mission.id).where(Mission.state.in_(REMINDED_STATES), Mission.starts_at >= since,
                                    Mission.starts_at < until)
        .order_by(Mission.starts_at, Mission.id)))
    queued = 0
    for mission_id in mission_ids:
        mission = lock_mission(mission_id)  # two runs at once remind each person once
        if mission.state not in REMINDED_STATES or not first <= local_date(mission.starts_at) <= last:
            continue  # changed since the query above
        rows = [(registration, contact) for registration, contact in db.session.execute(
            sa.select(Registration, Contact).join(Contact, Contact.id == Registration.contact_id)
            .where(Registration.mission_id == mission.id, Registration.status.in_(SEATED),
                   Contact.email.is_not(None), Contact.email != "")
            .order_by(Registration.id)).all()
            if not already_queued(reminder_key(registration.id))]
        if not rows:
            continue
        locales = _locales([contact.email for _registration, contact in rows])
        context = {"mission": mission, "first_day": local_date(mission.starts_at),
                   "site": SITE_LABELS[mission.site] if mission.site not in (None, Site.NONE) else None,
                   "url": absolute_url("missions.detail", mission_id=mission.id)}
        calendars: dict[str, bytes] = {}
        for registration, contact in rows:
            locale = locales.get(contact.email.lower(), "fr")
            if locale not in calendars:
                with force_locale(locale):
                    calendars[locale] = calendar_bytes(mission)
            queue_mail("missions_reminder", contact.email, subject=_reminder_subject, locale=locale,
                       context={**context, "name": contact.name},
                       dedup_key=reminder_key(registration.id),
                       attachments=[{"filename": f"mission-{mission.id}.ics", "content_type": "text/calendar",
                                     "data": calendars[locale]}])
            audit.record("mission.reminded", registration, by=by, changes={"contact": [None, contact.name]})
            queued += 1
    return queued


# --- invitations -------------------------------------------------------------------------------

def active_member_ids(*, kind=None, province=None, site=None) -> list[int]:
    stmt = (sa.select(Organization.id).join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.status == MembershipStatus.ACTIVE, Organization.archived_at.is_(None)))
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    if province:
        stmt = stmt.where(Organization.province == province)
    if site:
        stmt = stmt.where(Organization.site == site)
    return list(db.session.scalars(stmt.order_by(Organization.id)))


def invite(mission: Mission, organization_ids, *, all_contacts: bool, by) -> Invited:
    """Invite the organisations' primary contact (or all their contacts with an email).

    Nobody is invited twice, and nobody already registered or on the waiting list is invited: the
    result says how many were invited and how many were left out for each reason. Each email carries
    a signed link with which the invitee accepts or declines without an account."""
    if mission.state != MissionState.OPEN:
        raise Refused(_l("Invitations are sent once the mission is open for registration."))
    ids = sorted(set(organization_ids))
    if not ids:
        raise Refused(_l("No organisation matches: nobody was invited."))
    mission = lock_mission(mission.id)  # two rounds sent at once invite each person once
    contacts = list(db.session.scalars(
        sa.select(Contact).where(Contact.organization_id.in_(ids), Contact.email.is_not(None), Contact.email != "")
        .order_by(Contact.organization_id, Contact.is_primary.desc(), Contact.id)))
    chosen: list[Contact] = []
    seen_orgs: set[int] = set()
    for contact in contacts:
        if all_contacts:
            chosen.append(contact)
        elif contact.organization_id not in seen_orgs:  # the primary contact, else the first with an email
            chosen.append(contact)
        seen_orgs.add(contact.organization_id)
    already = set(db.session.scalars(sa.select(Invitation.contact_id).where(Invitation.mission_id == mission.id)))
    registered = set(db.session.scalars(sa.select(Registration.contact_id).where(
        Registration.mission_id == mission.id, Registration.status.in_(ACTIVE))))
    result = Invited(count=0, already_invited=sum(1 for c in chosen if c.id in already),
                     already_registered=sum(1 for c in chosen if c.id not in already and c.id in registered))
    chosen = [c for c in chosen if c.id not in already and c.id not in registered]
    locales = _locales([c.email for c in chosen])
    invitations = []
    for contact in chosen:
        invitation = Invitation(mission_id=mission.id, organization_id=contact.organization_id,
                                contact_id=contact.id, invited_by_id=by.id)
        db.session.add(invitation)
        invitations.append((invitation, contact))
    db.session.flush()
    for invitation, contact in invitations:
        queue_mail("missions_invitation", contact.email, subject=_l("Invitation: %(title)s", title=mission.title),
                   locale=locales.get(contact.email.lower(), "fr"),
                   context={"name": contact.name, "mission": mission,
                            "url": absolute_url("missions.detail", mission_id=mission.id),
                            "answer_url": absolute_url("missions.answer", token=invitation_token(invitation))},
                   dedup_key=f"mission-{mission.id}-invite-{contact.id}")
    if chosen:
        audit.record("mission.invite", mission, by=by,
                     changes={"invited": [None, [c.name for c in chosen]]})
    result.count = len(chosen)
    return result


# A link in an invitation answers it until the mission ends; this is the longest it can live.
INVITATION_TOKEN_MAX_AGE = 366 * 24 * 3600


def _token_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="club-mission-invitation")


def invitation_token(invitation: Invitation) -> str:
    """The signed token of the answer link in the invitation email (names the invitation and its invitee)."""
    return _token_serializer().dumps({"i": invitation.id, "c": invitation.contact_id})


def invitation_from_token(token: str) -> tuple[Invitation | None, str | None]:
    """``(invitation, None)`` for a good link; ``(None, "invalid")`` or ``(None, "expired")`` otherwise."""
    try:
        data = _token_serializer().loads(token, max_age=INVITATION_TOKEN_MAX_AGE)
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("c"), int):
        return None, "invalid"
    invitation = db.session.get(Invitation, data["i"])
    if invitation is None or invitation.contact_id != data["c"]:
        return None, "invalid"
    if utcnow() > invitation.mission.ends_at:
        return None, "expired"
    return invitation, None


def invitee_locale(invitation: Invitation) -> str | None:
    """The language the invitation email was written in (the invitee's account's, when they have one)."""
    email = invitation.contact.email
    return _locales([email]).get(email.lower()) if email else None


def may_answer(invitation: Invitation, user) -> bool:
    if invitation.answer is not None or invitation.mission.state != MissionState.OPEN:
        return False
    return user.role == Role.SECRETARIAT or (user.role == Role.MEMBER
                                            and user.organization_id == invitation.organization_id)


def decline(invitation: Invitation, *, by) -> None:
    if not may_answer(invitation, by):
        raise Refused(_l("This invitation has already been answered."))
    invitation.answer = InvitationAnswer.DECLINED
    invitation.answered_at = utcnow()
    db.session.flush()
    audit.record("mission.decline", invitation, by=by, changes={"answer": [None, InvitationAnswer.DECLINED]})


@dataclass
class Answer:
    """What an answer by link did: ``changed`` False when it only repeated the answer already given."""

    answer: InvitationAnswer
    changed: bool
    registration: Registration | None = None


def answer_invitation(invitation: Invitation, accept: bool, *, now: datetime | None = None) -> Answer:
    """The invitee's own answer, by the signed link in their email (no account, so no ``by``).

    One answer per invitation: giving the same answer again changes nothing (a double click, a
    reload, twenty at once); a different one afterwards is refused (the secretariat changes it).
    Accepting registers the invitee as a member would (a seat, else the waiting list)."""
    now = now or utcnow()
    wanted = InvitationAnswer.REGISTERED if accept else InvitationAnswer.DECLINED
    lock_mission(invitation.mission_id)  # answers to one mission are decided one at a time
    invitation = db.session.execute(sa.select(Invitation).where(Invitation.id == invitation.id)
                                    .execution_options(populate_existing=True)).scalar_one()
    contact = invitation.contact
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.mission_id == invitation.mission_id, Registration.contact_id == contact.id)
        .execution_options(populate_existing=True))
    active = registration is not None and registration.status in ACTIVE
    # A registration cancelled since (by the member or the secretariat) leaves the invitation open again.
    given = InvitationAnswer.REGISTERED if active else (
        InvitationAnswer.DECLINED if invitation.answer == InvitationAnswer.DECLINED else None)
    if given is not None:
        if given == wanted:
            return Answer(answer=given, changed=False, registration=registration if active else None)
        if given == InvitationAnswer.REGISTERED:
            raise Refused(_l("You are already registered: to cancel, write to the secretariat."))
        raise Refused(_l("You have already declined this invitation: to take part after all, write to the "
                         "secretariat."))
    if accept:
        registration = register(invitation.mission, contact, by=None, now=now, invitation=invitation)
        return Answer(answer=wanted, changed=True, registration=registration)
    if invitation.mission.state != MissionState.OPEN:
        raise Refused(_l("Registration is not open for this mission."))
    invitation.answer = InvitationAnswer.DECLINED
    invitation.answered_at = now
    db.session.flush()
    audit.record("mission.decline", invitation, by=None,
                 changes={"answer": [None, InvitationAnswer.DECLINED], "contact": [None, contact.name]})
    return Answer(answer=wanted, changed=True)


# --- agenda, report, follow-up, outcomes -------------------------------------------------------

def add_agenda_item(mission: Mission, *, day: date, starts_at: time | None, place: str | None, title: str,
                    by) -> AgendaItem:
    local_start, local_end = local_date(mission.starts_at), local_date(mission.ends_at)
    if not local_start <= day <= local_end:
        raise Refused(_l("The day must fall within the mission's dates."), field="day")
    item = AgendaItem(mission_id=mission.id, day=day, starts_at=starts_at, place=place or None, title=title)
    db.session.add(item)
    db.session.flush()
    audit.record("mission.agenda_add", mission, by=by, changes={"agenda": [None, f"{day} {title}"]})
    return item


def delete_agenda_item(item: AgendaItem, *, by) -> None:
    audit.record("mission.agenda_delete", item.mission, by=by, changes={"agenda": [f"{item.day} {item.title}", None]})
    db.session.delete(item)
    db.session.flush()


def save_report(mission: Mission, *, outcomes: str | None, contacts_made: str | None, version, by
                ) -> MissionReport | None:
    """Write the report; ``Stale(report)`` when it was saved since ``version`` (as the form sent it)."""
    report = mission.report
    if report is None and not (outcomes or contacts_made):
        return None  # nothing written yet, nothing to keep
    if report is None:
        report = MissionReport(mission=mission)
        db.session.add(report)
    else:
        check_version(report, version)
    report.outcomes = outcomes or None
    report.contacts_made = contacts_made or None
    changes = audit.diff(report, ("outcomes", "contacts_made"))
    if changes:  # an untouched save changes nothing, not even who wrote it last
        report.updated_by_id = by.id
    db.session.flush()
    if changes:
        audit.record("mission.report", mission, by=by, changes=changes)
    return report


def add_action(mission: Mission, *, task: str, owner_organization_id: int | None, owner_name: str | None,
               due_on: date | None, by) -> FollowUpAction:
    action = FollowUpAction(mission_id=mission.id, task=task, owner_organization_id=owner_organization_id or None,
                            owner_name=owner_name or None, due_on=due_on)
    db.session.add(action)
    db.session.flush()
    audit.record("mission.action_add", action, by=by, changes={"task": [None, task]})
    return action


def set_action_done(action: FollowUpAction, done: bool, *, by) -> None:
    old = action.done_at
    action.done_at = utcnow() if done else None
    db.session.flush()
    audit.record("mission.action_done", action, by=by, changes={"done_at": [old, action.done_at]})


def add_outcome(mission: Mission, organization: Organization, *, note: str | None, by) -> MissionOutcome:
    if db.session.get(MissionOutcome, (mission.id, organization.id)) is not None:
        raise Refused(_l("%(name)s is already linked to this mission.", name=organization.name),
                      field="organization_id")
    outcome = MissionOutcome(mission_id=mission.id, organization_id=organization.id, note=note or None,
                             created_by_id=by.id)
    try:
        with db.session.begin_nested():
            db.session.add(outcome)
    except sa.exc.IntegrityError:
        raise Refused(_l("%(name)s is already linked to this mission.", name=organization.name),
                      field="organization_id") from None
    audit.record("mission.outcome_add", mission, by=by, changes={"outcome": [None, organization.name]})
    return outcome


def remove_outcome(outcome: MissionOutcome, *, by) -> None:
    audit.record("mission.outcome_remove", None, by=by, entity_type="missions", entity_id=outcome.mission_id,
                 changes={"outcome": [outcome.organization.name, None]})
    db.session.delete(outcome)
    db.session.flush()


def add_deal_link(mission: Mission, deal, *, note: str | None, by) -> MissionDeal:
    """Record that ``mission`` led to ``deal`` (shown on both pages)."""
    if db.session.get(MissionDeal, (mission.id, deal.id)) is not None:
        raise Refused(_l("%(title)s is already linked to this mission.", title=deal.title), field="deal_id")
    link = MissionDeal(mission_id=mission.id, deal_id=deal.id, note=note or None, created_by_id=by.id)
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except sa.exc.IntegrityError:
        raise Refused(_l("%(title)s is already linked to this mission.", title=deal.title), field="deal_id") from None
    audit.record("mission.deal_add", mission, by=by, changes={"deal": [None, deal.title]})
    return link


def remove_deal_link(link: MissionDeal, *, by) -> None:
    audit.record("mission.deal_remove", None, by=by, entity_type="missions", entity_id=link.mission_id,
                 changes={"deal": [link.deal.title, None]})
    db.session.delete(link)
    db.session.flush()
