"""The one transition table, exhaustively: every (from, to) pair is allowed or refused as the table says."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused
from club.deals import services
from club.deals.models import OPEN_STAGES, TRANSITIONS, Deal, DocumentKind, Stage, StageChange
from tests.deals.factories import PDF, make_deal, staff

PAIRS = [(a, b) for a in Stage for b in Stage]


def test_table_shape():
    assert set(TRANSITIONS) == set(Stage)
    for stage in OPEN_STAGES:
        assert Stage.DROPPED in TRANSITIONS[stage], stage
    assert TRANSITIONS[Stage.CLOSED] == frozenset()
    assert TRANSITIONS[Stage.DROPPED] == frozenset()
    for stage, targets in TRANSITIONS.items():
        assert stage not in targets


def _deal_at(db, stage: Stage, with_memo: bool = True) -> Deal:
    by = staff()
    deal = make_deal(by, stage=stage)
    if with_memo and not services.has_memo(deal):
        services.add_document(deal, title="Memo", kind=DocumentKind.MEMO, data=PDF, filename="memo.pdf", by=by)
        db.session.commit()
    return deal


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_every_pair(db, source, target):
    deal = _deal_at(db, source)
    by = staff()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(StageChange).where(StageChange.deal_id == deal.id))
    version = deal.version
    kwargs = {"reason": "Because", "signed_on": date(2020, 7, 10)}
    if target in TRANSITIONS[source]:
        services.move_deal(deal, target, by=by, **kwargs)
        db.session.commit()
        db.session.expire_all()
        deal = db.session.get(Deal, deal.id)
        assert deal.stage == target
        assert deal.version == version + 1
        last = db.session.scalars(sa.select(StageChange).where(StageChange.deal_id == deal.id)
                                  .order_by(StageChange.id.desc())).first()
        assert (last.from_stage, last.to_stage, last.by_id) == (source, target, by.id)
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "deal.move",
                                                               AuditEvent.entity_id == deal.id)
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.changes["stage"] == [source.value, target.value]
        assert event.actor_id == by.id
    else:
        with pytest.raises(Refused):
            services.move_deal(deal, target, by=by, **kwargs)
        db.session.rollback()
        deal = db.session.get(Deal, deal.id)
        assert deal.stage == source
        after = db.session.scalar(sa.select(sa.func.count()).select_from(StageChange)
                                  .where(StageChange.deal_id == deal.id))
        assert after == before


def test_committee_needs_a_memo(db):
    deal = make_deal(stage=Stage.DUE_DILIGENCE)
    with pytest.raises(Refused) as refused:
        services.move_deal(deal, Stage.COMMITTEE, by=staff())
    assert refused.value.message._args[0].startswith("Attach an investment memo")
    db.session.rollback()
    # Another kind of document is not a memo.
    by = staff()
    services.add_document(deal, title="Accounts", kind=DocumentKind.FINANCIALS, data=PDF, filename="a.pdf", by=by)
    with pytest.raises(Refused):
        services.move_deal(deal, Stage.COMMITTEE, by=by)


def test_dropped_needs_a_reason(db):
    deal = make_deal(stage=Stage.SCREENING)
    for reason in (None, "", "   "):
        with pytest.raises(Refused):
            services.move_deal(deal, Stage.DROPPED, by=staff(), reason=reason)
        db.session.rollback()
    services.move_deal(deal, Stage.DROPPED, by=staff(), reason="Operator withdrew")
    db.session.commit()
    assert db.session.get(Deal, deal.id).drop_reason == "Operator withdrew"


def test_signed_needs_the_date(db):
    deal = make_deal(stage=Stage.TERM_SHEET)
    with pytest.raises(Refused):
        services.move_deal(deal, Stage.SIGNED, by=staff())
    db.session.rollback()
    services.move_deal(deal, Stage.SIGNED, by=staff(), signed_on=date(2020, 7, 10))
    db.session.commit()
    assert db.session.get(Deal, deal.id).signed_on == date(2020, 7, 10)


def test_database_refuses_signed_without_date(db):
    deal = make_deal(stage=Stage.TERM_SHEET)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("UPDATE deals SET stage = 'signed', signed_on = NULL WHERE id = :id"),
                           {"id": deal.id})
    db.session.rollback()
