"""What the incubator adds to other pages: home panels, the organisation page section, the global search, the demo
world, and how its audit events read."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from club.auth.models import User
from club.core import audit
from club.core.registry import SearchProvider, registry
from club.extensions import db
from club.incubator import queries
from club.incubator.demo import load as load_demo
from club.incubator.models import (
    RECOMMENDATION_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    Application,
    Call,
    Criterion,
    Review,
)
from club.members.models import PROVINCE_LABELS
from club.permissions import Role, visible


def _applicant_panel(user) -> dict:
    return {"applications": queries.applications_of(user), "open_calls": queries.open_calls(),
            "status_labels": STATUS_LABELS}


def _reviewer_panel(user) -> dict:
    return {"assignments": queries.assignments_of(user, pending_only=True)}


def _secretariat_panel(user) -> dict:
    rows, total = queries.to_screen()
    return {"to_screen": rows, "to_screen_total": total, "assignments": queries.assignments_of(user, pending_only=True),
            "status_labels": STATUS_LABELS}


def _organization_section(org, user):
    if not (user.is_authenticated and user.role == Role.SECRETARIAT):
        return None
    rows = queries.organization_applications(org.id)
    if not rows:
        return None
    return {"applications": rows, "status_labels": STATUS_LABELS}


# How the incubator's audit events read.
ACTION_LABELS = {
    "incubator.call.create": _l("Call for applications created"),
    "incubator.call.update": _l("Call for applications edited"),
    "incubator.call.second_round": _l("Second review round opened"),
    "incubator.application.create": _l("Application started"),
    "incubator.application.save": _l("Application saved"),
    "incubator.application.deck": _l("Pitch deck uploaded"),
    "incubator.application.move": _l("Application status changed"),
    "incubator.application.message": _l("Message sent to the applicant"),
    "incubator.application.reply": _l("Reply from the applicant"),
    "incubator.application.organization": _l("Application linked to an organisation"),
    "incubator.review.assign": _l("Reviewer assigned"),
    "incubator.review.unassign": _l("Reviewer removed"),
    "incubator.review.conflict": _l("Conflict of interest declared"),
    "incubator.review.save": _l("Review saved"),
}


def _deck_version(value) -> str:
    return gettext("version %(number)s", number=value)


def _scores(value) -> str:
    if not isinstance(value, dict):
        return str(value)
    names = dict(db.session.execute(sa.select(Criterion.id, Criterion.name)
                                    .where(Criterion.id.in_([int(k) for k in value if str(k).isdigit()]))).all())
    return ", ".join(f"{names.get(int(k), k) if str(k).isdigit() else k}: {v}" for k, v in value.items())


AUDIT_FIELDS = {
    "incubator.": {
        "title": _l("Title"),
        "description": _l("Description"),
        "opens_at": audit.Field(_l("Opens"), audit.moment),
        "closes_at": audit.Field(_l("Closes"), audit.moment),
        "capacity": audit.Field(_l("Places"), audit.number),
        "is_blind_first_round": audit.Field(_l("Blind first round"), audit.yes_no),
        "criteria": _l("Criteria"),
        "review_round": audit.Field(_l("Review round"), audit.number),
        "call_id": audit.Field(_l("Call for applications"), audit.name_of(Call, "title")),
        "startup_name": _l("Startup"),
        "project_title": _l("Project"),
        "problem": _l("Problem"),
        "solution": _l("Solution"),
        "market": _l("Market"),
        "business_model": _l("Business model"),
        "stage": audit.Field(_l("Stage of the startup"), STAGE_LABELS),
        "team": _l("Team"),
        "needs": _l("Needs"),
        "jobs_12m": audit.Field(_l("Jobs planned at 12 months"), audit.number),
        "jobs_36m": audit.Field(_l("Jobs planned at 36 months"), audit.number),
        "province": audit.Field(_l("Province"), PROVINCE_LABELS),
        "consent_at": audit.Field(_l("Consent to data processing"), audit.moment),
        "deck": audit.Field(_l("Pitch deck"), _deck_version),
        "status": audit.Field(_l("Status"), STATUS_LABELS),
        "message": audit.Field(_l("Message"), hidden=True),
        "reviewer_id": audit.Field(_l("Reviewer"), audit.name_of(User)),
        "organization_id": audit.Field(_l("Organisation"), audit.name_of("organizations")),
        "application_id": audit.Field(_l("Application"), hidden=True),
        "has_conflict": audit.Field(_l("Conflict of interest"), audit.yes_no),
        "conflict_note": _l("Conflict note"),
        "comment": _l("Comment"),
        "recommendation": audit.Field(_l("Recommendation"), RECOMMENDATION_LABELS),
        "scores": audit.Field(_l("Scores"), _scores),
        "is_final": audit.Field(_l("Final"), audit.yes_no),
    },
}


def _applications(ids, user) -> dict:
    # Only the secretariat and the applicant read a startup's name here (a reviewer may be in a blind round).
    if getattr(user, "role", None) not in (Role.SECRETARIAT, Role.APPLICANT):
        return {}
    rows = db.session.scalars(sa.select(Application).where(Application.id.in_(ids), visible(Application, user)))
    return {a.id: (a.display_name, url_for("incubator.application", application_id=a.id)) for a in rows}


def _reviews(ids, user) -> dict:
    pairs = db.session.execute(sa.select(Review.id, Review.application_id).where(Review.id.in_(ids))).all()
    applications = _applications(sorted({a for _, a in pairs}), user)
    return {r: applications[a] for r, a in pairs if a in applications}


def _calls(ids, user) -> dict:
    rows = db.session.scalars(sa.select(Call).where(Call.id.in_(ids), visible(Call, user)))
    return {c.id: (c.title, url_for("incubator.call", call_id=c.id)) for c in rows}


def register(app: Flask) -> None:
    hooks = registry(app)
    hooks.nav("incubator.index", _l("Incubator"), order=20)
    hooks.home_panel(Role.APPLICANT, "incubator/_home_applicant.html", _applicant_panel)
    hooks.home_panel(Role.PARTNER, "incubator/_home_reviewer.html", _reviewer_panel)
    hooks.home_panel(Role.SECRETARIAT, "incubator/_home_secretariat.html", _secretariat_panel)
    hooks.section("organization", "incubator/_organization_section.html", _organization_section, order=30)
    # No "more" link: the applications' list with a search box is one call's, the search spans every call.
    hooks.search(SearchProvider("incubator", _l("Incubator"), queries.search, order=20))
    hooks.demo("incubator", load_demo)
    hooks.action_labels(ACTION_LABELS)
    hooks.audit_fields(AUDIT_FIELDS)
    hooks.subject("incubator_applications", _applications)
    hooks.subject("incubator_reviews", _reviews)
    hooks.subject("incubator_calls", _calls)
