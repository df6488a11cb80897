"""The outbox against a real SMTP server on loopback (aiosmtpd), and without one."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from club.auth.models import User
from club.core import outbox as outbox_module
from club.core.models import OutboxStatus
from club.core.outbox import UnsafeHeader, queue_mail, send_pending


def invite(client, factories, login_as, email="new@club.example"):
    admin = factories.UserFactory(admin=True)
    login_as(admin)
    return client.post("/admin/users/new", data={"email": email, "name": "Nouvelle", "role": "secretariat",
                                                 "organization_id": "0"})


def test_smtp_down_the_change_is_saved_and_the_message_waits(client, factories, login_as, outbox, db):
    response = invite(client, factories, login_as)
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User).where(User.email == "new@club.example")) is not None
    [message] = outbox()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error


def test_smtp_back_the_pending_message_is_sent_exactly_once(client, factories, login_as, outbox, db, smtp_server):
    smtp_server_messages = smtp_server.messages
    # Sent during the request: the server is up.
    invite(client, factories, login_as)
    [message] = outbox()
    assert message.status == OutboxStatus.SENT
    assert len(smtp_server_messages) == 1
    envelope = smtp_server_messages[0]
    assert envelope.rcpt_tos == ["new@club.example"]
    assert b"http://club.test/auth/invitation/" in envelope.content
    assert send_pending() == 0
    assert len(smtp_server_messages) == 1


def test_flask_outbox_send_retries_after_a_failure(app, client, factories, login_as, outbox, db):
    invite(client, factories, login_as)
    assert outbox()[0].status == OutboxStatus.PENDING
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "0 message(s) sent." in result.output  # the retry is not due yet
    from datetime import timedelta

    from club.core.models import OutboxMessage
    from club.models import utcnow

    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()  # ... a minute later
    from aiosmtpd.controller import Controller

    from tests.conftest import SMTPRecorder

    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.start()
    try:
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        assert "1 message(s) sent." in result.output
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        assert "0 message(s) sent." in result.output
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
    [message] = outbox()
    assert message.status == OutboxStatus.SENT and message.attempts == 2 and message.last_error is None


def test_a_rolled_back_change_sends_nothing(app, db, outbox, smtp_server):
    with app.test_request_context():
        queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                   context={"user": {"name": "X"}, "url": "http://club.test/x"})
        db.session.rollback()
        assert outbox_module.dispatch_committed() == 0
    assert outbox() == []
    assert smtp_server.messages == []


def test_two_workers_never_claim_the_same_message(app, db, outbox):
    with app.test_request_context():
        message = queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                             context={"user": {"name": "X"}, "url": "http://club.test/x"})
        db.session.commit()
        assert outbox_module._claim(message.id) is True
        assert outbox_module._claim(message.id) is False


def test_line_breaks_never_reach_a_mail_header(app, db):
    import pytest

    with app.test_request_context(), pytest.raises(UnsafeHeader):
        queue_mail("auth_confirm", "x@example.org\r\nBcc: y@example.org", subject=_l("Confirm your email address"),
                   context={"user": {"name": "X"}, "url": "u"})


def test_mail_is_written_in_the_recipients_language(client, db, outbox):
    client.post("/auth/register", data={"name": "Ann", "email": "ann@example.org", "password": "a long passphrase ok",
                                        "confirm": "a long passphrase ok", "locale": "en"})
    [message] = outbox()
    assert message.subject == "Confirm your email address"
    assert "Thank you for creating your account" in message.body_text
    assert 'lang="en"' in message.body_html


def test_failures_back_off_and_failed_messages_can_be_retried(app, db, outbox):
    from datetime import timedelta

    from club.core.outbox import MAX_ATTEMPTS, retry_failed
    from club.models import utcnow

    with app.test_request_context():
        message = queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                             context={"user": {"name": "X"}, "url": "http://club.test/x"})
        db.session.commit()
    assert send_pending() == 0
    [row] = outbox()
    assert row.attempts == 1 and row.next_attempt_at > utcnow()
    assert send_pending() == 0
    assert outbox()[0].attempts == 1  # not due yet: the outage does not use up the attempts
    for _ in range(MAX_ATTEMPTS):
        db.session.execute(sa.update(type(row)).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        send_pending()
    [row] = outbox()
    assert row.status == OutboxStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert send_pending() == 0
    from aiosmtpd.controller import Controller

    from tests.conftest import SMTPRecorder

    recorder = SMTPRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.start()
    try:
        assert retry_failed() == 1
        assert send_pending() == 1
    finally:
        controller.stop()
    assert outbox()[0].status == OutboxStatus.SENT and len(recorder.messages) == 1 and message.id


def test_a_savepoint_rolled_back_after_queueing_never_strands_the_message(app, db, outbox, smtp_server):
    """Found: mail queued before a savepoint that rolled back (a concurrent-insert guard) stayed
    "pending, 0 attempts" for ever, though its transaction committed."""
    from club.core.models import OutboxMessage

    with app.test_request_context():
        queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                   context={"user": {"name": "X"}, "url": "http://club.test/x"}, dedup_key="first")
        try:
            with db.session.begin_nested():  # e.g. a guard against a concurrent identical insert
                db.session.add(OutboxMessage(recipient="y@example.org", subject="s", body_text="b",
                                             template="t", dedup_key="first"))
                db.session.flush()
        except sa.exc.IntegrityError:
            pass
        db.session.commit()
        assert outbox_module.dispatch_committed() == 1
    [message] = outbox()
    assert message.status == OutboxStatus.SENT and message.attempts == 1
    assert len(smtp_server.messages) == 1


def test_without_a_mail_server_the_outbox_says_logged_not_sent(client, factories, login_as, outbox, db,
                                                                configured, caplog):
    import logging

    from tests.conftest import text

    with configured(MAIL_CONSOLE=True), caplog.at_level(logging.INFO, logger="club.outbox"):
        response = invite(client, factories, login_as)
        assert response.status_code == 303
        # Handed over before the response left: the very next page tells the truth.
        [message] = outbox()
        assert message.status == OutboxStatus.LOGGED and message.attempts == 1
        page = text(client.get("/admin/outbox"))
        dashboard = text(client.get("/"))
    assert "written to the log, NOT sent" in caplog.text and "/auth/invitation/" in caplog.text
    assert "Écrit dans le journal, non envoyé" in page
    assert "aucun serveur de messagerie" in page.lower()
    row = page.split("<tbody", 1)[1]
    assert "Envoyé" not in row
    assert "0 message pas encore envoyé" in dashboard
    assert "1 message écrit dans le journal seulement" in dashboard


def test_an_admin_reads_a_message_and_nobody_else_does(client, factories, login_as, outbox, db):
    from tests.conftest import text

    invite(client, factories, login_as, email="reader@club.example")
    [message] = outbox()
    page = client.get(f"/admin/outbox/{message.id}")
    body = text(page)
    assert page.status_code == 200
    assert "reader@club.example" in body and "/auth/invitation/" in body and "Texte du message" in body
    assert client.get("/admin/outbox/999999").status_code == 404
    from club.permissions import Role

    login_as(factories.UserFactory(role=Role.SECRETARIAT, is_admin=False))
    assert client.get(f"/admin/outbox/{message.id}").status_code == 404


def test_sending_now_counts_in_words_with_plural_forms(client, factories, login_as, outbox, db, smtp_server):
    from tests.conftest import text

    invite(client, factories, login_as)
    response = client.post("/admin/outbox/send", follow_redirects=True)
    assert "0 message envoyé." in text(response)


def test_flask_outbox_send_without_a_mail_server_says_logged(app, db, outbox, configured):
    with app.test_request_context():
        queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                   context={"user": {"name": "X"}, "url": "http://club.test/x"})
        db.session.commit()
    with configured(MAIL_CONSOLE=True):
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 message(s) written to the log, not sent (no MAIL_SERVER)." in result.output
    assert outbox()[0].status == OutboxStatus.LOGGED
