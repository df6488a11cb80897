"""The applicant's portal: drafts, the deck, submission, the thread, withdrawal; never someone else's."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent
from club.core.refusals import Refused
from club.core.storage import StoredFile
from club.extensions import db
from club.incubator.models import Application, DeckVersion, Message, Status, StatusChange
from club.members.models import Organization, OrgKind, search_text_for
from club.models import utcnow
from tests.conftest import text
from tests.incubator.factories import COMPLETE, PDF, ApplicationFactory, CallFactory


def _form(**overrides):
    data = {k: (v.value if hasattr(v, "value") else v) for k, v in COMPLETE.items()}
    data.update(overrides)
    return data


def _start(client, call):
    response = client.post(f"/incubator/calls/{call.id}/apply")
    assert response.status_code == 303
    return int(response.headers["Location"].split("/")[-2])


def _upload(client, application_id, data=PDF, name="deck.pdf", content_type="application/pdf", **fields):
    """The deck, sent with the application form (as the page does), the text as saved unless given."""
    application = db.session.get(Application, application_id)
    form = {name_: getattr(application, name_) for name_ in ("startup_name", "problem")}
    form = {k: (v or "") for k, v in form.items()}
    form.update(fields)
    return client.post(f"/incubator/applications/{application_id}/edit",
                       data={"version": application.version, "action": "save", **form,
                             "deck": (io.BytesIO(data), name, content_type)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_public_page_lists_open_calls_for_anyone(client, db):
    open_call = CallFactory(title="Appel ouvert")
    CallFactory(title="Appel clos", opens_at=utcnow() - timedelta(days=30), closes_at=utcnow() - timedelta(days=1))
    response = client.get("/incubator/")
    assert response.status_code == 200
    assert "Appel ouvert" in response.text and "Appel clos" not in response.text
    assert client.get(f"/incubator/calls/{open_call.id}").status_code == 200
    closed_call = db.session.scalar(sa.text("SELECT id FROM incubator_calls WHERE title = 'Appel clos'"))
    assert client.get(f"/incubator/calls/{closed_call}").status_code == 404


def test_draft_upload_and_submit(db, factories, login_as, outbox):
    call = CallFactory()
    founder = factories.UserFactory(applicant=True, name="Samira", email="samira@example.org")
    client = login_as(founder)
    app_id = _start(client, call)
    assert _start(client, call) == app_id  # a second click opens the same application

    # a draft saves with almost nothing filled in
    response = client.post(f"/incubator/applications/{app_id}/edit",
                           data={"version": 1, "startup_name": "Atlas Calls", "action": "save"})
    assert response.status_code == 303
    application = db.session.get(Application, app_id)
    assert application.startup_name == "Atlas Calls" and application.status == Status.DRAFT

    # submitting with fields missing: refused, and what was typed is kept
    response = client.post(f"/incubator/applications/{app_id}/edit",
                           data={"version": application.version, "startup_name": "Atlas Calls",
                                 "problem": "Un vrai problème", "action": "submit"})
    assert response.status_code == 422
    assert "Obligatoire pour soumettre." in text(response)
    db.session.expire_all()
    application = db.session.get(Application, app_id)
    assert application.status == Status.DRAFT and application.problem == "Un vrai problème"

    # the deck, then everything with consent
    first = _upload(client, app_id).text
    assert "Brouillon et pitch deck enregistrés." in first
    _upload(client, app_id, name="deck-v2.pdf")
    db.session.expire_all()
    versions = db.session.scalars(sa.select(DeckVersion).where(DeckVersion.application_id == app_id)).all()
    assert [v.number for v in versions] == [1, 2]  # the old one stays in history
    response = client.post(f"/incubator/applications/{app_id}/edit",
                           data=_form(version=db.session.get(Application, app_id).version, action="submit"))
    assert response.status_code == 422  # no consent yet
    db.session.expire_all()
    response = client.post(f"/incubator/applications/{app_id}/edit",
                           data=_form(version=db.session.get(Application, app_id).version, consent="y",
                                      action="submit"))
    assert response.status_code == 303
    db.session.expire_all()
    application = db.session.get(Application, app_id)
    assert application.status == Status.SUBMITTED and application.consent_at is not None
    # submitting links the application to no organisation: the secretariat does, explicitly
    assert application.organization_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0
    assert [m.recipient for m in outbox(template="incubator_submitted")] == ["samira@example.org"]

    page = client.get(f"/incubator/applications/{app_id}")
    assert "Soumise" in text(page)
    # no more edits once submitted
    assert client.get(f"/incubator/applications/{app_id}/edit").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange)
                             .where(StatusChange.application_id == app_id)) == 2


def _submit_as(client, application, **fields):
    return client.post(f"/incubator/applications/{application.id}/edit",
                       data=_form(version=application.version, consent="y", action="submit", **fields))


def test_a_typed_startup_name_never_links_to_an_existing_organisation(db, factories, login_as):
    saccom = factories.OrganizationFactory(name="Saccom", kind=OrgKind.BPO, description="Gestion documentaire")
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True)
    db.session.add(DeckVersion(application_id=application.id, number=1, stored_file_id=_stored(db, founder).id))
    db.session.commit()
    assert _submit_as(login_as(founder), application, startup_name="saccom").status_code == 303
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == Status.SUBMITTED and application.organization_id is None
    assert db.session.get(type(founder), founder.id).organization_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1

    # the secretariat sees Saccom as a suggestion, and links explicitly
    staff = factories.UserFactory()
    client = login_as(staff)
    page = client.get(f"/incubator/applications/{application.id}")
    assert "Organisations au nom proche" in page.text and "Suggestion : Saccom" in page.text
    application.status = Status.ACCEPTED  # a new organisation only for an accepted startup; the name is taken
    db.session.commit()
    response = client.post(f"/incubator/applications/{application.id}/organization", data={"organization": "new"},
                           follow_redirects=True)
    assert "Une organisation nommée « Saccom » existe déjà" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1
    response = client.post(f"/incubator/applications/{application.id}/organization",
                           data={"organization": str(saccom.id)}, follow_redirects=True)
    assert "La candidature est liée à Saccom." in response.text
    db.session.expire_all()
    assert db.session.get(Application, application.id).organization_id == saccom.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "incubator.application.organization"))
    assert event.changes == {"organization_id": [None, saccom.id]}
    # the member's profile is untouched
    saccom = db.session.get(Organization, saccom.id)
    assert (saccom.name, saccom.kind, saccom.description) == ("Saccom", OrgKind.BPO, "Gestion documentaire")


def test_no_new_organisation_before_acceptance(db, ctx, factories):
    from club.incubator import services

    application = ApplicationFactory(startup_name="Nador CX")
    with pytest.raises(Refused) as refused:
        services.link_organization(application, by=factories.UserFactory())
    assert refused.value.field == "organization"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


def test_the_secretariat_creates_the_startup_organisation_with_its_name_only(db, factories, login_as):
    application = ApplicationFactory(startup_name="Nador CX", project_title="Relation client pour le Rif")
    staff = factories.UserFactory()
    client = login_as(staff)
    # not accepted yet: no new organisation (it would crowd every organisation picker)
    assert "Créer une nouvelle organisation" not in text(client.get(f"/incubator/applications/{application.id}"))
    response = client.post(f"/incubator/applications/{application.id}/organization", data={"organization": "new"},
                           follow_redirects=True)
    assert "Choisissez l'organisation de la startup." in text(response)
    assert db.session.scalar(sa.select(Organization).where(Organization.name == "Nador CX")) is None
    application.status = Status.ACCEPTED
    db.session.commit()
    assert "Créer une nouvelle organisation startup « Nador CX »" in text(
        client.get(f"/incubator/applications/{application.id}"))
    client.post(f"/incubator/applications/{application.id}/organization", data={"organization": "new"})
    db.session.expire_all()
    org = db.session.get(Application, application.id).organization
    assert org.name == "Nador CX" and org.kind == OrgKind.STARTUP
    assert not org.description and "rif" not in org.search_text.casefold()
    # made the members' one way: their search text, their audit action (and the link, the incubator's)
    assert org.search_text == search_text_for(org.name, org.description, [])
    events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id,
                                          AuditEvent.actor_id).order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [
        ("organization.created", "organizations", org.id, staff.id),
        ("incubator.application.organization", "incubator_applications", application.id, staff.id)]


def test_submit_after_the_deadline_is_refused_and_nothing_lost(db, factories, login_as):
    call = CallFactory(opens_at=utcnow() - timedelta(days=10), closes_at=utcnow() - timedelta(minutes=1))
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(call=call, applicant=founder, draft=True)
    application.consent_at = utcnow()
    db.session.add(DeckVersion(application_id=application.id, number=1, stored_file_id=_stored(db, founder).id))
    db.session.commit()
    client = login_as(founder)
    response = client.post(f"/incubator/applications/{application.id}/edit",
                           data=_form(version=application.version, consent="y", problem="Texte révisé",
                                      action="submit"))
    assert response.status_code == 422
    assert "La date limite de cet appel est passée" in text(response)
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == Status.DRAFT and application.problem == "Texte révisé"


def _stored(db, user):
    row = StoredFile(key=f"k{user.id}x", original_name="d.pdf", kind="pdf", size=len(PDF), sha256="0" * 64,
                     uploaded_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def test_cannot_apply_to_a_closed_call(db, factories, login_as):
    call = CallFactory(opens_at=utcnow() + timedelta(days=1), closes_at=utcnow() + timedelta(days=5))
    client = login_as(factories.UserFactory(applicant=True))
    assert client.post(f"/incubator/calls/{call.id}/apply").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_bad_decks_are_refused_and_the_draft_is_kept(db, factories, login_as, app):
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True, problem="Mon brouillon")
    client = login_as(founder)
    not_pdf = _upload(client, application.id, data=b"MZ\x90\x00 not a pdf", name="deck.pdf")
    assert "PDF" in not_pdf.text
    html_as_pdf = _upload(client, application.id, data=b"<html><script>x</script>", name="x.pdf",
                          content_type="application/pdf")
    assert "PDF" in html_as_pdf.text
    too_big = _upload(client, application.id, data=PDF + b"0" * (10 * 1024 * 1024), name="big.pdf")
    assert "10" in too_big.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeckVersion)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    # a path in the name is reduced to its last part, never used on disk
    _upload(client, application.id, name="../../x.pdf")
    deck = db.session.scalar(sa.select(DeckVersion))
    assert deck.file.original_name == "x.pdf" and "/" not in deck.file.key
    db.session.expire_all()
    assert db.session.get(Application, application.id).problem == "Mon brouillon"
    response = client.get(f"/incubator/applications/{application.id}/decks/{deck.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_another_applicants_application_is_404_everywhere(db, factories, login_as):
    owner = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=owner, draft=True, problem="Secret")
    db.session.add(DeckVersion(application_id=application.id, number=1, stored_file_id=_stored(db, owner).id))
    db.session.commit()
    deck_id = db.session.scalar(sa.select(DeckVersion.id))
    intruder = factories.UserFactory(applicant=True)
    client = login_as(intruder)
    base = f"/incubator/applications/{application.id}"
    for url in (base, f"{base}/edit", f"{base}/decks/{deck_id}"):
        assert client.get(url).status_code == 404, url
    for url, data in ((f"{base}/edit", _form(version=1, action="submit")), (f"{base}/withdraw", {}),
                      (f"{base}/messages", {"body": "Hello"}), (f"{base}/move", {"to_status": "accepted"}),
                      (f"{base}/deck", {})):
        assert client.post(url, data=data).status_code == 404, url
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == Status.DRAFT and application.problem == "Secret"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
    # a member sees nothing of the incubator but the public page
    member = factories.UserFactory(member=True)
    client = login_as(member)
    assert client.get(base).status_code == 404


def test_the_applicant_cannot_set_a_status(db, factories, login_as):
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, status=Status.INTERVIEW)
    client = login_as(founder)
    assert client.post(f"/incubator/applications/{application.id}/move",
                       data={"to_status": "accepted", "version": application.version}).status_code == 404
    # a forged status field on the edit form is ignored (and the form refuses edits after submission)
    client.post(f"/incubator/applications/{application.id}/edit", data={"status": "accepted"})
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.INTERVIEW


def test_thread_and_withdraw(db, factories, login_as, outbox):
    founder = factories.UserFactory(applicant=True, locale="en", email="f@example.org")
    staff = factories.UserFactory()
    application = ApplicationFactory(applicant=founder, status=Status.SCREENING)
    client = login_as(staff)
    client.post(f"/incubator/applications/{application.id}/messages", data={"body": "Combien d'emplois ?"})
    mails = outbox(template="incubator_message")
    assert len(mails) == 1 and mails[0].recipient == "f@example.org"
    assert mails[0].subject == "A message about your application"  # in the applicant's language
    client = login_as(founder)
    page = client.get(f"/incubator/applications/{application.id}")
    assert "Combien d'emplois ?" in text(page)
    client.post(f"/incubator/applications/{application.id}/messages", data={"body": "Vingt."})
    messages = db.session.scalars(sa.select(Message).order_by(Message.id)).all()
    assert [(m.from_secretariat, m.body) for m in messages] == [(True, "Combien d'emplois ?"), (False, "Vingt.")]
    response = client.post(f"/incubator/applications/{application.id}/withdraw", data={"note": "Plus tard"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == Status.WITHDRAWN
    response = client.post(f"/incubator/applications/{application.id}/withdraw", data={}, follow_redirects=True)
    assert "This application can no longer be withdrawn." in text(response)  # the founder reads English


def test_draft_saved_elsewhere_is_not_overwritten(db, factories, login_as):
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True, problem="v1")
    client = login_as(founder)
    version = application.version
    assert client.post(f"/incubator/applications/{application.id}/edit",
                       data={"version": version, "problem": "from tab A", "action": "save"}).status_code == 303
    response = client.post(f"/incubator/applications/{application.id}/edit",
                           data={"version": version, "problem": "from tab B", "action": "save"})
    assert response.status_code == 409
    assert "from tab A" in response.text and "from tab B" in response.text
    db.session.expire_all()
    assert db.session.get(Application, application.id).problem == "from tab A"


def test_an_upload_over_the_request_limit_gets_the_friendly_413(db, factories, login_as, app):
    founder = factories.UserFactory(applicant=True)
    application = ApplicationFactory(applicant=founder, draft=True, problem="Gardé")
    client = login_as(founder)
    response = client.post(f"/incubator/applications/{application.id}/deck",
                           data={"deck": (io.BytesIO(PDF + b"0" * app.config["MAX_CONTENT_LENGTH"]), "big.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeckVersion)) == 0
    db.session.expire_all()
    assert db.session.get(Application, application.id).problem == "Gardé"


def test_reviewers_are_told_of_their_assignments_once_per_batch(db, factories, login_as, outbox):
    partner = factories.UserFactory(partner=True, email="rev@firo.example", locale="en")
    call = CallFactory()
    apps = [ApplicationFactory(call=call) for _ in range(3)]
    client = login_as(factories.UserFactory())
    client.post(f"/incubator/calls/{call.id}/assign", data={"reviewer": partner.id,
                                                            "application_ids": [a.id for a in apps]})
    client.post(f"/incubator/calls/{call.id}/assign", data={"reviewer": partner.id,
                                                            "application_ids": [a.id for a in apps]})
    mails = outbox(template="incubator_assigned")
    assert len(mails) == 1 and mails[0].recipient == "rev@firo.example"
    assert "3 applications" in mails[0].body_text


def test_nested_urls_must_agree(db, factories, login_as):
    owner = factories.UserFactory(applicant=True)
    mine = ApplicationFactory(applicant=owner, draft=True)
    other = ApplicationFactory()
    db.session.add(DeckVersion(application_id=other.id, number=1, stored_file_id=_stored(db, other.applicant).id))
    db.session.commit()
    other_deck = db.session.scalar(sa.select(DeckVersion.id))
    assert login_as(owner).get(f"/incubator/applications/{mine.id}/decks/{other_deck}").status_code == 404
    staff = factories.UserFactory()
    from club.incubator.models import Review
    from tests.incubator.factories import ReviewFactory

    review = ReviewFactory(application=other)
    client = login_as(staff)
    assert client.get(f"/incubator/applications/{mine.id}/decks/{other_deck}").status_code == 404
    assert client.post(f"/incubator/applications/{mine.id}/reviews/{review.id}/remove").status_code == 404
    assert db.session.get(Review, review.id) is not None
