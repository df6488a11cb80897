"""The investment committee: meeting, conflicts, votes, decision kept as written, corrections."""

from __future__ import annotations

import sqlalchemy as sa

from club.deals.models import CommitteeDecision, CommitteeMeeting, CommitteeMember, Decision, Stage, Vote
from tests.deals.factories import make_deal, staff


def _meeting_form(**changes):
    data = {"held_on": "2026-11-20", "quorum_reached": "y", "decision": "approved", "minutes": "Approved unanimously.",
            "members-0-name": "Karim", "members-0-vote": "for",
            "members-1-name": "Leila", "members-1-vote": "for",
            "members-2-name": "Omar", "members-2-conflict_declared": "y", "members-2-conflict_note": "Board seat",
            "members-2-vote": ""}
    data.update(changes)
    return data


def test_record_a_meeting_with_conflict_and_votes(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)
    login_as(by)
    assert client.get(f"/deals/{deal.id}/committee").status_code == 200
    response = client.post(f"/deals/{deal.id}/committee", data=_meeting_form())
    assert response.status_code == 303
    meeting = db.session.scalar(sa.select(CommitteeMeeting))
    assert meeting.quorum_reached
    members = {m.name: m for m in db.session.scalars(sa.select(CommitteeMember))}
    assert members["Karim"].vote == Vote.FOR and members["Omar"].conflict_declared and members["Omar"].vote is None
    assert meeting.tally == {"for": 2, "against": 0, "abstain": 0}
    html = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "Approved unanimously." in html and "Board seat" in html


def test_conflicted_member_cannot_vote(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)
    login_as(by)
    response = client.post(f"/deals/{deal.id}/committee", data=_meeting_form(**{"members-2-vote": "for"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Approved unanimously." in html and 'value="Omar"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitteeMeeting)) == 0


def test_without_quorum_only_deferral(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)
    login_as(by)
    response = client.post(f"/deals/{deal.id}/committee", data=_meeting_form(quorum_reached=""))
    assert response.status_code == 422
    assert client.post(f"/deals/{deal.id}/committee",
                       data=_meeting_form(quorum_reached="", decision="deferred")).status_code == 303


def test_meeting_only_in_committee(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.DUE_DILIGENCE)
    login_as(by)
    assert client.post(f"/deals/{deal.id}/committee", data=_meeting_form()).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitteeMeeting)) == 0


def test_a_correction_is_a_new_entry(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)
    login_as(by)
    client.post(f"/deals/{deal.id}/committee", data=_meeting_form())
    meeting = db.session.scalar(sa.select(CommitteeMeeting))
    first = db.session.scalar(sa.select(CommitteeDecision))
    response = client.post(f"/deals/{deal.id}/committee/{meeting.id}/corrections",
                           data={"decision": "approved_with_conditions", "minutes": "Conditions were omitted."})
    assert response.status_code == 303
    rows = list(db.session.scalars(sa.select(CommitteeDecision).order_by(CommitteeDecision.id)))
    assert [r.decision for r in rows] == [Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS]
    assert rows[0].minutes == "Approved unanimously." and rows[1].corrects_id == first.id
    response = client.post(f"/deals/{deal.id}/committee/{meeting.id}/corrections", data={"minutes": ""})
    assert response.status_code == 422
    other = make_deal(by, stage=Stage.COMMITTEE)
    assert client.post(f"/deals/{other.id}/committee/{meeting.id}/corrections",
                       data={"decision": "rejected", "minutes": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitteeDecision)) == 2


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_approval_needs_a_majority_in_favour(db, login_as, client):
    """Found: "Approuvé" recorded with 1 for and 2 against."""
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)
    login_as(by)
    votes = {"members-0-vote": "for", "members-1-vote": "against", "members-2-conflict_declared": "",
             "members-2-vote": "against", "minutes": "Vote serré."}
    for decision in ("approved", "approved_with_conditions"):
        response = client.post(f"/deals/{deal.id}/committee", data=_meeting_form(decision=decision, **votes))
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "1 voix pour, 2 voix contre, 0 abstention" in html
        assert 'id="decision"' in html and "is-invalid" in html
        assert "Vote serré." in html and 'value="Omar"' in html  # nothing typed is lost
    assert _count(db, CommitteeMeeting) == 0 and _count(db, CommitteeDecision) == 0
    # A tie, or abstentions that outweigh the votes for, are no majority either.
    tie = {"members-0-vote": "for", "members-1-vote": "abstain", "members-2-conflict_declared": "",
           "members-2-vote": ""}
    response = client.post(f"/deals/{deal.id}/committee", data=_meeting_form(**tie))
    assert response.status_code == 422
    assert "1 voix pour, 0 voix contre, 1 abstention" in response.get_data(as_text=True)
    # No vote recorded at all: no approval.
    silent = {"members-0-vote": "", "members-1-vote": "", "members-2-conflict_declared": ""}
    assert client.post(f"/deals/{deal.id}/committee", data=_meeting_form(**silent)).status_code == 422
    assert _count(db, CommitteeMeeting) == 0
    # The same votes may reject or defer.
    response = client.post(f"/deals/{deal.id}/committee", data=_meeting_form(decision="rejected", **votes))
    assert response.status_code == 303
    assert db.session.scalar(sa.select(CommitteeDecision)).decision == Decision.REJECTED


def test_a_majority_in_favour_approves(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)
    login_as(by)
    votes = {"members-0-vote": "for", "members-1-vote": "for", "members-2-conflict_declared": "",
             "members-2-vote": "against"}
    response = client.post(f"/deals/{deal.id}/committee",
                           data=_meeting_form(decision="approved_with_conditions", **votes))
    assert response.status_code == 303
    assert db.session.scalar(sa.select(CommitteeDecision)).decision == Decision.APPROVED_WITH_CONDITIONS
    assert db.session.scalar(sa.select(CommitteeMeeting)).tally == {"for": 2, "against": 1, "abstain": 0}


def test_a_correction_follows_the_votes_too(db, login_as, client):
    by = staff()
    deal = make_deal(by, stage=Stage.COMMITTEE)
    login_as(by)
    votes = {"members-0-vote": "for", "members-1-vote": "against", "members-2-conflict_declared": "",
             "members-2-vote": "against"}
    assert client.post(f"/deals/{deal.id}/committee",
                       data=_meeting_form(decision="rejected", **votes)).status_code == 303
    meeting = db.session.scalar(sa.select(CommitteeMeeting))
    response = client.post(f"/deals/{deal.id}/committee/{meeting.id}/corrections",
                           data={"decision": "approved", "minutes": "Finalement approuvé."})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "1 voix pour, 2 voix contre, 0 abstention" in html and "Finalement approuvé." in html
    assert [d.decision for d in db.session.scalars(sa.select(CommitteeDecision))] == [Decision.REJECTED]
    assert client.post(f"/deals/{deal.id}/committee/{meeting.id}/corrections",
                       data={"decision": "deferred", "minutes": "Reporté."}).status_code == 303
    assert _count(db, CommitteeDecision) == 2
