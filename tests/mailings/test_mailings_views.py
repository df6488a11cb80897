"""The mailings pages as each role sees them, and the paths the secretariat takes: write to a filtered register,
preview, test, send, follow the recipients; the consent section; the unsubscribe link from a delivered message."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.models import AuditEvent, OutboxMessage
from club.extensions import db as database
from club.mailings.models import ContactConsent, Mailing, MailingRecipient, MailingState, RecipientStatus
from club.members.models import Contact, OrgKind
from club.permissions import Role
from tests.conftest import text
from tests.factories import OrganizationFactory, UserFactory
from tests.mailings.helpers import organisation, unsubscribe_link

FILTERED = "/mailings/new?kind=call_center&status=active&province=oujda_angad"


@pytest.fixture()
def world(db):
    saccom, (zine, nadia) = organisation("Saccom", owed=Decimal("15000.00"), kind=OrgKind.CALL_CENTER, contacts=[
        ("Moulay Zine", "mz@saccom.example", True, True), ("Nadia Amrani", "nadia@saccom.example", False, False)])
    eca, (sanae,) = organisation("Eca groupe", kind=OrgKind.CALL_CENTER,
                                 contacts=[("Sanae Berrada", "sanae@eca.example", True, True)])
    organisation("Notoriety", kind=OrgKind.CALL_CENTER,
                 contacts=[("Hicham Lahlou", "h@notoriety.example", True, False)])
    organisation("FIRO", kind=OrgKind.INVESTOR, contacts=[("Youssef Benali", "y@firo.example", True, True)])
    database.session.commit()
    users = {
        "staff": UserFactory(role=Role.SECRETARIAT, locale="en", email="staff@club.example", name="Salma"),
        "member": UserFactory(role=Role.MEMBER, organization=saccom, locale="en", email="nadia@saccom.example"),  # Nadia Amrani, the contact
        "other_member": UserFactory(member=True, locale="en"),
        "partner": UserFactory(partner=True, locale="en"),
        "applicant": UserFactory(applicant=True, locale="en"),
    }
    database.session.commit()
    return {"saccom": saccom, "eca": eca, "zine": zine, "nadia": nadia, "sanae": sanae, **users}


def _new(client, **values):
    body = {"audience_label": "Centres d'appels actifs", "scope": "primary", "subject_fr": "Invitation {organisation}",
            "body_fr": "Bonjour {contact_name}, vous devez {dues_owed}.", "subject_en": "", "body_en": ""}
    body.update(values)
    return client.post(FILTERED, data=body)


@pytest.mark.parametrize("who", ["member", "other_member", "partner", "applicant"])
def test_mailings_are_the_secretariats_alone(world, as_user, who):
    client = as_user(world["staff"])
    mailing_id = int(_new(client).headers["Location"].rsplit("/", 1)[1])
    client = as_user(world[who])
    for url in ["/mailings/", FILTERED, f"/mailings/{mailing_id}", f"/mailings/{mailing_id}/edit",
                f"/mailings/{mailing_id}/preview", f"/mailings/{mailing_id}/send", f"/mailings/{mailing_id}/recipients"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/mailings/{mailing_id}/send", f"/mailings/{mailing_id}/test", f"/mailings/{mailing_id}/delete"]:
        assert client.post(url, data={"version": "1"}).status_code == 404, url
    assert database.session.get(Mailing, mailing_id).state == MailingState.DRAFT


def test_the_register_link_opens_a_draft_with_its_audience_counted(world, as_user):
    client = as_user(world["staff"])
    page = text(client.get(FILTERED))
    assert "Call centre · Active · Oujda-Angad" in page
    assert "3 organisations" in page
    assert "2 recipients will receive it" in page
    assert "1 contact will be skipped: no consent" in page
    selection = text(client.get(f"/mailings/new?ids={world['eca'].id}&ids=abc&ids=99999&audience=Choisis"))
    assert "a selection of 2 organisations" in selection and 'value="Choisis"' in selection
    assert "1 recipient will receive it" in selection


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"body_fr": "Bonjour {prenom}"}, "body_fr", "Unknown merge field: {prenom}"),
    ({"subject_fr": "{{ config.SECRET_KEY }}"}, "subject_fr", "Unknown merge field"),
    ({"body_fr": ""}, "body_fr", "Write the letter in French."),
    ({"subject_en": "Hello"}, "body_en", "Give the English version both a subject and a text"),
    ({"subject_fr": "Ligne\r\nBcc: x@evil.example"}, "subject_fr", "Line breaks are not allowed here."),
])
def test_bad_letters_are_refused_at_their_field_input_kept(world, as_user, values, field, message):
    client = as_user(world["staff"])
    response = _new(client, **values)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'id="{field}-error"' in page.replace("'", '"')
    assert "Centres d'appels actifs" in page  # the input is kept
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0


def test_no_recipient_is_refused(world, as_user):
    client = as_user(world["staff"])
    response = client.post("/mailings/new?province=nador", data={
        "scope": "primary", "subject_fr": "Objet", "body_fr": "Texte", "audience_label": "Nador"})
    assert response.status_code == 422
    assert "Nobody to write to" in text(response)


def test_preview_test_send_and_send(world, as_user, outbox, jobs):
    client = as_user(world["staff"])
    response = _new(client, subject_en="Invitation {organisation}", body_en="Dear {contact_name}, you owe {dues_owed}.")
    assert response.status_code == 303
    mailing = database.session.scalar(sa.select(Mailing))
    detail = text(client.get(f"/mailings/{mailing.id}"))
    assert "2 recipients will receive it" in detail

    # Preview: the first recipient, then one typed, a page of the audience only.
    preview = text(client.get(f"/mailings/{mailing.id}/preview?q=moulay"))
    assert "Moulay Zine" in preview
    chosen = text(client.get(f"/mailings/{mailing.id}/preview?contact={world['zine'].id}"))
    # Saccom's member account reads English: its contacts get the English text, money written in English.
    assert "Dear Moulay Zine, you owe 15,000.00\u00a0MAD." in chosen and "in English" in chosen
    assert "Invitation Saccom" in chosen
    french = text(client.get(f"/mailings/{mailing.id}/preview?contact={world['sanae'].id}"))
    assert "Bonjour Sanae Berrada, vous devez 0,00\u00a0MAD." in french and "in French" in french
    outsider = database.session.scalar(sa.select(Contact.id).where(Contact.email == "y@firo.example"))
    assert "Youssef" not in text(client.get(f"/mailings/{mailing.id}/preview?contact={outsider}")).split("Preview for another")[0]

    # The test goes to the sender, through the outbox.
    response = client.post(f"/mailings/{mailing.id}/test", data={"language": "en", "contact": str(world["zine"].id)})
    assert response.status_code == 303
    [test] = outbox(template="mailing")
    assert test.recipient == "staff@club.example" and test.subject == "[Test] Invitation Saccom"
    assert "Dear Moulay Zine, you owe 15,000.00" in test.body_text

    # Send: the confirmation says the count; the job queues the rest.
    confirm = text(client.get(f"/mailings/{mailing.id}/send"))
    assert "It will go to 2 recipients." in confirm and "1 contact skipped: no consent" in confirm
    response = client.post(f"/mailings/{mailing.id}/send", data={"version": str(mailing.version)})
    assert response.status_code == 303
    assert client.post(f"/mailings/{mailing.id}/send", data={"version": str(mailing.version)}).status_code == 303
    jobs.run()
    database.session.expire_all()
    mailing = database.session.get(Mailing, mailing.id)
    assert mailing.state == MailingState.SENT and mailing.queued_count == 2 and mailing.no_consent_count == 1
    assert len(outbox(template="mailing")) == 3  # the test and two letters: sent once
    assert client.get(f"/mailings/{mailing.id}/edit").status_code == 303
    recipients = text(client.get(f"/mailings/{mailing.id}/recipients?status=skipped_no_consent"))
    assert "Hicham Lahlou" in recipients and "Moulay Zine" not in recipients
    events = [e.action for e in database.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == "mailings").order_by(AuditEvent.id))]
    assert events == ["mailing.created", "mailing.test_sent", "mailing.sent", "mailing.queued"]


def test_a_stale_send_is_refused(world, as_user):
    client = as_user(world["staff"])
    _new(client)
    mailing = database.session.scalar(sa.select(Mailing))
    response = client.post(f"/mailings/{mailing.id}/send", data={"version": str(mailing.version + 5)})
    assert response.status_code == 409
    assert database.session.get(Mailing, mailing.id).state == MailingState.DRAFT


def test_unsubscribe_end_to_end_and_the_next_mailing_skips_the_contact(world, as_user, app, outbox, jobs):
    client = as_user(world["staff"])
    _new(client)
    first = database.session.scalar(sa.select(Mailing))
    client.post(f"/mailings/{first.id}/send", data={"version": str(first.version)})
    jobs.run()
    message = next(m for m in outbox(template="mailing") if m.recipient == "sanae@eca.example")
    link = unsubscribe_link(message.body_text)
    path = link.removeprefix("http://club.test")

    anonymous = app.test_client()
    with anonymous.session_transaction() as session:
        session["locale"] = "en"  # the page as someone who chose English reads it
    page = anonymous.get(path)
    assert page.status_code == 200 and "Stop sending the club's mailings to sanae@eca.example?" in text(page)
    assert database.session.get(ContactConsent, world["sanae"].id).unsubscribed_at is None  # GET changes nothing
    assert anonymous.post(path).status_code == 200
    assert anonymous.post(path).status_code == 200  # twice: the same
    database.session.expire_all()
    assert database.session.get(ContactConsent, world["sanae"].id).unsubscribed_at is not None
    assert len(database.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "mailing_consent.unsubscribed")).all()) == 1

    # Forged and tampered tokens: a clear page, 404, never 500.
    for bad in ["/mailings/unsubscribe/forged", path[:-3] + "abc", path + "x", "/mailings/unsubscribe/%00%ff"]:
        response = anonymous.get(bad)
        assert response.status_code in (400, 404), bad  # a NUL in the path is refused before the view
        assert response.status_code == 400 or "This unsubscribe link is not valid" in text(response)
        assert anonymous.post(bad).status_code in (400, 404)

    _new(client, subject_fr="Deuxième")
    second = database.session.scalar(sa.select(Mailing).where(Mailing.subject_fr == "Deuxième"))
    assert "1 contact will be skipped: unsubscribed" in text(client.get(f"/mailings/{second.id}"))
    client.post(f"/mailings/{second.id}/send", data={"version": str(second.version)})
    jobs.run()
    database.session.expire_all()
    second = database.session.get(Mailing, second.id)
    assert (second.queued_count, second.unsubscribed_count) == (1, 1)
    assert database.session.scalar(sa.select(MailingRecipient.status).where(
        MailingRecipient.mailing_id == second.id, MailingRecipient.email == "sanae@eca.example")) \
        == RecipientStatus.SKIPPED_UNSUBSCRIBED


def test_the_consent_section_for_the_secretariat_and_the_organisations_own_members(world, as_user):
    saccom = world["saccom"]
    client = as_user(world["staff"])
    page = text(client.get(f"/members/{saccom.id}"))
    assert "Mailing consent" in page and "Consent given on" in page and "No consent" in page
    nadia = world["nadia"]
    assert client.post(f"/mailings/consent/{nadia.id}/give").status_code == 303
    assert database.session.get(ContactConsent, nadia.id).is_given

    member = as_user(world["member"])
    page = text(member.get(f"/members/{saccom.id}"))
    assert "Mailing consent" in page
    assert member.post(f"/mailings/consent/{nadia.id}/withdraw").status_code == 303
    database.session.expire_all()
    consent = database.session.get(ContactConsent, nadia.id)
    assert consent.withdrawn_on is not None and consent.source.value == "member"
    # Nor a colleague's consent (a colleague's unsubscribe is theirs to undo), nor another organisation's: 404.
    assert "Withdraw the consent of Moulay Zine" not in text(member.get(f"/members/{saccom.id}"))
    assert member.post(f"/mailings/consent/{world['zine'].id}/withdraw").status_code == 404
    assert database.session.get(ContactConsent, world["zine"].id).is_given
    assert member.post(f"/mailings/consent/{world['sanae'].id}/withdraw").status_code == 404
    assert database.session.get(ContactConsent, world["sanae"].id).withdrawn_on is None
    assert "Mailing consent" not in text(member.get(f"/members/{world['eca'].id}"))
    for who in ("partner", "other_member"):
        assert "Mailing consent" not in text(as_user(world[who]).get(f"/members/{saccom.id}"))
        assert as_user(world[who]).post(f"/mailings/consent/{nadia.id}/give").status_code == 404


def _queries(client, count_queries, url) -> int:
    database.session.expire_all()
    with count_queries() as q:
        response = client.get(url)
    assert response.status_code == 200, url
    return q.count


def _bulk(n: int, tag: str) -> Mailing:
    """A sent mailing with n recipients (one message each) and n drafts, in bulk."""
    from club.models import utcnow

    org = OrganizationFactory(name=f"Org {tag}")
    now = utcnow()
    database.session.execute(sa.insert(Mailing), [
        {"subject_fr": f"Brouillon {tag} {i}", "body_fr": "x", "audience": {"ids": [org.id]},
         "scope": "primary", "state": "draft", "created_at": now, "updated_at": now, "version": 1}
        for i in range(n)])
    mailing = Mailing(subject_fr=f"Envoyé {tag}", body_fr="x", audience={}, state=MailingState.SENT)
    database.session.add(mailing)
    database.session.flush()
    ids = database.session.scalars(sa.insert(OutboxMessage).returning(OutboxMessage.id), [
        {"recipient": f"{tag}{i}@example.org", "subject": "s", "body_text": "b", "template": "mailing",
         "status": "sent" if i % 2 else "pending", "created_at": now, "attempts": 0, "attachments": []}
        for i in range(n)]).all()
    database.session.execute(sa.insert(MailingRecipient), [
        {"mailing_id": mailing.id, "name": f"P{i}", "email": f"{tag}{i}@example.org", "locale": "fr",
         "status": "queued" if i % 3 else "skipped_no_consent", "outbox_message_id": ids[i] if i % 3 else None,
         "organization_id": org.id, "created_at": now}
        for i in range(n)])
    database.session.commit()
    return mailing


PAGES = ["/mailings/", "/mailings/{id}/recipients", "/mailings/{id}/recipients?status=sent", "/mailings/{id}",
         "/mailings/{draft}/preview", "/mailings/{draft}/send"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_run_a_constant_number_of_queries(db, as_user, count_queries, url):
    client = as_user(UserFactory(role=Role.SECRETARIAT, locale="en"))
    small, big = _bulk(5, "s"), _bulk(80, "b")
    org_small, org_big = (OrganizationFactory(name=f"Audience {t}") for t in "sb")
    for org, n in ((org_small, 2), (org_big, 70)):
        database.session.execute(sa.insert(Contact), [
            {"organization_id": org.id, "name": f"C{i}", "name_key": f"c{i}", "email": f"c{i}@{org.id}.example",
             "is_primary": i == 0, "created_at": small.created_at, "updated_at": small.created_at, "version": 1}
            for i in range(n)])
    drafts = []
    for org in (org_small, org_big):
        draft = Mailing(subject_fr="D", body_fr="x", audience={"ids": [org.id]}, scope="all", state=MailingState.DRAFT)
        database.session.add(draft)
        drafts.append(draft)
    database.session.commit()
    client.get("/")
    pairs = [(m.id, d.id) for m, d in zip((small, big), drafts, strict=True)]
    counts = [_queries(client, count_queries, url.format(id=m, draft=d)) for m, d in pairs]
    assert counts[0] == counts[1], url


def test_the_lists_are_paginated(db, as_user):
    mailing = _bulk(60, "p")
    client = as_user(UserFactory(role=Role.SECRETARIAT, locale="en"))
    assert "61 results" in text(client.get("/mailings/"))
    page = text(client.get(f"/mailings/{mailing.id}/recipients"))
    assert "60 results" in page and page.count("data-status=") == 50
    assert text(client.get(f"/mailings/{mailing.id}/recipients?page=2")).count("data-status=") == 10


def test_an_unsubscribed_contact_following_the_link_again_is_told_so(world, app):
    from club.mailings import services
    from club.mailings.models import Mailing as MailingModel

    mailing = MailingModel(subject_fr="S", body_fr="B", audience={}, state=MailingState.SENT)
    database.session.add(mailing)
    database.session.commit()
    with app.test_request_context():
        path = "/mailings/unsubscribe/" + services.unsubscribe_token(mailing.id, world["sanae"].id)
        test_path = "/mailings/unsubscribe/" + services.unsubscribe_token(mailing.id, None)
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    client.post(path)
    again = text(client.get(path))
    assert "will receive no more of the club's mailings" in again and "<form" not in again.split("<main")[1]
    test_link = client.get(test_path)
    assert test_link.status_code == 200 and "it unsubscribes nobody" in text(test_link)
    assert client.post(test_path).status_code == 200
    assert database.session.scalar(sa.select(sa.func.count()).select_from(ContactConsent)
                                   .where(ContactConsent.unsubscribed_at.is_not(None))) == 1
