"""Consent, drafts, merge fields, and the job that queues a mailing, delivered by a real SMTP server."""

from __future__ import annotations

import email
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from club.core.models import OutboxMessage
from club.core.outbox import send_pending
from club.core.refusals import Refused
from club.extensions import db
from club.mailings import jobs, merge, queries, services
from club.mailings.models import (
    ConsentSource,
    ContactConsent,
    Mailing,
    MailingRecipient,
    MailingState,
    RecipientScope,
    RecipientStatus,
)
from club.permissions import Role
from tests.factories import UserFactory
from tests.mailings.helpers import data, organisation


@pytest.fixture()
def staff(db, request_context):
    return UserFactory(email="staff@club.example", name="Salma Idrissi", role=Role.SECRETARIAT)


def _world():
    saccom, (zine, nadia) = organisation("Saccom", owed=Decimal("15000.00"), contacts=[
        ("Moulay Zine", "mz@saccom.example", True, True), ("Nadia Amrani", "nadia@saccom.example", False, True)])
    eca, (sanae,) = organisation("Eca groupe", contacts=[("Sanae Berrada", "sanae@eca.example", True, False)])
    firo, (youssef,) = organisation("FIRO", province=None, contacts=[("Youssef", "y@firo.example", True, True)])
    return saccom, eca, firo, zine, nadia, sanae, youssef


def _send(mailing, staff):
    assert services.start_sending(mailing, version=mailing.version, by=staff)
    db.session.commit()
    return jobs.run(mailing.id)


def test_merge_fields_are_substituted_once_and_unknown_ones_refused():
    assert merge.merge("{contact_name} / {organisation}", {"contact_name": "{organisation}", "organisation": "X"}) \
        == "{organisation} / X"
    assert merge.unknown_fields("Hi {name} {{ config }} {contact_name} {{config}} {a.__class__}") == \
        ["name", "config", "a.__class__"]
    assert merge.unknown_fields("{% if x %}") == ["% if x %"]
    assert merge.unknown_fields("{} and { }") == [""]


@pytest.mark.parametrize(("field", "values"), [
    ("body_fr", {"body_fr": "Bonjour {nom}"}),
    ("subject_fr", {"subject_fr": "Pour {{ config.SECRET_KEY }}"}),
    ("body_fr", {"body_fr": "   "}),
    ("subject_en", {"body_en": "Hello"}),
    ("body_en", {"subject_en": "Hello", "body_en": "{contact_name.__class__}"}),
])
def test_a_letter_with_unknown_fields_or_no_body_is_refused_at_its_field(staff, field, values):
    _world()
    with pytest.raises(Refused) as refused:
        services.create_mailing(data(**values), {"province": "oujda_angad"}, by=staff)
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0


def test_no_recipient_is_refused(staff):
    _world()
    with pytest.raises(Refused) as refused:
        services.create_mailing(data(), {"province": "nador"}, by=staff)
    assert refused.value.field == "audience_label"
    with pytest.raises(Refused):
        services.create_mailing(data(), {"ids": []}, by=staff)


def test_summary_counts_recipients_and_skips(staff):
    saccom, eca, firo, zine, nadia, sanae, youssef = _world()
    mailing = services.create_mailing(data(), {"province": "oujda_angad"}, by=staff)
    s = queries.summary(mailing)
    assert (s.organisations, s.recipients, s.no_consent, s.unsubscribed) == (2, 1, 1, 0)
    mailing.scope = RecipientScope.ALL
    assert queries.summary(mailing).recipients == 2
    selection = services.create_mailing(data(), {"ids": [firo.id, eca.id]}, by=staff)
    assert queries.summary(selection).organisations == 2


def test_the_kept_summary_follows_a_withdrawn_consent(staff):
    """The summary is kept until the data changes: an unsubscribe is counted at once, by the same process."""
    _, (ali,) = organisation("Alpha Conseil", contacts=[("Ali Idrissi", "ali@x.example", True, True)])
    organisation("Beta Services", contacts=[("Badia Alaoui", "badia@x.example", True, True)])
    db.session.commit()
    mailing = services.create_mailing(data(), {}, by=staff)
    db.session.commit()
    assert (queries.summary(mailing).recipients, queries.summary(mailing).unsubscribed) == (2, 0)
    services.unsubscribe(ali)
    db.session.commit()
    assert (queries.summary(mailing).recipients, queries.summary(mailing).unsubscribed) == (1, 1)


