"""Deal services: they take data, add, flush, audit, queue mail and return. They never commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from club.core import audit, storage
from club.core.outbox import already_queued, queue_mail
from club.core.refusals import Refused, check_version
from club.core.urls import absolute_url
from club.deals.models import (
    OPEN_STAGES,
    TRANSITIONS,
    AccessAction,
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    Deal,
    DealAccess,
    DealComment,
    DealDocument,
    DealKind,
    DealNote,
    DealShare,
    Decision,
    DocumentKind,
    DocumentVersion,
    Opinion,
    Stage,
    StageChange,
    Verdict,
    Vote,
)
from club.extensions import db
from club.members.models import Organization
from club.models import utcnow

DOCUMENT_KINDS = {"pdf", "docx", "xlsx"}
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024

# How the deals' actions read in the audit trail (registered by hooks.register).
ACTION_LABELS = {
    "deal.create": _l("Deal created"),
    "deal.update": _l("Deal edited"),
    "deal.move": _l("Deal moved to another stage"),
    "deal.document_add": _l("Document added"),
    "deal.document_version": _l("New version of a document"),
    "deal.note": _l("Internal note added"),
    "deal.share": _l("Deal shared with a partner"),
    "deal.revoke": _l("Share revoked"),
    "deal.opinions_open": _l("Partners' opinions shown or hidden"),
    "deal.comment": _l("Comment added"),
    "deal.opinion": _l("Partner opinion given"),
    "deal.committee": _l("Committee meeting recorded"),
    "deal.committee_correction": _l("Committee decision corrected"),
    "deal.reminded": _l("Reminder of overdue next steps emailed"),
}

DEAL_FIELDS = ("title", "kind", "target_id", "amount", "stake", "owner_id", "summary", "expected_close",
               "next_step", "next_step_due", "signed_on", "announced_on")


def _organisations(ids) -> list[Organization]:
    ids = sorted(set(ids or []))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Organization).where(Organization.id.in_(ids))
                                   .order_by(Organization.name)))


def _check_values(values: dict) -> None:
    amount = values.get("amount")
    if amount is not None and Decimal(amount) < 0:
        raise Refused(_l("The amount cannot be negative."), "amount")
    if amount is None and values.get("kind") != DealKind.MOU:
        raise Refused(_l("An amount is required (only a memorandum of understanding may have none)."), "amount")
    stake = values.get("stake")
    if stake is not None and not (Decimal(0) <= Decimal(stake) <= Decimal(100)):
        raise Refused(_l("The stake is a percentage between 0 and 100."), "stake")


def create_deal(*, by, investor_ids, signatory_ids=(), **values) -> Deal:
    _check_values(values)
    investors = _organisations(investor_ids)
    if not investors:
        raise Refused(_l("Choose at least one investor."), "investor_ids")
    deal = Deal(stage=Stage.LEAD, stage_entered_at=utcnow(), **values)
    deal.investors = investors
    deal.signatories = _organisations(signatory_ids)
    db.session.add(deal)
    db.session.flush()
    db.session.add(StageChange(deal_id=deal.id, from_stage=None, to_stage=Stage.LEAD, by_id=by.id, at=deal.stage_entered_at))
    audit.record("deal.create", deal, by=by, changes={
        "title": [None, deal.title], "kind": [None, deal.kind], "amount": [None, deal.amount],
        "investors": [None, [o.name for o in investors]]})
    db.session.flush()
    return deal


def update_deal(deal: Deal, *, by, version, investor_ids, signatory_ids=(), **values) -> dict:
    """Apply an edit read at ``version`` (``Stale`` when the deal was saved since). Returns the changes (empty:
    nothing changed)."""
    check_version(deal, version)
    _check_values(values)
    investors = _organisations(investor_ids)
    if not investors:
        raise Refused(_l("Choose at least one investor."), "investor_ids")
    if deal.stage in (Stage.SIGNED, Stage.CLOSED) and values.get("signed_on") is None:
        raise Refused(_l("A signed deal keeps its signature date."), "signed_on")
    old_investors = [o.name for o in deal.investors]
    old_signatories = [o.name for o in deal.signatories]
    for name, value in values.items():
        setattr(deal, name, value)
    deal.investors = investors
    deal.signatories = _organisations(signatory_ids)
    changes = audit.diff(deal, [f for f in DEAL_FIELDS if f in values])
    if [o.name for o in investors] != old_investors:
        changes["investors"] = [old_investors, [o.name for o in investors]]
    if [o.name for o in deal.signatories] != old_signatories:
        changes["signatories"] = [old_signatories, [o.name for o in deal.signatories]]
    if changes:
        deal.updated_at = utcnow()
        audit.record("deal.update", deal, by=by, changes=changes)
    db.session.flush()
    return changes


def has_memo(deal: Deal) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(DealDocument).join(DocumentVersion)
        .where(DealDocument.deal_id == deal.id, DealDocument.kind == DocumentKind.MEMO)) > 0


def check_move(deal: Deal, to_stage: Stage, *, reason: str | None = None, signed_on: date | None = None) -> None:
    """Raise ``Refused`` when the move is not allowed or lacks what it needs."""
    if to_stage not in TRANSITIONS[deal.stage]:
        raise Refused(_l("A deal cannot move from %(old)s to %(new)s.",
                             old=deal.stage_label, new=_stage_label(to_stage)), "to_stage")
    if to_stage == Stage.COMMITTEE and not has_memo(deal):
        raise Refused(_l("Attach an investment memo before the deal goes to committee."), "to_stage")
    if to_stage == Stage.DROPPED and not (reason or "").strip():
        raise Refused(_l("Say why the deal is dropped."), "reason")
    if to_stage == Stage.SIGNED and signed_on is None and deal.signed_on is None:
        raise Refused(_l("Give the date of signature."), "signed_on")


def _stage_label(stage: Stage):
    from club.deals.models import STAGE_LABELS

    return STAGE_LABELS[stage]


def move_deal(deal: Deal, to_stage: Stage, *, by, reason: str | None = None, signed_on: date | None = None) -> StageChange:
    check_move(deal, to_stage, reason=reason, signed_on=signed_on)
    reason = (reason or "").strip() or None
    old = deal.stage
    now = utcnow()
    deal.stage = to_stage
    deal.stage_entered_at = now
    deal.updated_at = now
    changes = {"stage": [old, to_stage]}
    if to_stage == Stage.DROPPED:
        deal.drop_reason = reason
        changes["drop_reason"] = [None, reason]
    if to_stage == Stage.SIGNED and signed_on is not None:
        changes["signed_on"] = [deal.signed_on, signed_on]
        deal.signed_on = signed_on
    change = StageChange(deal_id=deal.id, from_stage=old, to_stage=to_stage, by_id=by.id, at=now, reason=reason)
    db.session.add(change)
    audit.record("deal.move", deal, by=by, changes=changes)
    db.session.flush()
    return change


def add_document(deal: Deal, *, title: str, kind: DocumentKind, data: bytes, filename: str, by) -> DocumentVersion:
    stored = storage.store(data, filename, kinds=DOCUMENT_KINDS, max_size=MAX_DOCUMENT_SIZE, by=by, field="file")
    document = DealDocument(deal_id=deal.id, title=title, kind=kind, created_by_id=by.id)
    db.session.add(document)
    db.session.flush()
    version = DocumentVersion(document_id=document.id, number=1, stored_file_id=stored.id, uploaded_by_id=by.id)
    db.session.add(version)
    audit.record("deal.document_add", deal, by=by, changes={"document": [None, f"{title} (v1)"]})
    db.session.flush()
    return version


def add_version(document: DealDocument, *, data: bytes, filename: str, by) -> DocumentVersion:
    stored = storage.store(data, filename, kinds=DOCUMENT_KINDS, max_size=MAX_DOCUMENT_SIZE, by=by, field="file")
    number = (db.session.scalar(sa.select(sa.func.max(DocumentVersion.number))
                                .where(DocumentVersion.document_id == document.id)) or 0) + 1
    version = DocumentVersion(document_id=document.id, number=number, stored_file_id=stored.id,
                              uploaded_by_id=by.id)
    db.session.add(version)
    audit.record("deal.document_version", document.deal, by=by,
                 changes={"document": [None, f"{document.title} (v{number})"]})
    db.session.flush()
    return version


def add_note(deal: Deal, body: str, *, by) -> DealNote:
    note = DealNote(deal_id=deal.id, body=body, by_id=by.id)
    db.session.add(note)
    audit.record("deal.note", deal, by=by)
    db.session.flush()
    return note


def share(deal: Deal, organization: Organization, *, by) -> DealShare | None:
    existing = db.session.scalar(sa.select(DealShare).where(DealShare.deal_id == deal.id,
                                                            DealShare.organization_id == organization.id))
    if existing:
        return None
    row = DealShare(deal_id=deal.id, organization_id=organization.id, shared_by_id=by.id)
    db.session.add(row)
    audit.record("deal.share", deal, by=by, changes={"shared_with": [None, organization.name]})
    db.session.flush()
    return row


def revoke(share_row: DealShare, *, by) -> None:
    name = share_row.organization.name
    deal = share_row.deal
    db.session.delete(share_row)
    audit.record("deal.revoke", deal, by=by, changes={"shared_with": [name, None]})
    db.session.flush()


def set_opinions_open(deal: Deal, is_open: bool, *, by) -> None:
    if deal.opinions_open != is_open:
        audit.record("deal.opinions_open", deal, by=by, changes={"opinions_open": [deal.opinions_open, is_open]})
        deal.opinions_open = is_open
        db.session.flush()


def is_shared_with(deal: Deal, organization_id: int | None) -> bool:
    if not organization_id:
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(DealShare).where(
        DealShare.deal_id == deal.id, DealShare.organization_id == organization_id)) > 0


def add_comment(deal: Deal, body: str, *, by, organization_id: int) -> DealComment:
    """A comment in one partner organisation's thread; the deal must be shared with it."""
    if not is_shared_with(deal, organization_id):
        raise Refused(_l("This deal is not shared with that organisation: no comment was added."), "body")
    comment = DealComment(deal_id=deal.id, organization_id=organization_id, author_id=by.id, body=body)
    db.session.add(comment)
    audit.record("deal.comment", deal, by=by)
    db.session.flush()
    return comment


