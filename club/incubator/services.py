"""Incubator services: they take data, add, flush, audit, queue mail, and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from club.auth.models import User
from club.core import audit
from club.core.freshness import fresh
from club.core.outbox import queue_mail
from club.core.refusals import Refused, check_version
from club.core.storage import store
from club.core.text import like_escape
from club.core.urls import absolute_url
from club.extensions import db
from club.incubator.models import (
    STATUS_LABELS,
    Application,
    Call,
    Criterion,
    DeckVersion,
    Message,
    Recommendation,
    Review,
    Score,
    Stage,
    Status,
    StatusChange,
    may_move,
)
from club.members import services as members_services
from club.members.models import Organization, OrgKind, Province
from club.models import utcnow
from club.permissions import Role

DECK_MAX_SIZE = 10 * 1024 * 1024
# The request limit of the application form (text and deck together): above the deck limit, so that a
# deck a little too big is refused at the field and the text sent with it is saved.
DECK_REQUEST_LIMIT = 5 * DECK_MAX_SIZE

EDITABLE_FIELDS = ("startup_name", "project_title", "problem", "solution", "market", "business_model", "stage",
                   "team", "needs", "jobs_12m", "jobs_36m", "province")
# Fields that must be filled to submit (a draft may leave them empty).
REQUIRED_TO_SUBMIT = EDITABLE_FIELDS
CALL_FIELDS = ("title", "description", "opens_at", "closes_at", "capacity", "is_blind_first_round")


# Calls -------------------------------------------------------------------------------------------

@dataclass
class CriterionData:
    name: str
    weight: int
    low_anchor: str = ""
    high_anchor: str = ""
    id: int | None = None


def _check_call_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise Refused(_l("The closing date must come after the opening date."), field="closes_at")


def _check_title(title: str, call: Call | None = None) -> None:
    """Two calls never share a title (a unique constraint too): refused at the field."""
    stmt = sa.select(Call.id).where(Call.title == title)
    if call is not None:
        stmt = stmt.where(Call.id != call.id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise Refused(_l("A call with this title already exists."), field="title")


def create_call(*, title: str, description: str, opens_at: datetime, closes_at: datetime, capacity: int,
                is_blind_first_round: bool, criteria: list[CriterionData], by) -> Call:
    _check_title(title)
    _check_call_dates(opens_at, closes_at)
    if not criteria:
        raise Refused(_l("A call needs at least one scoring criterion."), field="criteria")
    call = Call(title=title, description=description, opens_at=opens_at, closes_at=closes_at, capacity=capacity,
                is_blind_first_round=is_blind_first_round)
    for position, c in enumerate(criteria):
        call.criteria.append(Criterion(position=position, name=c.name, weight=c.weight, low_anchor=c.low_anchor,
                                       high_anchor=c.high_anchor))
    db.session.add(call)
    db.session.flush()
    audit.record("incubator.call.create", call, by=by, changes={"title": [None, title]})
    return call


def has_scores(call: Call) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Score).join(Criterion).where(Criterion.call_id == call.id)
    ) > 0


def _same_minute(a, b) -> bool:
    """Two moments within the same minute (a naive one is UTC, as stored)."""
    a, b = (v if v.tzinfo else v.replace(tzinfo=UTC) for v in (a, b))
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def update_call(call: Call, *, version, criteria: list[CriterionData] | None = None, by, **fields) -> dict:
    """Raises ``Stale(call)`` when ``version`` (the one the form was read at) is not the call's."""
    check_version(call, version)
    if "title" in fields:
        _check_title(fields["title"], call)
    for name in ("opens_at", "closes_at"):  # the form shows minutes: the same minute is no change
        old, new = getattr(call, name), fields.get(name)
        if old is not None and new is not None and _same_minute(old, new):
            fields.pop(name)
    _check_call_dates(fields.get("opens_at", call.opens_at), fields.get("closes_at", call.closes_at))
    for name, value in fields.items():
        setattr(call, name, value)
    changes = audit.diff(call, [f for f in CALL_FIELDS if f in fields])
    if criteria is not None:
        if not criteria:
            raise Refused(_l("A call needs at least one scoring criterion."), field="criteria")
        old = [(c.name, c.weight, c.low_anchor, c.high_anchor) for c in call.criteria]
        new = [(c.name, c.weight, c.low_anchor, c.high_anchor) for c in criteria]
        if old != new:
            by_id = {c.id: c for c in call.criteria}
            kept_ids = {c.id for c in criteria if c.id in by_id}
            if has_scores(call) and (kept_ids != set(by_id) or len(criteria) != len(by_id)):
                raise Refused(_l("Reviews have been scored: criteria can be renamed or reweighted, "
                                 "not added or removed."), field="criteria")
            for c in list(call.criteria):
                if c.id not in kept_ids:
                    call.criteria.remove(c)
            db.session.flush()
            for position, data in enumerate(criteria):
                row = by_id.get(data.id) if data.id in kept_ids else None
                if row is None:
                    row = Criterion(position=position)
                    call.criteria.append(row)
                row.position, row.name, row.weight = position, data.name, data.weight
                row.low_anchor, row.high_anchor = data.low_anchor, data.high_anchor
            changes["criteria"] = [[o[0] for o in old], [n[0] for n in new]]
    if changes:
        db.session.flush()
        audit.record("incubator.call.update", call, by=by, changes=changes)
    return changes


