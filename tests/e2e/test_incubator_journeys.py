"""Browser journeys of the incubator: a founder from registration to answering a request, and a reviewer."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import sign_in
from tests.incubator.factories import PDF, ApplicationFactory, CallFactory, ReviewFactory

pytestmark = pytest.mark.e2e

PASSWORD = "Oujda-startup-2026!"


def _confirmation_path(db, email: str) -> str:
    from club.core.models import OutboxMessage

    db.session.expire_all()
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == email)
                                .order_by(OutboxMessage.id.desc()))
    assert message is not None, "no confirmation mail in the outbox"
    match = re.search(r"https?://[^/\s]+(/auth/confirm/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_founder_journey(page, db, factories):
    from club.incubator.models import Application, Message, Status

    call = CallFactory(title="Incubateur — promotion test")
    staff = factories.UserFactory(email="staff@club.example", name="Salma")

    # register, confirm through the link from the outbox, sign in
    page.goto("/auth/register")
    page.locator("input[name=name]").fill("Hind Berrada")
    page.locator("input[name=email]").fill("hind@startup.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=confirm]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.goto(_confirmation_path(db, "hind@startup.example"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    sign_in(page, "hind@startup.example", PASSWORD)

    # apply and save a draft with almost nothing
    page.goto(f"/incubator/calls/{call.id}")
    page.get_by_role("button", name="Candidater à cet appel").click()
    page.get_by_label("Nom de la startup").fill("Hind Tech")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Brouillon enregistré.").wait_for()

    # the deck goes with the form, with the text typed meanwhile
    page.get_by_label("Titre du projet").fill("Centre de contact")
    page.locator("input[name=deck]").set_input_files({"name": "pitch.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF})
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Brouillon et pitch deck enregistrés.").wait_for()
    assert page.get_by_role("link", name="pitch.pdf").is_visible()
    assert page.get_by_label("Titre du projet").input_value() == "Centre de contact"

    # complete and submit
    page.get_by_label("Titre du projet").fill("Centre de contact trilingue")
    page.get_by_label("Le problème que vous résolvez").fill("Les PME de l'Oriental n'ont pas de service client.")
    page.get_by_label("Votre solution").fill("Un centre mutualisé à Oujda.")
    page.get_by_label("Marché et clients").fill("PME de la région et d'Europe.")
    page.get_by_label("Modèle économique").fill("Abonnement mensuel.")
    page.get_by_label("Stade").select_option("prototype")
    page.get_by_label("Province").select_option("oujda_angad")
    page.get_by_label("Fondateurs et équipe").fill("Hind Berrada, Yassine Alami")
    page.get_by_label("Ce que vous attendez de l'incubateur").fill("Des locaux et des clients.")
    page.get_by_label("Emplois prévus à 12 mois").fill("6")
    page.get_by_label("Emplois prévus à 36 mois").fill("25")
    page.get_by_label(re.compile("J'accepte le traitement")).check()
    page.get_by_role("button", name="Soumettre ma candidature").click()
    page.get_by_text("Votre candidature est soumise.").wait_for()
    assert page.locator("#status").inner_text() == "Soumise"

    db.session.expire_all()
    application = db.session.scalar(sa.select(Application).where(Application.startup_name == "Hind Tech"))
    assert application.status == Status.SUBMITTED and application.organization is None  # linked by the secretariat

    # the secretariat asks for information; the founder sees it and answers
    db.session.add(Message(application_id=application.id, author_id=staff.id, from_secretariat=True,
                           body="Combien de postes à Oujda la première année ?"))
    db.session.commit()
    page.reload()
    page.get_by_text("Combien de postes à Oujda la première année ?").wait_for()
    page.get_by_label("Message").fill("Six postes dès l'ouverture.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.get_by_text("Message envoyé.").wait_for()
    assert page.get_by_text("Six postes dès l'ouverture.").is_visible()
    db.session.expire_all()
    bodies = db.session.scalars(sa.select(Message.body).where(Message.application_id == application.id)
                                .order_by(Message.id)).all()
    assert bodies[-1] == "Six postes dès l'ouverture."


def test_reviewer_journey(page, demo_world, factories):
    from club.auth.models import User
    from club.incubator.demo import CALL_TITLE
    from club.incubator.models import Call, Review

    db = demo_world
    call = db.session.scalar(sa.select(Call).where(Call.title == CALL_TITLE))
    partner = db.session.scalar(sa.select(User).where(User.email == "partner@firo.example"))
    application = ApplicationFactory(call=call, startup_name="Startup Masquée", project_title="Plateforme de télévente")
    review = ReviewFactory(application=application, reviewer=partner, has_conflict=None)

    sign_in(page, "partner@firo.example")
    page.goto("/incubator/")
    page.get_by_role("link", name=f"Candidature n° {application.id}").click()
    page.get_by_label("Non, je n'ai aucun conflit d'intérêts").check()
    page.get_by_role("button", name="Déclarer").click()
    page.get_by_text("Aucun conflit d'intérêts déclaré.").wait_for()
    assert "Startup Masquée" not in page.content()  # blind first round

    for criterion, value in zip(call.criteria, ["4", "3", "5", "2", "4"], strict=True):
        page.get_by_label(f"Note pour {criterion.name}").fill(value)
    page.get_by_label("Oui", exact=True).check()
    page.get_by_label("Commentaire").fill("Bon ancrage régional.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Évaluation enregistrée.").wait_for()
    page.get_by_role("button", name="Enregistrer et finaliser").click()
    page.get_by_text("Évaluation finalisée. Merci.").wait_for()

    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.is_final and review.has_conflict is False and review.comment == "Bon ancrage régional."
    assert sorted(s.value for s in review.scores) == [2, 3, 4, 4, 5]