def give_opinion(deal: Deal, *, by, verdict: Verdict, comment: str) -> Opinion:
    if deal.stage != Stage.COMMITTEE:
        raise Refused(_l("Opinions are given while the deal is in committee."), "verdict")
    if not is_shared_with(deal, by.organization_id):
        raise Refused(_l("This deal is not shared with your organisation."), "verdict")
    opinion = db.session.scalar(sa.select(Opinion).where(Opinion.deal_id == deal.id, Opinion.user_id == by.id))
    if opinion is None:
        opinion = Opinion(deal_id=deal.id, user_id=by.id, organization_id=by.organization_id, verdict=verdict,
                          comment=comment)
        db.session.add(opinion)
        audit.record("deal.opinion", deal, by=by, changes={"verdict": [None, verdict]})
    else:
        changes = {}
        if opinion.verdict != verdict:
            changes["verdict"] = [opinion.verdict, verdict]
        if opinion.comment != comment:
            changes["comment"] = [opinion.comment, comment]
        opinion.verdict = verdict
        opinion.comment = comment
        if changes:
            audit.record("deal.opinion", deal, by=by, changes=changes)
    db.session.flush()
    return opinion


APPROVALS = frozenset({Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS})


def tally(members: list[dict]) -> dict[str, int]:
    """Votes of the members present (a conflicted member does not vote): ``{"for", "against", "abstain"}``."""
    counts = {v.value: 0 for v in Vote}
    for member in members:
        if member.get("vote") and not member.get("conflict_declared"):
            counts[Vote(member["vote"]).value] += 1
    return counts


