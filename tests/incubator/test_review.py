"""Reviews: assignment, conflicts, blind first round, scores, final, locking, aggregates and ranking in SQL."""

from __future__ import annotations

import csv
import html
import io

import pytest
import sqlalchemy as sa

from club.core.refusals import Refused
from club.incubator import queries, services
from club.incubator.models import Application, Review, Score, Status
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory, score


def _scores(review, values):
    criteria = review.application.call.criteria
    return {f"score-{c.id}": v for c, v in zip(criteria, values, strict=True)}


def test_assign_one_and_in_bulk(db, factories, login_as):
    staff = factories.UserFactory()
    partner = factories.UserFactory(partner=True)
    call = CallFactory()
    apps = [ApplicationFactory(call=call) for _ in range(3)]
    draft = ApplicationFactory(call=call, draft=True)
    other_call_app = ApplicationFactory()
    client = login_as(staff)
    client.post(f"/incubator/applications/{apps[0].id}/reviewers", data={"reviewer": partner.id})
    response = client.post(f"/incubator/calls/{call.id}/assign",
                           data={"reviewer": partner.id,
                                 "application_ids": [a.id for a in apps] + [draft.id, other_call_app.id]},
                           follow_redirects=True)
    assert response.status_code == 200
    assigned = set(db.session.scalars(sa.select(Review.application_id).where(Review.reviewer_id == partner.id)))
    assert assigned == {a.id for a in apps}  # not the draft, not another call's application
    member = factories.UserFactory(member=True)
    client.post(f"/incubator/applications/{apps[1].id}/reviewers", data={"reviewer": member.id})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.reviewer_id == member.id)) == 0


def test_reviewer_sees_only_assigned_applications(db, factories, login_as):
    partner = factories.UserFactory(partner=True)
    mine = ReviewFactory(reviewer=partner, has_conflict=None)
    other = ReviewFactory()
    client = login_as(partner)
    assert client.get(f"/incubator/reviews/{mine.id}").status_code == 200
    assert client.get(f"/incubator/reviews/{other.id}").status_code == 404
    assert client.get(f"/incubator/applications/{other.application_id}").status_code == 404
    assert client.get(f"/incubator/calls/{mine.application.call_id}/applications").status_code == 404
    assert client.get(f"/incubator/calls/{mine.application.call_id}/ranking").status_code == 404
    assert client.get(f"/incubator/calls/{mine.application.call_id}/scores.csv").status_code == 404
    assert client.get(f"/incubator/applications/{mine.application_id}").status_code == 302  # to the review
    assert client.post(f"/incubator/reviews/{other.id}/conflict", data={"has_conflict": "no"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Review, other.id).has_conflict is False


def test_conflict_declaration_removes_the_reviewer(db, factories, login_as):
    partner = factories.UserFactory(partner=True)
    review = ReviewFactory(reviewer=partner, has_conflict=None)
    client = login_as(partner)
    page = client.get(f"/incubator/reviews/{review.id}")
    assert "Conflit d'intérêts" in html.unescape(page.text)
    # no scoring before declaring
    response = client.post(f"/incubator/reviews/{review.id}", data={"version": review.version, **_scores(review, [3, 3, 3])})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0
    client.post(f"/incubator/reviews/{review.id}/conflict", data={"has_conflict": "yes", "note": "Mon cousin"})
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.has_conflict is True and review.conflict_note == "Mon cousin" and review.declared_at
    assert client.get(f"/incubator/reviews/{review.id}").status_code == 404
    assert client.get(f"/incubator/applications/{review.application_id}").status_code == 404
    from club.core.models import AuditEvent
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "incubator.review.conflict"))


