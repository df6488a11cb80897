"""URL argument samples for the access walk: the demo's committee deal, shared with FIRO, and its memo."""

from __future__ import annotations

import sqlalchemy as sa

from club.extensions import db


def _deal_id():
    from club.deals.models import Deal, Stage

    return db.session.scalar(sa.select(Deal.id).where(Deal.stage == Stage.COMMITTEE).order_by(Deal.id).limit(1))


def _document_id():
    from club.deals.models import DealDocument

    return db.session.scalar(sa.select(DealDocument.id).where(DealDocument.deal_id == _deal_id()).limit(1))


def _version_id():
    from club.deals.models import DocumentVersion

    return db.session.scalar(sa.select(DocumentVersion.id).where(DocumentVersion.document_id == _document_id())
                             .limit(1))


def _share_id():
    from club.deals.models import DealShare

    return db.session.scalar(sa.select(DealShare.id).where(DealShare.deal_id == _deal_id()).limit(1))


def _meeting_id():
    from club.deals.models import CommitteeMeeting

    return db.session.scalar(sa.select(CommitteeMeeting.id).order_by(CommitteeMeeting.id).limit(1)) or 1


SAMPLES = {
    "deal_id": _deal_id,
    "document_id": _document_id,
    "version_id": _version_id,
    "share_id": _share_id,
    "meeting_id": _meeting_id,
}
