"""Every scripted control of the incubator, with JavaScript on and off; nothing typed is lost; phone width."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD
from tests.incubator.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.e2e


def test_bulk_assignment(tab, db, factories):
    from club.incubator.models import Review

    staff = factories.UserFactory(email="staff@club.example", name="Salma")
    partner = factories.UserFactory(partner=True, name="Karim Partenaire", email="karim@firo.example")
    call = CallFactory()
    picked = [ApplicationFactory(call=call) for _ in range(3)]
    other = ApplicationFactory(call=call)
    sign_in(tab, staff.email, PASSWORD)
    tab.goto(f"/incubator/calls/{call.id}/applications")
    for a in picked:  # tick first, then choose the reviewer, as a secretary does
        tab.locator(f"#pick-{a.id}").check()
    tab.get_by_label("Évaluateur").select_option(label=f"{partner.name} ({partner.organization.name})")
    if tab.js:
        tab.wait_for_timeout(600)  # give a stray filter request (delay 300 ms) its chance to wipe the ticks
    tab.get_by_role("button", name="Affecter aux candidatures cochées").click()
    tab.get_by_text("affecté").first.wait_for()
    db.session.expire_all()
    assigned = set(db.session.scalars(sa.select(Review.application_id).where(Review.reviewer_id == partner.id)))
    assert assigned == {a.id for a in picked}
    assert other.id not in assigned


def test_live_filter(tab, db, factories):
    staff = factories.UserFactory(email="staff@club.example")
    call = CallFactory()
    ApplicationFactory(call=call, startup_name="Atlas Calls")
    ApplicationFactory(call=call, startup_name="Berkane Data")
    sign_in(tab, staff.email, PASSWORD)
    tab.goto(f"/incubator/calls/{call.id}/applications")
    tab.locator("#main").get_by_label("Rechercher").fill("Berkane")
    if not tab.js:
        tab.get_by_role("button", name="Filtrer").click()
    tab.get_by_role("link", name="Atlas Calls").wait_for(state="detached")  # JS on: no click, the rows follow
    assert tab.get_by_role("link", name="Berkane Data").is_visible()
    assert "q=Berkane" in tab.url


def test_second_round_asks_for_confirmation(tab, db, factories):
    from club.incubator.models import Call

    staff = factories.UserFactory(email="staff@club.example")
    call = CallFactory(is_blind_first_round=True)
    ApplicationFactory(call=call)
    sign_in(tab, staff.email, PASSWORD)
    tab.goto(f"/incubator/calls/{call.id}/applications")
    tab.get_by_role("link", name="Ouvrir le second tour (révéler les noms aux évaluateurs)").click()
    tab.get_by_role("heading", name="Ouvrir le second tour ?").wait_for()
    db.session.expire_all()
    assert db.session.get(Call, call.id).review_round == 1
    tab.get_by_role("link", name="Annuler : rester à l'aveugle").click()
    tab.get_by_role("heading", name="Candidatures").wait_for()
    tab.get_by_role("link", name="Ouvrir le second tour (révéler les noms aux évaluateurs)").click()
    tab.get_by_role("button", name="Oui, ouvrir le second tour").click()
    tab.get_by_text("Second tour ouvert : les évaluateurs voient désormais le nom des startups.").wait_for()
    db.session.expire_all()
    assert db.session.get(Call, call.id).review_round == 2


def test_a_refused_deck_keeps_and_saves_the_text(tab, db, factories):
    from club.incubator.models import Application

    founder = factories.UserFactory(applicant=True, email="f@startup.example")
    application = ApplicationFactory(applicant=founder, draft=True, problem="")
    sign_in(tab, founder.email, PASSWORD)
    tab.goto(f"/incubator/applications/{application.id}/edit")
    tab.get_by_label("Le problème que vous résolvez").fill("Un texte long tapé avant de joindre le deck.")
    tab.locator("input[name=deck]").set_input_files({"name": "deck.pdf", "mimeType": "application/pdf",
                                                     "buffer": b"<html>pas un PDF</html>"})
    tab.get_by_role("button", name="Enregistrer le brouillon").click()
    tab.get_by_text("Votre brouillon est enregistré, mais le pitch deck a été refusé").wait_for()
    assert tab.get_by_label("Le problème que vous résolvez").input_value() == \
        "Un texte long tapé avant de joindre le deck."
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.problem == "Un texte long tapé avant de joindre le deck." and saved.deck is None
    # then a real PDF with more text: both saved at once
    from tests.incubator.factories import PDF

    tab.get_by_label("Votre solution").fill("Un centre mutualisé.")
    tab.locator("input[name=deck]").set_input_files({"name": "pitch.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF})
    tab.get_by_role("button", name="Enregistrer le brouillon").click()
    tab.get_by_text("Brouillon et pitch deck enregistrés.").wait_for()
    assert tab.get_by_role("link", name="pitch.pdf").is_visible()
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.solution == "Un centre mutualisé." and saved.deck.file.original_name == "pitch.pdf"


def test_a_late_conflict_of_interest(tab, db, factories):
    from club.incubator.models import Review
    from tests.incubator.factories import ReviewFactory, score

    partner = factories.UserFactory(partner=True, email="p@firo.example")
    review = score(ReviewFactory(reviewer=partner, has_conflict=False), [4, 3, 5], final=False)
    sign_in(tab, partner.email, PASSWORD)
    tab.goto(f"/incubator/reviews/{review.id}")
    if tab.js:
        tab.once("dialog", lambda dialog: dialog.accept())  # the confirmation asked before removing the scores
    tab.get_by_label("Précisions (facultatif)").fill("Je connais la fondatrice")
    tab.get_by_role("button", name="Déclarer un conflit d'intérêts").click()
    tab.get_by_text("Votre conflit d'intérêts est enregistré").wait_for()
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.has_conflict is True and review.scores == [] and review.conflict_note == "Je connais la fondatrice"


def test_a_refused_call_edit_keeps_the_input(tab, db, factories):
    from club.incubator.models import Call

    staff = factories.UserFactory(email="staff@club.example")
    call = CallFactory(title="Avant")
    sign_in(tab, staff.email, PASSWORD)
    tab.goto(f"/incubator/calls/{call.id}/edit")
    tab.get_by_label("Titre").fill("Après")
    tab.locator("input[name='criteria-0-weight']").fill("")
    tab.get_by_role("button", name="Enregistrer l'appel").click()
    tab.get_by_text("Chaque critère doit avoir un poids.").wait_for()
    assert tab.get_by_label("Titre").input_value() == "Après"
    assert tab.url.endswith(f"/incubator/calls/{call.id}/edit")
    db.session.expire_all()
    assert db.session.get(Call, call.id).title == "Avant"
    tab.reload()  # the address is a page, not a POST-only URL
    tab.get_by_role("heading", name="Modifier l'appel").wait_for()


def test_scoring_a_review(tab, db, factories):
    from club.incubator.models import Review
    from tests.incubator.factories import ReviewFactory

    partner = factories.UserFactory(partner=True, email="p@firo.example")
    review = ReviewFactory(reviewer=partner, has_conflict=None)
    criteria = review.application.call.criteria
    sign_in(tab, partner.email, PASSWORD)
    tab.goto(f"/incubator/reviews/{review.id}")
    tab.get_by_label("Non, je n'ai aucun conflit d'intérêts").check()
    tab.get_by_role("button", name="Déclarer").click()
    tab.get_by_text("Aucun conflit d'intérêts déclaré.").wait_for()
    tab.get_by_label(f"Note pour {criteria[0].name}").fill("9")  # refused at the field, input kept
    tab.get_by_label("Commentaire").fill("Équipe solide")
    tab.get_by_role("button", name="Enregistrer", exact=True).click()
    tab.get_by_text("Une note de 1 à 5.").wait_for()
    assert tab.get_by_label("Commentaire").input_value() == "Équipe solide"
    for criterion, value in zip(criteria, ["4", "3", "5"], strict=True):
        tab.get_by_label(f"Note pour {criterion.name}").fill(value)
    tab.get_by_label("Oui", exact=True).check()
    tab.get_by_role("button", name="Enregistrer et finaliser").click()
    tab.get_by_text("Évaluation finalisée. Merci.").wait_for()
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.is_final and review.comment == "Équipe solide"
    assert sorted(s.value for s in review.scores) == [3, 4, 5]


def test_linking_the_startup_to_an_organisation(tab, db, factories):
    from club.incubator.models import Application

    saccom = factories.OrganizationFactory(name="Saccom")
    staff = factories.UserFactory(email="staff@club.example")
    application = ApplicationFactory(startup_name="saccom")
    sign_in(tab, staff.email, PASSWORD)
    tab.goto(f"/incubator/applications/{application.id}")
    assert tab.get_by_text("Liée à aucune organisation.").is_visible()
    tab.get_by_label("Organisation de la startup").select_option(label="Suggestion : Saccom")
    tab.get_by_role("button", name="Lier", exact=True).click()
    tab.get_by_text("La candidature est liée à Saccom.").wait_for()
    db.session.expire_all()
    assert db.session.get(Application, application.id).organization_id == saccom.id


def test_moving_an_application_with_its_email(tab, db, factories, outbox):
    from club.incubator.models import Application, Status

    staff = factories.UserFactory(email="staff@club.example")
    application = ApplicationFactory(status=Status.SUBMITTED)
    sign_in(tab, staff.email, PASSWORD)
    tab.goto(f"/incubator/applications/{application.id}")
    tab.get_by_label("Nouveau statut").select_option("screening")
    tab.get_by_role("button", name="Préparer le changement").click()
    tab.wait_for_url("**/move?to_status=screening")
    tab.wait_for_load_state("networkidle")
    tab.get_by_label("Objet").fill("")  # refused: the email needs a subject; what was typed stays
    tab.get_by_label("Note interne").fill("Dossier complet")
    tab.get_by_role("button", name="Confirmer le changement").click()
    tab.get_by_text("Rédigez l'objet et le texte du courriel").wait_for()
    assert tab.get_by_label("Note interne").input_value() == "Dossier complet"
    tab.get_by_label("Objet").fill("Votre dossier est en examen")
    tab.get_by_role("button", name="Confirmer le changement").click()
    tab.get_by_text("Statut passé à « En examen ».").wait_for()
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.SCREENING
    assert [m.subject for m in outbox(template="incubator_status")] == ["Votre dossier est en examen"]


def test_the_thread_and_withdrawal(tab, db, factories):
    from club.incubator.models import Application, Message, Status

    founder = factories.UserFactory(applicant=True, email="f@startup.example")
    application = ApplicationFactory(applicant=founder, status=Status.SCREENING)
    sign_in(tab, founder.email, PASSWORD)
    tab.goto(f"/incubator/applications/{application.id}")
    tab.get_by_label("Message").fill("Six postes dès l'ouverture.")
    tab.get_by_role("button", name="Envoyer ma réponse").click()
    tab.get_by_text("Message envoyé.").wait_for()
    tab.get_by_label("Motif (facultatif)").fill("Nous rejoignons un autre programme")
    tab.get_by_role("button", name="Retirer ma candidature").click()
    tab.get_by_text("La candidature est retirée.").wait_for()
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.WITHDRAWN
    assert db.session.scalars(sa.select(Message.body)).all() == ["Six postes dès l'ouverture."]