def tally_text(counts: dict[str, int]) -> str:
    """``"1 vote for, 2 votes against, 0 abstentions"`` in the reader's language, each count with its plural."""
    return ", ".join(str(part) for part in (
        lazy_ngettext("%(num)s vote for", "%(num)s votes for", counts["for"]),
        lazy_ngettext("%(num)s vote against", "%(num)s votes against", counts["against"]),
        lazy_ngettext("%(num)s abstention", "%(num)s abstentions", counts["abstain"])))


def check_decision(decision: Decision, *, quorum_reached: bool, counts: dict[str, int]) -> None:
    """The decision follows the votes: without a quorum only a deferral; an approval needs a majority in favour.

    A majority in favour is more votes for than half of the votes cast (for, against and abstentions);
    members present without a vote, and those who declared a conflict, are not counted.
    """
    if not quorum_reached and decision != Decision.DEFERRED:
        raise Refused(_l("Without a quorum the committee can only defer its decision."), "decision")
    cast = counts["for"] + counts["against"] + counts["abstain"]
    if decision in APPROVALS and not counts["for"] * 2 > cast:
        raise Refused(_l("An approval needs a majority of the votes in favour; the votes recorded are: "
                             "%(tally)s.", tally=tally_text(counts)), "decision")


def record_meeting(deal: Deal, *, by, held_on: date, quorum_reached: bool, members: list[dict],
                   decision: Decision, minutes: str) -> CommitteeMeeting:
    """``members``: ``{"name", "conflict_declared", "conflict_note", "vote"}``; a conflicted member does not vote."""
    if deal.stage != Stage.COMMITTEE:
        raise Refused(_l("A committee meeting is recorded while the deal is in committee."), "held_on")
    if not members:
        raise Refused(_l("List the members present."), "members")
    for member in members:
        if member.get("conflict_declared") and member.get("vote"):
            raise Refused(_l("%(name)s declared a conflict of interest and does not vote.",
                                 name=member["name"]), "members")
    check_decision(decision, quorum_reached=quorum_reached, counts=tally(members))
    meeting = CommitteeMeeting(deal_id=deal.id, held_on=held_on, quorum_reached=quorum_reached,
                               recorded_by_id=by.id)
    db.session.add(meeting)
    db.session.flush()
    for member in members:
        db.session.add(CommitteeMember(
            meeting_id=meeting.id, name=member["name"], conflict_declared=bool(member.get("conflict_declared")),
            conflict_note=member.get("conflict_note") or "",
            vote=None if member.get("conflict_declared") else (Vote(member["vote"]) if member.get("vote") else None)))
    db.session.add(CommitteeDecision(meeting_id=meeting.id, decision=decision, minutes=minutes, recorded_by_id=by.id))
    audit.record("deal.committee", deal, by=by, changes={
        "meeting": [None, held_on], "quorum_reached": [None, quorum_reached], "decision": [None, decision]})
    db.session.flush()
    return meeting


