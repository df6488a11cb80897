"""URL argument samples for the access walk: the demo's FIRO × Notoriety pact (shared with FIRO), its memo, its
share and its committee meeting, so that every nested URL agrees and the walk reaches each view."""

from __future__ import annotations

import sqlalchemy as sa

from club.extensions import db


def _deal_id():
    from club.deals.models import Deal, DealKind

    return db.session.scalar(sa.select(Deal.id).where(Deal.kind == DealKind.SHAREHOLDERS_PACT).order_by(Deal.id)
                             .limit(1))


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

    return db.session.scalar(sa.select(CommitteeMeeting.id).where(CommitteeMeeting.deal_id == _deal_id()).limit(1))


SAMPLES = {
    "deal_id": _deal_id,
    "document_id": _document_id,
    "version_id": _version_id,
    "share_id": _share_id,
    "meeting_id": _meeting_id,
}
