"""Blind means blind, late conflicts, the second round's confirmation, counts and decimals, stale edits."""

from __future__ import annotations

import html
import io

import sqlalchemy as sa

from club.core.models import AuditEvent
from club.incubator.models import Application, Call, DeckVersion, Review, Score, Status
from club.members.models import Organization
from tests.incubator.factories import COMPLETE, PDF, ApplicationFactory, CallFactory, ReviewFactory, score
from tests.incubator.test_applicant import _stored


def _text(response) -> str:
    return html.unescape(response.text)


def _complete_form(application, **overrides):
    data = {k: (v.value if hasattr(v, "value") else v) for k, v in COMPLETE.items()}
    data.update(version=application.version, consent="y", **overrides)
    return data


def test_blind_review_leaves_nothing_in_the_register(db, factories, login_as):
    """Found: at submission the project title went into the startup organisation's description and search
    text, and a partner reviewer found "Nador CX" by searching the register for the title."""
    founder = factories.UserFactory(applicant=True, name="Yassine Nadori")
    application = ApplicationFactory(applicant=founder, draft=True)
    db.session.add(DeckVersion(application_id=application.id, number=1, stored_file_id=_stored(db, founder).id))
    db.session.commit()
    response = login_as(founder).post(f"/incubator/applications/{application.id}/edit", data=_complete_form(
        application, startup_name="Nador CX", project_title="Plateforme trilingue du Rif", action="submit"))
    assert response.status_code == 303
    partner = factories.UserFactory(partner=True)
    ReviewFactory(application=db.session.get(Application, application.id), reviewer=partner)
    client = login_as(partner)
    for q in ("Plateforme trilingue", "Nador CX", "Nadori"):
        page = client.get("/members/", query_string={"q": q})
        assert page.status_code == 200
        assert ">Nador CX<" not in _text(page) and ">Yassine Nadori<" not in _text(page), q
        assert "Aucune organisation" in _text(page), q
    assert "Nador CX" not in client.get("/members/").text
    assert not db.session.scalars(sa.select(Organization).where(Organization.name == "Nador CX")).all()
    # even once the secretariat creates its organisation, nothing of the application goes into it
    application = db.session.get(Application, application.id)
    application.status = Status.ACCEPTED
    db.session.commit()
    staff = factories.UserFactory()
    login_as(staff).post(f"/incubator/applications/{application.id}/organization", data={"organization": "new"},
                         follow_redirects=True)
    assert db.session.scalar(sa.select(Organization).where(Organization.name == "Nador CX")) is not None
    client = login_as(partner)
    assert "Nador CX" not in client.get("/members/", query_string={"q": "Plateforme trilingue"}).text


def test_a_reviewer_declares_a_conflict_after_scoring(db, factories, login_as):
    partner = factories.UserFactory(partner=True)
    review = ReviewFactory(reviewer=partner, has_conflict=False, comment="Très bon dossier")
    score(review, [4, 3, 5], final=False)
    client = login_as(partner)
    page = client.get(f"/incubator/reviews/{review.id}")
    assert "Déclarer un conflit d'intérêts" in _text(page)
    response = client.post(f"/incubator/reviews/{review.id}/conflict",
                           data={"has_conflict": "yes", "note": "Ancien associé"}, follow_redirects=True)
    assert "les notes que vous aviez données sont supprimées" in _text(response)
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.has_conflict is True and review.conflict_note == "Ancien associé"
    assert review.comment == "" and review.recommendation is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score).where(Score.review_id == review.id)) == 0
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "incubator.review.conflict"))
    criteria = [str(c.id) for c in review.application.call.criteria]
    assert event.changes["has_conflict"] == [False, True]
    assert event.changes["scores"] == [dict(zip(criteria, [4, 3, 5], strict=True)), {}]
    assert event.changes["comment"] == ["Très bon dossier", ""]
    assert client.get(f"/incubator/reviews/{review.id}").status_code == 404


def test_no_late_conflict_once_final(db, factories, login_as):
    partner = factories.UserFactory(partner=True)
    review = score(ReviewFactory(reviewer=partner, has_conflict=False), [4, 3, 5], final=True)
    client = login_as(partner)
    assert "Déclarer un conflit d'intérêts" not in client.get(f"/incubator/reviews/{review.id}").text
    client.post(f"/incubator/reviews/{review.id}/conflict", data={"has_conflict": "yes"})
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.has_conflict is False and len(review.scores) == 3


def test_opening_the_second_round_asks_first(db, factories, login_as):
    call = CallFactory(is_blind_first_round=True)
    ReviewFactory(application=ApplicationFactory(call=call))
    client = login_as(factories.UserFactory())
    listing = client.get(f"/incubator/calls/{call.id}/applications").text
    assert f'href="/incubator/calls/{call.id}/second-round"' in listing
    page = client.get(f"/incubator/calls/{call.id}/second-round")
    assert page.status_code == 200 and "Ouvrir le second tour ?" in _text(page)
    assert "1 évaluateur·rice est affecté·e à cet appel." in _text(page)
    db.session.expire_all()
    assert db.session.get(Call, call.id).review_round == 1  # asking changed nothing
    assert client.post(f"/incubator/calls/{call.id}/second-round").status_code == 303
    db.session.expire_all()
    assert db.session.get(Call, call.id).review_round == 2


