"""Segments at volume: 40,000 organisations carrying a tag (scaled), a shared segment over them, and the bulk
action "tag all 40,000 matching" timed once, as the worker runs it (one job, batches of 1,000)."""

from __future__ import annotations

import time

import sqlalchemy as sa

from bench import BenchPage

TAG = "Bench: salon 2026"
SECOND_TAG = "Bench: relance 2026"
SEGMENT = "Bench: exposants du salon 2026"
BATCH = 1000


def seed(scale: float) -> None:
    from club.auth.models import User
    from club.extensions import db
    from club.members.models import Organization, OrgKind, organization_tags
    from club.members.queries import RegisterFilters
    from club.models import utcnow
    from club.segments import services
    from club.segments.jobs import run_bulk_action
    from club.segments.models import BulkKind

    n = max(500, int(40_000 * scale))
    staff = db.session.scalar(sa.select(User).where(User.email == "secretariat@club.example"))
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    if have < n:  # run alone (--only segments): organisations of its own
        now = utcnow().replace(microsecond=0)
        for base in range(0, n - have, BATCH):
            db.session.execute(sa.insert(Organization), [
                {"name": f"Bench segments {i:06d}", "name_key": f"bench segments {i:06d}", "kind": OrgKind.CALL_CENTER,
                 "search_text": f"bench segments {i:06d}", "created_at": now, "updated_at": now, "version": 1}
                for i in range(base, min(n - have, base + BATCH))])
    tag = services.create_tag(TAG, "blue", by=staff)
    ids = list(db.session.scalars(sa.select(Organization.id).where(Organization.archived_at.is_(None))
                                  .order_by(Organization.id).limit(n)))
    for base in range(0, len(ids), BATCH):
        db.session.execute(sa.insert(organization_tags),
                           [{"organization_id": i, "tag_id": tag.id} for i in ids[base:base + BATCH]])
    services.create_segment(SEGMENT, RegisterFilters(tag=str(tag.id)), shared=True, by=staff)
    second = services.create_tag(SECOND_TAG, "green", by=staff)
    db.session.commit()
    # "all N matching" of the segment, tagged as the worker does it: one job.
    bulk = services.start_bulk(BulkKind.TAG, RegisterFilters(tag=str(tag.id)), None, tag=second, by=staff)
    db.session.commit()
    started = time.perf_counter()
    run_bulk_action.call_local(bulk.id)
    elapsed = time.perf_counter() - started
    db.session.expire_all()
    print(f"segments: bulk tagging of all {bulk.total:,} matching, one job: {elapsed:.1f}s "
          f"({bulk.changed:,} changed)", flush=True)


def pages() -> list[BenchPage]:
    from club.extensions import db
    from club.segments.models import BulkAction, Segment, Tag

    segment = db.session.scalar(sa.select(Segment.id).where(Segment.name == SEGMENT))
    tag = db.session.scalar(sa.select(Tag.id).where(Tag.name == TAG))
    bulk = db.session.scalar(sa.select(sa.func.max(BulkAction.id)))
    return [
        BenchPage("segments: 40,000-row segment, count and first page", f"/segments/{segment}"),
        BenchPage("segments: register filtered by a tag of 40,000", f"/members/?tag={tag}"),
        BenchPage("segments: register, call centres with the tag", f"/members/?tag={tag}&kind=call_center"),
        BenchPage("segments: list of segments with counts", "/segments/"),
        BenchPage("segments: a bulk action's records", f"/segments/bulk/{bulk}"),
    ]
