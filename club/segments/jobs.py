"""The job of a large bulk action: the selection in batches of 1,000, a commit after each (the progress page reads
``processed``/``total``), then the one audit event; and a sweep for actions whose job was lost."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from club.core.jobs import every_minute, job, periodic_job
from club.extensions import db

log = logging.getLogger("club.segments")


@job()
def run_bulk_action(bulk_id: int) -> int:
    """Run bulk action ``bulk_id`` to its end; a retry or a second worker resumes after the last record done (the
    items say which), so nothing is done twice."""
    from club.segments.models import BulkAction
    from club.segments.services import fail_bulk, finish_bulk, run_batch

    bulk = db.session.get(BulkAction, bulk_id, with_for_update=True)
    if bulk is None or bulk.is_finished:
        db.session.rollback()
        return 0
    try:
        while run_batch(bulk):
            db.session.commit()
            bulk = db.session.get(BulkAction, bulk_id, with_for_update=True)
            if bulk.is_finished:  # a second runner (the sweep) finished it meanwhile: audited once
                db.session.rollback()
                return bulk.processed
        finish_bulk(bulk)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("bulk action %s failed", bulk_id)
        bulk = db.session.get(BulkAction, bulk_id)
        if bulk is not None and not bulk.is_finished:
            fail_bulk(bulk)
            db.session.commit()
        raise
    return bulk.processed


@periodic_job(every_minute)
def resume_bulk_actions() -> int:
    """Actions still waiting a few minutes after they were asked for (the queue was unreachable): run them."""
    from club.models import utcnow
    from club.segments.models import BulkAction, BulkState

    waiting = list(db.session.scalars(sa.select(BulkAction.id).where(
        BulkAction.state == BulkState.QUEUED, BulkAction.created_at < utcnow() - timedelta(minutes=2))
        .order_by(BulkAction.id).limit(5)))
    db.session.rollback()
    for bulk_id in waiting:
        run_bulk_action.call_local(bulk_id)
    return len(waiting)