def test_blind_first_round_hides_identity(db, factories, login_as):
    partner = factories.UserFactory(partner=True)
    founder = factories.UserFactory(applicant=True, email="hidden@founder.example", name="Fatima Zahra")
    application = ApplicationFactory(applicant=founder, startup_name="Secret Startup", team="Fatima Zahra et Ali")
    review = ReviewFactory(application=application, reviewer=partner)
    from club.incubator.models import DeckVersion
    from tests.incubator.test_applicant import _stored

    db.session.add(DeckVersion(application_id=application.id, number=1, stored_file_id=_stored(db, founder).id))
    db.session.commit()
    stored = db.session.scalar(sa.select(DeckVersion)).file
    stored.original_name = "SecretStartup-deck.pdf"
    db.session.commit()
    client = login_as(partner)
    for url in (f"/incubator/reviews/{review.id}", "/incubator/", "/"):
        text = client.get(url).text
        for secret in ("Secret Startup", "Fatima Zahra", "hidden@founder.example", "SecretStartup-deck"):
            assert secret not in text, (url, secret)
    assert application.project_title in client.get(f"/incubator/reviews/{review.id}").text
    # second round: names revealed
    call = application.call
    call.review_round = 2
    db.session.commit()
    text = client.get(f"/incubator/reviews/{review.id}").text
    assert "Secret Startup" in text and "Fatima Zahra" in text


def test_blind_deck_download_hides_the_file_name(db, factories, login_as, app):
    partner = factories.UserFactory(partner=True)
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True)
    client = login_as(founder)
    from tests.incubator.test_applicant import _upload

    _upload(client, application.id, name="Secret-Startup.pdf")
    application.status = Status.SUBMITTED
    db.session.commit()
    review = ReviewFactory(application=application, reviewer=partner)
    client = login_as(partner)
    response = client.get(f"/incubator/reviews/{review.id}/deck")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "Secret-Startup" not in response.headers["Content-Disposition"]
    deck_id = application.deck.id
    assert client.get(f"/incubator/applications/{application.id}/decks/{deck_id}").status_code == 404


def test_scores_edit_until_final(db, factories, login_as):
    partner = factories.UserFactory(partner=True)
    review = ReviewFactory(reviewer=partner)
    client = login_as(partner)
    url = f"/incubator/reviews/{review.id}"
    # out of range: refused, input kept
    for bad in (0, 6, "abc", -1):
        response = client.post(url, data={"version": review.version, **_scores(review, [3, bad, 4]), "action": "save"})
        assert response.status_code == 422, bad
        assert "Les notes vont de 1 à 5." in response.text and f'value="{bad}"' in response.text  # the input kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0
    assert client.post(url, data={"version": review.version, **_scores(review, [3, "", 4]), "comment": "Bien",
                                  "action": "save"}).status_code == 303
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert sorted(s.value for s in review.scores) == [3, 4] and not review.is_final
    # final needs every score and a recommendation
    response = client.post(url, data={"version": review.version, **_scores(review, [3, "", 4]), "action": "final"})
    assert response.status_code == 422
    assert "Notez chaque critère et donnez une recommandation" in html.unescape(response.text)
    response = client.post(url, data={"version": review.version, **_scores(review, [3, 5, 4]),
                                      "recommendation": "yes", "comment": "Très bien", "action": "final"})
    assert response.status_code == 303
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.is_final and review.score_by_criterion and review.comment == "Très bien"
    response = client.post(url, data={"version": review.version, **_scores(review, [1, 1, 1]), "action": "save"})
    db.session.expire_all()
    assert sorted(s.value for s in db.session.get(Review, review.id).scores) == [3, 4, 5]


def test_score_bounds_in_the_database(db, factories):
    review = ReviewFactory()
    criterion = review.application.call.criteria[0]
    db.session.add(Score(review_id=review.id, criterion_id=criterion.id, value=6))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_saves_never_overwrite_each_other(db, factories, login_as):
    partner = factories.UserFactory(partner=True, locale="en")
    other = factories.UserFactory(partner=True)
    application = ApplicationFactory()
    mine = ReviewFactory(application=application, reviewer=partner)
    theirs = ReviewFactory(application=application, reviewer=other)
    # two reviewers at once: separate rows, both kept
    login_as(partner).post(f"/incubator/reviews/{mine.id}", data={"version": 1, **_scores(mine, [5, 5, 5])})
    login_as(other).post(f"/incubator/reviews/{theirs.id}", data={"version": 1, **_scores(theirs, [1, 1, 1])})
    db.session.expire_all()
    assert sorted(s.value for s in db.session.get(Review, mine.id).scores) == [5, 5, 5]
    assert sorted(s.value for s in db.session.get(Review, theirs.id).scores) == [1, 1, 1]
    # the same review from two windows: the second save (stale version) is refused, both versions shown
    client = login_as(partner)
    version = db.session.get(Review, mine.id).version
    assert client.post(f"/incubator/reviews/{mine.id}",
                       data={"version": version, **_scores(mine, [4, 4, 4]), "comment": "window A"}).status_code == 303
    response = client.post(f"/incubator/reviews/{mine.id}",
                           data={"version": version, **_scores(mine, [2, 2, 2]), "comment": "window B"})
    page = html.unescape(response.text)  # in the reviewer's language: English
    assert response.status_code == 409 and "Saved meanwhile by someone else" in page
    assert "<td>window B</td><td>window A</td>" in page  # the comment typed, beside the one saved now
    assert page.count("Saved now: 4") == 3  # each score saved now, beside the one typed (2)
    assert page.count('value="2"') == 3
    db.session.expire_all()
    review = db.session.get(Review, mine.id)
    assert review.comment == "window A" and sorted(s.value for s in review.scores) == [4, 4, 4]