def test_consent_given_withdrawn_and_unsubscribed_are_dated_and_audited(staff):
    _, _, _, zine, _, sanae, _ = _world()
    assert services.give_consent(sanae, by=staff, source=ConsentSource.SECRETARIAT, on=date(2026, 3, 1))
    assert not services.give_consent(sanae, by=staff, source=ConsentSource.SECRETARIAT)
    assert services.withdraw_consent(sanae, by=staff, source=ConsentSource.MEMBER, on=date(2026, 4, 1))
    assert not services.withdraw_consent(sanae, by=staff, source=ConsentSource.MEMBER)
    consent = db.session.get(ContactConsent, sanae.id)
    assert (consent.consented_on, consent.withdrawn_on, consent.source) == \
        (date(2026, 3, 1), date(2026, 4, 1), ConsentSource.MEMBER)
    assert services.unsubscribe(zine)
    assert not services.unsubscribe(zine)
    assert db.session.get(ContactConsent, zine.id).unsubscribed_at is not None
    from club.core.models import AuditEvent
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("mailing_consent.%"))))
    assert actions.count("mailing_consent.given") == 4  # three by the helper, one here
    assert actions.count("mailing_consent.withdrawn") == 1 and actions.count("mailing_consent.unsubscribed") == 1


def test_the_job_queues_one_message_per_consenting_recipient_and_counts_the_skipped(staff, outbox):
    saccom, eca, firo, zine, nadia, sanae, youssef = _world()
    services.unsubscribe(nadia)
    mailing = services.create_mailing(data(scope=RecipientScope.ALL), {"province": "oujda_angad"}, by=staff)
    db.session.commit()
    assert _send(mailing, staff) == 1
    db.session.refresh(mailing)
    assert mailing.state == MailingState.SENT
    assert (mailing.queued_count, mailing.no_consent_count, mailing.unsubscribed_count) == (1, 1, 1)
    statuses = dict(db.session.execute(sa.select(MailingRecipient.email, MailingRecipient.status)).all())
    assert statuses == {"mz@saccom.example": RecipientStatus.QUEUED,
                        "nadia@saccom.example": RecipientStatus.SKIPPED_UNSUBSCRIBED,
                        "sanae@eca.example": RecipientStatus.SKIPPED_NO_CONSENT}
    [message] = outbox(template="mailing")
    assert message.recipient == "mz@saccom.example"
    assert message.subject == "Invitation pour Saccom"
    assert "Bonjour Moulay Zine," in message.body_text
    assert "15\u202f000,00\u00a0MAD" in message.body_text or "15 000,00" in message.body_text.replace("\u202f", " ")
    assert "/mailings/unsubscribe/" in message.body_text
    # Run again (a retry): nothing twice.
    mailing.state = MailingState.SENDING
    db.session.commit()
    assert jobs.run(mailing.id) == 0
    assert len(outbox(template="mailing")) == 1


def test_english_readers_get_the_english_text_and_money_in_english(staff, outbox):
    saccom, *_ = _world()
    UserFactory(email="mz@saccom.example", role=Role.MEMBER, organization_id=saccom.id, locale="en")
    mailing = services.create_mailing(data(subject_en="For {organisation}", body_en="Dear {contact_name}: {dues_owed}"),
                                      {"ids": [saccom.id]}, by=staff)
    db.session.commit()
    _send(mailing, staff)
    [message] = outbox(template="mailing")
    assert message.subject == "For Saccom"
    assert "Dear Moulay Zine: 15,000.00\u00a0MAD" in message.body_text
    assert db.session.scalar(sa.select(MailingRecipient.locale)) == "en"


def test_delivery_through_a_real_smtp_server_with_a_failing_recipient(staff, outbox, smtp_server):
    saccom, eca, firo, *_ = _world()
    # First in the order: a recipient the server refuses does not stop the rest of the batch.
    organisation("Aaa Bounce", contacts=[("Refused Person", "refuse@bounce.example", True, True)])

    original = smtp_server.handle_DATA

    async def handle_rcpt(server, session, envelope, address, rcpt_options):
        if address.startswith("refuse@"):
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = handle_rcpt
    assert original
    mailing = services.create_mailing(data(), {}, by=staff)
    db.session.commit()
    assert _send(mailing, staff) == 3
    send_pending()
    delivered = sorted(rcpt for env in smtp_server.messages for rcpt in env.rcpt_tos)
    assert delivered == ["mz@saccom.example", "y@firo.example"]
    totals = queries.totals(db.session.get(Mailing, mailing.id))
    assert totals["sent"] == 2 and totals["failed"] == 1 and totals["skipped_no_consent"] == 1
    failed = db.session.execute(queries.recipients(mailing, "failed")).all()
    assert [r[0].email for r in failed] == ["refuse@bounce.example"]
    assert "550" in failed[0].last_error
    parsed = email.message_from_bytes(smtp_server.messages[0].content)
    assert parsed["List-Unsubscribe"].startswith("<http://club.test/mailings/unsubscribe/")
    assert all(m.status.value in ("sent", "pending") for m in db.session.scalars(sa.select(OutboxMessage)))