def open_second_round(call: Call, *, by) -> None:
    if call.review_round != 1:
        raise Refused(_l("The second round is already open."))
    call.review_round = 2
    db.session.flush()
    audit.record("incubator.call.second_round", call, by=by, changes={"review_round": [1, 2]})


# Applications ------------------------------------------------------------------------------------

def create_application(call: Call, *, applicant, now: datetime | None = None) -> Application:
    if not call.is_open(now):
        raise Refused(_l("This call is not open for applications."))
    existing = db.session.scalar(sa.select(Application).where(Application.call_id == call.id,
                                                              Application.applicant_id == applicant.id))
    if existing is not None:
        return existing
    application = Application(call=call, applicant_id=applicant.id, status=Status.DRAFT)
    db.session.add(application)
    db.session.flush()
    db.session.add(StatusChange(application=application, from_status=None, to_status=Status.DRAFT,
                                by_id=applicant.id))
    audit.record("incubator.application.create", application, by=applicant, changes={"call_id": [None, call.id]})
    return application


def save_draft(application: Application, *, version, data: dict, consent: bool | None = None, by) -> dict:
    """Save what the applicant typed; nothing is required at this point. ``Stale(application)`` when it was
    saved elsewhere since the form was read."""
    if application.status != Status.DRAFT:
        raise Refused(_l("A submitted application can no longer be edited."))
    check_version(application, version)
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip()
            if name == "stage" and value:
                value = Stage(value)
            if name == "province" and value:
                value = Province(value)
            if name in ("stage", "province", "jobs_12m", "jobs_36m") and value in ("", None):
                value = None
            elif value is None:
                value = ""
            setattr(application, name, value)
    if consent is not None:
        if consent and application.consent_at is None:
            application.consent_at = utcnow()
        elif not consent:
            application.consent_at = None
    changes = audit.diff(application, [*EDITABLE_FIELDS, "consent_at"])
    if changes:
        application.updated_at = utcnow()
        db.session.flush()
        audit.record("incubator.application.save", application, by=by, changes=changes)
    return changes


def missing_for_submit(application: Application) -> list[str]:
    missing = [name for name in REQUIRED_TO_SUBMIT if getattr(application, name) in (None, "")]
    if application.deck is None:
        missing.append("deck")
    if application.consent_at is None:
        missing.append("consent")
    return missing


def upload_deck(application: Application, *, data: bytes, filename: str | None, by) -> DeckVersion:
    if not application.can_edit(by):
        raise Refused(_l("The pitch deck can only be changed while the application is a draft."))
    stored = store(data, filename, kinds={"pdf"}, max_size=DECK_MAX_SIZE, by=by, field="deck")
    number = (db.session.scalar(sa.select(sa.func.max(DeckVersion.number))
                                .where(DeckVersion.application_id == application.id)) or 0) + 1
    deck = DeckVersion(application_id=application.id, number=number, stored_file_id=stored.id, uploaded_by_id=by.id)
    db.session.add(deck)
    db.session.flush()
    db.session.expire(application, ["decks"])
    audit.record("incubator.application.deck", application, by=by,
                 changes={"deck": [number - 1 or None, number]})
    return deck