def correct_decision(meeting: CommitteeMeeting, *, by, decision: Decision, minutes: str) -> CommitteeDecision:
    """A correction is a new dated entry; the decision as first written stays."""
    latest = db.session.scalar(sa.select(CommitteeDecision).where(CommitteeDecision.meeting_id == meeting.id)
                               .order_by(CommitteeDecision.id.desc()).limit(1))
    check_decision(decision, quorum_reached=meeting.quorum_reached, counts=meeting.tally)
    entry = CommitteeDecision(meeting_id=meeting.id, decision=decision, minutes=minutes, recorded_by_id=by.id,
                              corrects_id=latest.id if latest else None)
    db.session.add(entry)
    deal = db.session.get(Deal, meeting.deal_id)
    audit.record("deal.committee_correction", deal, by=by,
                 changes={"decision": [latest.decision if latest else None, decision]})
    db.session.flush()
    return entry


def log_access(deal: Deal, user, action: AccessAction, version: DocumentVersion | None = None) -> DealAccess:
    row = DealAccess(deal_id=deal.id, user_id=user.id, organization_id=user.organization_id, action=action,
                     version_id=version.id if version else None)
    db.session.add(row)
    db.session.flush()
    return row


def remind_owners(today: date) -> int:
    """Queue one email per owner listing their overdue next steps; idempotent per day. Returns how many.

    Each email queued is audited once, in the owner's history (not each deal's: a step overdue for weeks would
    fill its deal's timeline with a reminder a day)."""
    from club.auth.models import User
    from club.deals.queries import list_options

    rows = db.session.scalars(
        sa.select(Deal).options(*list_options())
        .where(Deal.next_step_due < today, Deal.stage.in_(OPEN_STAGES), Deal.owner_id.is_not(None))
        .order_by(Deal.owner_id, Deal.next_step_due, Deal.id))
    by_owner: dict[int, list[Deal]] = {}
    for deal in rows:
        by_owner.setdefault(deal.owner_id, []).append(deal)
    queued = 0
    for owner_id, deals in by_owner.items():
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.active:
            continue
        key = f"deals-remind:{owner_id}:{today.isoformat()}"
        if already_queued(key):
            continue
        items = [{"title": d.title, "next_step": d.next_step, "due": d.next_step_due,
                  "url": absolute_url("deals.detail", deal_id=d.id)} for d in deals]
        queue_mail("deals_remind", owner.email, subject=_l("Deals: overdue next steps"), locale=owner.locale,
                   context={"name": owner.name, "items": items, "today": today}, dedup_key=key)
        audit.record("deal.reminded", owner, changes={"deals": [None, [d.title for d in deals]]})
        queued += 1
    return queued