def test_counts_take_plural_forms_and_scores_french_decimals(db, factories, login_as):
    """Found: "1 startups pour 10 places", "affecté·e à 1 candidatures", "3.70"."""
    call = CallFactory(capacity=10)
    application = ApplicationFactory(call=call, status=Status.ACCEPTED)
    partner = factories.UserFactory(partner=True, name="Karim")
    client = login_as(factories.UserFactory())
    assert "1 startup pour 10 places." in client.get(f"/incubator/calls/{call.id}/cohort").text
    response = client.post(f"/incubator/calls/{call.id}/assign",
                           data={"reviewer": partner.id, "application_ids": [application.id]}, follow_redirects=True)
    assert "Karim est affecté·e à 1 candidature." in _text(response)
    review = db.session.scalar(sa.select(Review).where(Review.reviewer_id == partner.id))
    review.has_conflict = False
    db.session.commit()
    score(review, [4, 4, 3])  # weights 3, 2, 1: (12 + 8 + 3) / 6 = 3.83
    page = client.get(f"/incubator/applications/{application.id}").text
    assert "3,83" in page and "3.83" not in page
    assert "1 évaluation finale sur 1 affectée, 0 manquante" in page


def test_a_refused_deck_keeps_the_text_and_saves_it(db, factories, login_as, app):
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True, problem="Ancien texte")
    client = login_as(founder)
    for deck, reason in ((b"<html>pas un pdf</html>", "pas d’un type accepté (PDF)"),
                         (PDF + b"0" * (10 * 1024 * 1024), "trop volumineux : 10 Mo au plus")):
        db.session.expire_all()
        version = db.session.get(Application, application.id).version
        response = client.post(f"/incubator/applications/{application.id}/edit", content_type="multipart/form-data",
                               data={"version": version, "problem": "Texte tapé avant le fichier",
                                     "solution": "Et la solution", "action": "save",
                                     "deck": (io.BytesIO(deck), "deck.pdf", "application/pdf")})
        assert response.status_code == 422, reason
        assert "Votre brouillon est enregistré, mais le pitch deck a été refusé" in _text(response)
        assert reason in _text(response)
        assert "Texte tapé avant le fichier" in _text(response) and "Et la solution" in _text(response)
        db.session.expire_all()
        saved = db.session.get(Application, application.id)
        assert saved.problem == "Texte tapé avant le fichier" and saved.solution == "Et la solution"
        assert saved.deck is None


def test_a_stale_application_keeps_what_was_typed_and_answers_409(db, factories, login_as):
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True, problem="v1")
    client = login_as(founder)
    version = application.version
    client.post(f"/incubator/applications/{application.id}/edit",
                data={"version": version, "problem": "onglet A", "action": "save"})
    response = client.post(f"/incubator/applications/{application.id}/edit", content_type="multipart/form-data",
                           data={"version": version, "problem": "onglet B", "action": "save",
                                 "deck": (io.BytesIO(PDF), "deck.pdf", "application/pdf")})
    page = _text(response)
    assert response.status_code == 409 and "Enregistré entre-temps par quelqu'un d'autre" in page
    assert "<td>onglet B</td><td>onglet A</td>" in page  # what was typed, beside what is saved now
    assert "onglet B</textarea>" in page
    assert "Le pitch deck n'a pas été enregistré non plus" in page
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.problem == "onglet A" and saved.deck is None


def test_a_stale_move_keeps_the_email_and_answers_409(db, factories, login_as):
    application = ApplicationFactory(status=Status.SUBMITTED)
    client = login_as(factories.UserFactory())
    old_version = application.version
    application.status = Status.SCREENING
    db.session.commit()
    response = client.post(f"/incubator/applications/{application.id}/move",
                           data={"version": old_version, "to_status": "interview", "note": "Note tapée",
                                 "send_mail": "y", "subject": "Objet tapé", "body": "Texte du courriel tapé"})
    page = _text(response)
    assert response.status_code == 409
    assert "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez." in page
    assert "Note tapée" in page and "Objet tapé" in page and "Texte du courriel tapé" in page
    assert "est actuellement « En examen »" in page  # the saved version, beside the typed one
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.SCREENING


def test_refused_messages_notes_and_declarations_keep_what_was_typed(db, factories, login_as):
    from club.incubator.models import Message

    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, status=Status.SCREENING)
    client = login_as(founder)
    too_long = "Une réponse très détaillée. " * 200  # over 5,000 characters
    response = client.post(f"/incubator/applications/{application.id}/messages", data={"body": too_long})
    assert response.status_code == 422 and too_long.strip() in _text(response)
    response = client.post(f"/incubator/applications/{application.id}/withdraw", data={"note": "x" * 1001})
    assert response.status_code == 422 and "x" * 1001 in response.text
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
    assert db.session.get(Application, application.id).status == Status.SCREENING
    partner = factories.UserFactory(partner=True)
    review = ReviewFactory(application=application, reviewer=partner, has_conflict=None)
    response = login_as(partner).post(f"/incubator/reviews/{review.id}/conflict", data={"note": "Mon ancien associé"})
    assert response.status_code == 422 and "Mon ancien associé" in _text(response)
    assert "Indiquez si vous avez un conflit d'intérêts." in _text(response)
    db.session.expire_all()
    assert db.session.get(Review, review.id).has_conflict is None


def test_a_deck_over_the_request_limit_still_saves_the_text(db, factories, login_as, app):
    """A deck a little over the app's request limit, sent with the form, is refused at the field; the text is saved."""
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True, problem="Ancien texte")
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)
    response = login_as(founder).post(
        f"/incubator/applications/{application.id}/edit", content_type="multipart/form-data",
        data={"version": application.version, "problem": "Tapé avec un gros fichier", "action": "save",
              "deck": (io.BytesIO(big), "gros.pdf", "application/pdf")})
    assert response.status_code == 422 and "trop volumineux : 10 Mo au plus" in _text(response)
    assert "Tapé avec un gros fichier" in _text(response)
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.problem == "Tapé avec un gros fichier" and saved.deck is None