def test_stale_data_error_is_the_backstop(db, ctx, factories):
    review = ReviewFactory()
    db.session.execute(sa.update(Review).where(Review.id == review.id).values(version=Review.version + 1)
                       .execution_options(synchronize_session=False))
    review.comment = "perdu ?"
    with pytest.raises(sa.orm.exc.StaleDataError):
        db.session.flush()
    db.session.rollback()


def _scored_call(db, factories):
    call = CallFactory(capacity=1)  # weights 3, 2, 1
    a = ApplicationFactory(call=call, startup_name="A")
    b = ApplicationFactory(call=call, startup_name="B")
    c = ApplicationFactory(call=call, startup_name="C")
    ApplicationFactory(call=call, startup_name="W", status=Status.WITHDRAWN)
    score(ReviewFactory(application=a), [5, 5, 5])  # 5.0
    score(ReviewFactory(application=a), [3, 3, 3])  # 3.0
    score(ReviewFactory(application=b), [5, 1, 1])  # (15 + 2 + 1) / 6 = 3.0
    score(ReviewFactory(application=b), [5, 5, 5], final=False)  # not final: not counted, missing
    ReviewFactory(application=b, has_conflict=True)  # conflict: neither assigned nor missing
    ReviewFactory(application=c, has_conflict=None)
    return call, a, b, c


def test_weighted_average_spread_missing_and_ranking(db, factories, login_as, count_queries):
    call, a, b, c = _scored_call(db, factories)
    rows = {row[0].startup_name: row for row in db.session.execute(queries.ranking(call))}
    assert set(rows) == {"A", "B", "C"}
    assert rows["A"].average == pytest.approx(4.0) and rows["A"].spread == pytest.approx(2.0)
    assert (rows["A"].final, rows["A"].assigned, rows["A"].missing) == (2, 2, 0)
    assert rows["B"].average == pytest.approx(3.0) and rows["B"].spread == pytest.approx(0.0)
    assert (rows["B"].final, rows["B"].assigned, rows["B"].missing, rows["B"].conflicts) == (1, 2, 1, 1)
    assert rows["C"].average is None and rows["C"].missing == 1
    assert [r[0].startup_name for r in db.session.execute(queries.ranking(call))] == ["A", "B", "C"]
    assert (rows["A"].rank, rows["B"].rank) == (1, 2)
    staff = factories.UserFactory()
    client = login_as(staff)
    page = client.get(f"/incubator/calls/{call.id}/ranking")
    assert page.status_code == 200 and "4,00" in page.text and "4.00" not in page.text  # French decimals
    page = client.get(f"/incubator/applications/{a.id}")
    assert "4,00" in page.text and "2,00" in page.text and "4.00" not in page.text


def test_scores_csv_export(db, factories, login_as):
    call, a, b, c = _scored_call(db, factories)
    a.startup_name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    client = login_as(factories.UserFactory())
    response = client.get(f"/incubator/calls/{call.id}/scores.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 5  # header + non-conflict reviews
    assert rows[1][1].startswith("'=")
    assert "Équipe (×3)" in rows[0]


def test_service_refuses_scores_outside_bounds(db, ctx, factories):
    review = ReviewFactory()
    cid = review.application.call.criteria[0].id
    with pytest.raises(Refused):
        services.save_review(review, version=review.version, scores={cid: 9}, comment="", recommendation=None,
                             final=False, by=review.reviewer)


def test_application_delete_is_never_cascaded_from_a_call(db, factories):
    application = ApplicationFactory()
    db.session.delete(application.call)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Application, application.id) is not None
