"""URL argument samples for the access walk (ids that exist in the demo world)."""

import sqlalchemy as sa

from club.auth.models import User
from club.extensions import db
from club.incubator.models import Application, Call, DeckVersion, Review


def _call_id():
    return db.session.scalar(sa.select(Call.id).order_by(Call.id))


def _application_id():
    return db.session.scalar(sa.select(Application.id).join(User, User.id == Application.applicant_id)
                             .where(User.email == "founder@startup.example"))


def _review_id():
    return db.session.scalar(sa.select(Review.id).join(User, User.id == Review.reviewer_id)
                             .where(User.email == "partner@firo.example", Review.has_conflict.is_(False))
                             .order_by(Review.id))


def _deck_id():
    return db.session.scalar(sa.select(DeckVersion.id).order_by(DeckVersion.id)) or 1


SAMPLES = {
    "call_id": _call_id,
    "application_id": _application_id,
    "review_id": _review_id,
    "deck_id": _deck_id,
}