def test_unsubscribing_does_not_stop_transactional_mail(staff, outbox):
    from club.core.outbox import queue_mail

    _, _, _, zine, *_ = _world()
    services.unsubscribe(zine)
    queue_mail("members_dues_reminder", zine.email, subject="Cotisation", context={
        "contact": zine, "org": zine.organization, "year": 2026, "dues": type("D", (), {"amount": 1})(),
        "url": "http://club.test/"})
    db.session.commit()
    assert len(outbox(template="members_dues_reminder")) == 1


def test_tokens_refuse_forgery(request_context):
    assert services.read_unsubscribe_token("not-a-token") is None
    token = services.unsubscribe_token(4, 7)
    assert services.read_unsubscribe_token(token) == (4, 7)
    assert services.read_unsubscribe_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert services.read_unsubscribe_token("") is None



@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_bulk_letters_are_what_the_templates_render(request_context, locale):
    """The job fills the templates rendered once per language: the same text and HTML, values escaped in HTML."""
    from flask_babel import force_locale

    from club.core.outbox import render_message

    values = {"subject": "Objet <b>& co</b>", "body": "Bonjour <script>x</script>\n\n{{ config }}",
              "unsubscribe_url": "http://club.test/mailings/unsubscribe/abc.def"}
    with force_locale(locale):
        text, html = jobs.Skeleton(locale).fill(values["subject"], values["body"], values["unsubscribe_url"])
        _, expected_text, expected_html = render_message("mailing", subject=values["subject"], locale=locale,
                                                         context={**values, "test": False})
    assert (text, html) == (expected_text, expected_html)
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{ config }}" in text


def test_a_mailing_whose_task_was_lost_is_built_by_the_sweep(staff, outbox):
    from datetime import timedelta

    from club.models import utcnow

    _world()
    mailing = services.create_mailing(data(), {}, by=staff)
    db.session.commit()
    assert services.start_sending(mailing, version=mailing.version, by=staff)
    db.session.commit()
    assert jobs.resume_stalled() == 0  # just sent: its task is on its way
    db.session.execute(sa.update(Mailing).values(sent_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert jobs.resume_stalled() == 2
    assert jobs.resume_stalled() == 0
    assert db.session.get(Mailing, mailing.id).state == MailingState.SENT
    assert len(outbox(template="mailing")) == 2


def test_a_segment_of_tagged_organisations_writes_to_those_only(staff):
    """The register's tag filter reaches the mailing's audience (a segment by tag, "write to them"): the letter goes
    to the tagged organisations, not to everything else the other filters match; archived ones never."""
    from werkzeug.datastructures import MultiDict

    from club.members import services as members
    from club.segments import services as segments

    saccom, eca, firo, *_ = _world()
    tag = segments.tag_organization(saccom, "Relance décembre", by=staff)
    segments.tag_organization(firo, "Relance décembre", by=staff)
    members.archive_organization(firo, by=staff)
    db.session.commit()
    audience = queries.audience_from_args(MultiDict({"tag": str(tag.id), "archived": "1"}))
    assert audience == {"tag": str(tag.id)}
    from club.members.models import Organization

    organisations = set(db.session.scalars(sa.select(Organization.name)
                                           .where(*queries.organisation_conditions(audience))))
    assert organisations == {"Saccom"}


def test_an_unsubscribe_is_the_addresses_at_every_organisation_and_merge_fields_may_have_spaces(staff):
    """The same person listed at two organisations unsubscribes once: neither record is written to again. A merge
    field typed with spaces inside its braces is filled in like the plain one."""
    _, (ali_a,) = organisation("Alpha Conseil", contacts=[("Ali Idrissi", "ali@x.example", True, True)])
    _, (ali_b,) = organisation("Beta Services", contacts=[("Ali Idrissi", "ali@x.example", True, True)])
    db.session.commit()
    services.unsubscribe(ali_a)
    db.session.commit()
    mailing = services.create_mailing(data(body_fr="Bonjour { contact_name }"), {}, by=staff)
    summary = queries.summary(mailing)
    assert summary.recipients == 0 and summary.unsubscribed == 2
    with pytest.raises(Refused) as refused:  # nobody would receive it: refused before anything is queued
        services.start_sending(mailing, version=mailing.version, by=staff)
    assert refused.value.field == "audience_label"
    assert merge.merge("Bonjour { contact_name }", {"contact_name": "Ali"}) == "Bonjour Ali"
