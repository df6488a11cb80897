"""An applicant's reply in the thread emails the secretariat (each active secretariat user, in their language);
the secretariat's own messages go to the applicant only."""

from __future__ import annotations

from club.incubator import services
from club.incubator.models import Status
from tests.incubator.factories import ApplicationFactory, CallFactory, ReviewFactory


def test_an_applicant_reply_emails_each_active_secretariat_user_in_their_language(db, factories, login_as, outbox):
    sec_fr = factories.UserFactory(locale="fr", email="sec.fr@club.test")
    sec_en = factories.UserFactory(locale="en", email="sec.en@club.test")
    factories.UserFactory(active=False, email="gone@club.test")
    reviewer = factories.UserFactory(partner=True, email="reviewer@firo.test")
    factories.UserFactory(member=True, email="member@club.test")
    founder = factories.UserFactory(applicant=True, name="Samira Alaoui", email="founder@startup.test")
    call = CallFactory(title="Appel 2026")
    application = ApplicationFactory(call=call, applicant=founder, startup_name="Atlas Calls",
                                     status=Status.SCREENING)
    ReviewFactory(application=application, reviewer=reviewer)
    body = "Nous prévoyons vingt emplois la première année. " * 20

    response = login_as(founder).post(f"/incubator/applications/{application.id}/messages", data={"body": body})

    assert response.status_code == 303
    mails = outbox(template="incubator_reply")
    assert sorted(m.recipient for m in mails) == ["sec.en@club.test", "sec.fr@club.test"]
    assert not outbox(template="incubator_message")  # nothing goes back to the applicant
    by_recipient = {m.recipient: m for m in mails}
    french, english = by_recipient["sec.fr@club.test"], by_recipient["sec.en@club.test"]
    assert french.subject == f"Réponse du candidat : Atlas Calls (n° {application.id})"
    assert english.subject == f"Applicant's reply: Atlas Calls (#{application.id})"
    assert f"Bonjour {sec_fr.name}," in french.body_text
    assert "Samira Alaoui a répondu dans le fil de la candidature « Atlas Calls »" in french.body_text
    assert "à l'appel « Appel 2026 »" in french.body_text
    assert f"Hello {sec_en.name}," in english.body_text
    assert "to the call \"Appel 2026\"" in english.body_text
    url = f"http://club.test/incubator/applications/{application.id}"
    for mail in mails:
        assert url in mail.body_text
        assert "Nous prévoyons vingt emplois la première année." in mail.body_text
        assert body.strip() not in mail.body_text  # an excerpt, not the whole message
        assert "…" in mail.body_text


def test_the_history_tells_a_reply_from_a_message_to_the_applicant(db, factories, login_as):
    staff = factories.UserFactory(locale="fr")
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, status=Status.SCREENING)
    url = f"/incubator/applications/{application.id}"
    login_as(staff).post(f"{url}/messages", data={"body": "Combien d'emplois ?"})
    login_as(founder).post(f"{url}/messages", data={"body": "Vingt."})
    page = login_as(staff).get(url).get_data(as_text=True)
    assert page.count("Message envoyé au candidat") == 1
    assert page.count("Réponse du candidat") == 1


def test_the_excerpt_keeps_a_short_message_whole_and_cuts_a_long_one_at_a_word():
    assert services.excerpt("  Vingt.  ") == "Vingt."
    short = "a" * 300
    assert services.excerpt(short) == short
    long = "mot " * 100
    cut = services.excerpt(long)
    assert len(cut) <= 301 and cut.endswith("mot…")


def test_a_secretariat_message_does_not_email_the_secretariat(db, factories, ctx, outbox):
    staff = factories.UserFactory(email="staff@club.test")
    factories.UserFactory(email="colleague@club.test")
    founder = factories.UserFactory(applicant=True, email="founder@startup.test")
    application = ApplicationFactory(applicant=founder, status=Status.SCREENING)

    services.post_message(application, body="Combien d'emplois ?", by=staff)
    db.session.commit()

    assert outbox(template="incubator_reply") == []
    assert [m.recipient for m in outbox(template="incubator_message")] == ["founder@startup.test"]