# The statuses of a startup that has its place (and may become an organisation of the register).
HOLDS_A_PLACE = (Status.ACCEPTED, Status.INCUBATED, Status.GRADUATED)


def suggested_organizations(application: Application, limit: int = 5) -> list[Organization]:
    """Organisations whose name looks like the startup's: suggestions for the secretariat, never a link. A rare
    word reads the whole name index: the ids found are kept until the data changes (``club.core.freshness``)."""
    key = Organization.key_for(application.startup_name or "")
    if not key:
        return []
    ids = fresh(("incubator.suggested_organizations", key, limit),
                lambda: [o.id for o in _suggested_organizations(key, limit)])
    found = {o.id: o for o in db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _suggested_organizations(key: str, limit: int) -> list[Organization]:
    words = [w for w in key.split() if len(w) >= 3][:3] or [key]
    current = Organization.archived_at.is_(None)
    exact = list(db.session.scalars(sa.select(Organization).where(current, Organization.name_key == key)
                                    .order_by(Organization.name).limit(limit)))
    # Each word: a walk of the name index (archived_at, name_key) that stops at ``limit`` rows; the first ``limit``
    # of them all by name are the first of the matches of any word.
    found = {o.id: o for word in words for o in db.session.scalars(
        sa.select(Organization).where(current, Organization.name_key.like(f"%{like_escape(word)}%", escape="\\"))
        .order_by(Organization.name_key, Organization.id).limit(limit))}
    others = sorted((o for i, o in found.items() if all(i != e.id for e in exact)), key=lambda o: (o.name, o.id))
    return (exact + others)[:limit]


def link_organization(application: Application, organization: Organization | None = None, *, by) -> Organization:
    """The secretariat links the application to an organisation it names, or creates a new startup
    organisation with the startup's name (refused when the name is taken: never attached by a guess).
    Nothing of the application but its name goes into the new organisation (blind review)."""
    if organization is None:
        if application.status not in HOLDS_A_PLACE:
            raise Refused(_l("A new organisation is created for a startup once it is accepted; until then, link an "
                             "existing organisation or wait."), field="organization")
        name = (application.startup_name or "").strip()
        if not name:
            raise Refused(_l("The application has no startup name to create an organisation with."),
                          field="organization")
        try:  # the members' one way to create an organisation (its search text, its audit "organization.created")
            organization = members_services.create_organization_for(name, OrgKind.STARTUP,
                                                                    province=application.province, by=by)
        except members_services.Duplicate as exc:
            raise Refused(_l("An organisation named “%(name)s” already exists (#%(id)s): link it if it is this "
                             "startup, or ask the applicant for another name.", name=exc.existing.name,
                             id=exc.existing.id), field="organization") from exc
        applicant = application.applicant
        if applicant.organization_id is None:
            applicant.organization_id = organization.id
    old = application.organization_id
    if old == organization.id:
        return organization
    application.organization_id = organization.id
    db.session.flush()
    db.session.expire(application, ["organization"])
    audit.record("incubator.application.organization", application, by=by,
                 changes={"organization_id": [old, organization.id]})
    return organization


def _record_move(application: Application, to_status: Status, *, by, note: str | None = None) -> StatusChange:
    old = application.status
    application.status = to_status
    application.status_changed_at = utcnow()
    change = StatusChange(application_id=application.id, from_status=old, to_status=to_status,
                          by_id=getattr(by, "id", None), note=note or None)
    db.session.add(change)
    db.session.flush()
    db.session.expire(application, ["changes"])
    audit.record("incubator.application.move", application, by=by, changes={"status": [old, to_status]})
    return change


def submit(application: Application, *, by, now: datetime | None = None) -> StatusChange:
    now = now or utcnow()
    if not application.is_owned_by(by):
        raise Refused(_l("Only the applicant can submit the application."))
    if not may_move(application.status, Status.SUBMITTED):
        raise Refused(_l("This application has already been submitted."))
    call = application.call
    if now >= call.closes_at:
        raise Refused(_l("The deadline of this call has passed: the application can no longer be submitted."))
    if now < call.opens_at:
        raise Refused(_l("This call is not open yet."))
    missing = missing_for_submit(application)
    if missing:
        raise Refused(_l("Some required information is missing."), problems={m: True for m in missing})
    application.submitted_at = now
    # The startup is linked to an organisation only by the secretariat, explicitly (link_organization).
    change = _record_move(application, Status.SUBMITTED, by=by)
    queue_mail("incubator_submitted", application.applicant.email,
               subject=_l("Your application has been received"), locale=application.applicant.locale,
               context={"application": application, "call": call,
                        "url": absolute_url("incubator.application", application_id=application.id)},
               dedup_key=f"incubator-submitted-{application.id}")
    return change


def withdraw(application: Application, *, by, note: str | None = None) -> StatusChange:
    if not may_move(application.status, Status.WITHDRAWN):
        raise Refused(_l("This application can no longer be withdrawn."))
    return _record_move(application, Status.WITHDRAWN, by=by, note=note)


# Default emails of a move, in the applicant's language; the secretariat may edit them before sending.
MOVE_MAIL = {
    Status.SCREENING: (_l("Your application is being screened"),
                       _l("Hello %(name)s,\n\nYour application \"%(title)s\" to the call \"%(call)s\" is now "
                          "being screened by the secretariat. We may contact you with questions.\n\n"
                          "The secretariat of the Oriental Offshoring Club")),
    Status.INTERVIEW: (_l("Invitation to an interview"),
                       _l("Hello %(name)s,\n\nYour application \"%(title)s\" to the call \"%(call)s\" has been "
                          "short-listed. The secretariat will contact you to set a date for an interview with the "
                          "selection committee.\n\nThe secretariat of the Oriental Offshoring Club")),
    Status.ACCEPTED: (_l("Your application has been accepted"),
                      _l("Hello %(name)s,\n\nCongratulations: your application \"%(title)s\" to the call "
                         "\"%(call)s\" has been accepted into the incubator.\n\n"
                         "The secretariat of the Oriental Offshoring Club")),
    Status.WAITLISTED: (_l("Your application is on the waiting list"),
                        _l("Hello %(name)s,\n\nYour application \"%(title)s\" to the call \"%(call)s\" is on the "
                           "waiting list. We will tell you as soon as a place opens.\n\n"
                           "The secretariat of the Oriental Offshoring Club")),
    Status.REJECTED: (_l("Your application to the incubator"),
                      _l("Hello %(name)s,\n\nThank you for applying with \"%(title)s\" to the call \"%(call)s\". "
                         "We regret that we cannot take your application further this time.\n\n"
                         "The secretariat of the Oriental Offshoring Club")),
    Status.WITHDRAWN: (_l("Your application has been withdrawn"),
                       _l("Hello %(name)s,\n\nYour application \"%(title)s\" to the call \"%(call)s\" has been "
                          "withdrawn.\n\nThe secretariat of the Oriental Offshoring Club")),
    Status.INCUBATED: (_l("Welcome to the incubator"),
                       _l("Hello %(name)s,\n\n\"%(title)s\" now starts its incubation with the Oriental Offshoring "
                          "Club.\n\nThe secretariat of the Oriental Offshoring Club")),
    Status.GRADUATED: (_l("Congratulations on graduating from the incubator"),
                       _l("Hello %(name)s,\n\n\"%(title)s\" has graduated from the incubator of the Oriental "
                          "Offshoring Club. Congratulations!\n\nThe secretariat of the Oriental Offshoring Club")),
    Status.DROPPED: (_l("Your incubation has ended"),
                     _l("Hello %(name)s,\n\nThe incubation of \"%(title)s\" has ended.\n\n"
                        "The secretariat of the Oriental Offshoring Club")),
}


def default_move_mail(application: Application, to_status: Status) -> tuple[str, str]:
    """Subject and body of the email for a move, in the applicant's language."""
    subject, body = MOVE_MAIL[to_status]
    values = {"name": application.applicant.name, "title": application.project_title or application.startup_name,
              "call": application.call.title}
    with force_locale(application.applicant.locale or "fr"):
        return str(subject), str(body) % values


def places_taken(call: Call) -> int:
    """Applications holding a place in the cohort (accepted, incubated, graduated)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.call_id == call.id,
        Application.status.in_(HOLDS_A_PLACE)))


def secretariat_moves(application: Application) -> list[Status]:
    """Targets the secretariat may choose (only the applicant submits)."""
    return [s for s in Status if may_move(application.status, s) and s != Status.SUBMITTED]


def move(application: Application, to_status: Status, *, by, version=None, note: str | None = None,
         mail_subject: str | None = None, mail_body: str | None = None) -> StatusChange:
    """A secretariat move; with a subject and body, the applicant is emailed (text as edited). With the
    ``version`` the form was read at: ``Stale(application)`` when the application changed since."""
    if version is not None:
        check_version(application, version)
    if not may_move(application.status, to_status) or to_status == Status.SUBMITTED:
        raise Refused(_l("An application cannot move from %(old)s to %(new)s.",
                         old=STATUS_LABELS[application.status], new=STATUS_LABELS[to_status]))
    change = _record_move(application, to_status, by=by, note=note)
    if mail_subject and mail_body:
        applicant = application.applicant
        queue_mail("incubator_status", applicant.email, subject=mail_subject.strip(), locale=applicant.locale,
                   context={"body": mail_body, "application": application,
                            "url": absolute_url("incubator.application", application_id=application.id)},
                   dedup_key=f"incubator-move-{change.id}")
    return change


def post_message(application: Application, *, body: str, by) -> Message:
    body = body.strip()
    if not body:
        raise Refused(_l("The message is empty."), field="body")
    from_secretariat = by.role == Role.SECRETARIAT
    if not from_secretariat and not application.is_owned_by(by):
        raise Refused(_l("You cannot write in this thread."), field="body")
    if not from_secretariat and application.status == Status.DRAFT:
        raise Refused(_l("Messages open once the application is submitted."), field="body")
    message = Message(application_id=application.id, author_id=by.id, from_secretariat=from_secretariat, body=body)
    db.session.add(message)
    db.session.flush()
    db.session.expire(application, ["messages"])
    audit.record("incubator.application.message" if from_secretariat else "incubator.application.reply", application,
                 by=by, changes={"message": [None, message.id]})
    url = absolute_url("incubator.application", application_id=application.id)
    if from_secretariat:
        applicant = application.applicant
        queue_mail("incubator_message", applicant.email, subject=_l("A message about your application"),
                   locale=applicant.locale, context={"application": application, "body": body, "url": url},
                   dedup_key=f"incubator-message-{message.id}")
    else:
        _notify_secretariat(application, message, url=url)
    return message


EXCERPT_LENGTH = 300


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of a message, cut at a word when it is longer than ``length`` characters."""
    text = text.strip()
    if len(text) <= length:
        return text
    cut = text[:length]
    if not text[length].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def _notify_secretariat(application: Application, message: Message, *, url: str) -> None:
    """An applicant's reply: one email per active secretariat user, in their language (never to a reviewer)."""
    recipients = db.session.scalars(sa.select(User).where(User.role == Role.SECRETARIAT, User.active.is_(True))
                                    .order_by(User.id))
    name = " ".join(application.display_name.split())  # a subject is one line
    for user in recipients:
        queue_mail("incubator_reply", user.email,
                   subject=_l("Applicant's reply: %(name)s (#%(id)s)", name=name, id=application.id),
                   locale=user.locale,
                   context={"recipient": user, "application": application, "call": application.call,
                            "excerpt": excerpt(message.body), "url": url},
                   dedup_key=f"incubator-reply-{message.id}-{user.id}")


# Reviews -----------------------------------------------------------------------------------------

def eligible_reviewer(user) -> bool:
    return user is not None and user.active and user.role in (Role.SECRETARIAT, Role.PARTNER)


def assign(applications: list[Application], reviewer, *, by) -> tuple[list[Review], int]:
    """Assign one reviewer to applications; returns the new assignments and how many already existed."""
    if not eligible_reviewer(reviewer):
        raise Refused(_l("Only secretariat and partner users can review."), field="reviewer")
    ids = [a.id for a in applications]
    existing = set(db.session.scalars(sa.select(Review.application_id).where(
        Review.reviewer_id == reviewer.id, Review.application_id.in_(ids)))) if ids else set()
    created = []
    for application in applications:
        if application.id in existing:
            continue
        if application.status == Status.DRAFT:
            continue
        review = Review(application_id=application.id, reviewer_id=reviewer.id, assigned_by_id=by.id)
        db.session.add(review)
        created.append(review)
    db.session.flush()
    for review in created:
        audit.record("incubator.review.assign", review, by=by,
                     changes={"reviewer_id": [None, reviewer.id], "application_id": [None, review.application_id]})
    if created:
        queue_mail("incubator_assigned", reviewer.email, subject=_l("Incubator applications to review"),
                   locale=reviewer.locale, context={"reviewer": reviewer, "count": len(created),
                                                    "url": absolute_url("incubator.index")},
                   dedup_key=f"incubator-assigned-{created[0].id}")
    return created, len(existing)


def unassign(review: Review, *, by) -> None:
    if review.is_final:
        raise Refused(_l("A final review cannot be removed."))
    audit.record("incubator.review.unassign", review, by=by,
                 changes={"reviewer_id": [review.reviewer_id, None], "application_id": [review.application_id, None]})
    db.session.delete(review)
    db.session.flush()


def declare_conflict(review: Review, *, has_conflict: bool, note: str | None, by) -> None:
    """The reviewer's declaration, first before reading; a conflict may also be declared later, at any time
    before the review is final: the scores, comment and recommendation given so far are then removed."""
    if review.is_final:
        raise Refused(_l("This review is final and can no longer be changed."))
    if review.has_conflict is True or (review.has_conflict is False and not has_conflict):
        raise Refused(_l("You have already declared your interests for this application."))
    changes = {"has_conflict": [review.has_conflict, has_conflict]}
    note = (note or "").strip() or None
    if note != review.conflict_note:
        changes["conflict_note"] = [review.conflict_note, note]
    if has_conflict:
        old_scores = {str(s.criterion_id): s.value for s in review.scores}
        if old_scores:
            changes["scores"] = [old_scores, {}]
            review.scores.clear()
        if review.comment:
            changes["comment"] = [review.comment, ""]
            review.comment = ""
        if review.recommendation is not None:
            changes["recommendation"] = [review.recommendation, None]
            review.recommendation = None
    review.has_conflict = has_conflict
    review.conflict_note = note
    review.declared_at = utcnow()
    review.updated_at = utcnow()
    db.session.flush()
    audit.record("incubator.review.conflict", review, by=by, changes=changes)


def save_review(review: Review, *, version, scores: dict[int, int | None], comment: str,
                recommendation: str | None, final: bool, by) -> dict:
    """``Refused`` (with ``problems``: criterion id -> True) or ``Stale(review)``."""
    if review.has_conflict is not False:
        raise Refused(_l("Declare your interests before scoring."))
    if review.is_final:
        raise Refused(_l("This review is final and can no longer be changed."))
    check_version(review, version)
    criteria = {c.id: c for c in review.application.call.criteria}
    problems = {}
    for criterion_id, value in scores.items():
        if criterion_id not in criteria:
            raise Refused(_l("Unknown criterion."))
        if value is not None and not (1 <= value <= 5):
            problems[criterion_id] = True
    if problems:
        raise Refused(_l("Scores go from 1 to 5."), problems=problems)
    if final:
        if any(scores.get(cid) is None for cid in criteria) or not recommendation:
            raise Refused(_l("Score every criterion and give a recommendation before marking the review final."),
                          problems={cid: True for cid in criteria if scores.get(cid) is None})
    current = {s.criterion_id: s for s in review.scores}
    old_scores = {cid: s.value for cid, s in current.items()}
    for criterion_id, value in scores.items():
        row = current.get(criterion_id)
        if value is None:
            if row is not None:
                review.scores.remove(row)
        elif row is None:
            review.scores.append(Score(criterion_id=criterion_id, value=value))
        else:
            row.value = value
    review.comment = (comment or "").strip()
    review.recommendation = Recommendation(recommendation) if recommendation else None
    changes = audit.diff(review, ["comment", "recommendation"])
    new_scores = {cid: v for cid, v in scores.items() if v is not None}
    if new_scores != old_scores:
        changes["scores"] = [{str(k): v for k, v in old_scores.items()}, {str(k): v for k, v in new_scores.items()}]
    if final:
        review.is_final = True
        review.finalized_at = utcnow()
        changes["is_final"] = [False, True]
    if changes:  # bumps the version even when only scores changed; an untouched save changes nothing
        review.updated_at = utcnow()
    db.session.flush()
    if changes:
        audit.record("incubator.review.save", review, by=by, changes=changes)
    return changes
