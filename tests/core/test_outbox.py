"""The outbox against a real SMTP server on loopback (aiosmtpd), and without one; delivery through the queue.

Here the queued tasks are run in the test's process (``jobs.run()``); real worker processes are in
``test_jobs_reliability.py``."""

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
                                                 "organization_id": ""})


def test_smtp_down_the_change_is_saved_and_the_message_waits(client, factories, login_as, outbox, db, jobs):
    response = invite(client, factories, login_as)
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User).where(User.email == "new@club.example")) is not None
    [message] = outbox()
    # The request only wrote the message and enqueued its delivery: no attempt was made in it.
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert jobs.pending() == ["deliver_mail"]
    assert jobs.run() == 1
    [message] = outbox()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at is not None


def test_smtp_back_the_pending_message_is_sent_exactly_once(client, factories, login_as, outbox, db, smtp_server,
                                                            jobs):
    smtp_server_messages = smtp_server.messages
    invite(client, factories, login_as)
    assert smtp_server_messages == []  # no web request talks to the mail server
    jobs.run()  # the worker
    [message] = outbox()
    assert message.status == OutboxStatus.SENT
    assert len(smtp_server_messages) == 1
    envelope = smtp_server_messages[0]
    assert envelope.rcpt_tos == ["new@club.example"]
    assert b"http://club.test/auth/invitation/" in envelope.content
    assert f"Message-ID: <outbox-{message.id}-".encode() in envelope.content
    assert b"Content-Type: text/html" in envelope.content and b"Content-Type: text/plain" in envelope.content
    assert send_pending() == 0
    assert len(smtp_server_messages) == 1


def test_flask_outbox_send_retries_after_a_failure(app, client, factories, login_as, outbox, db, jobs):
    invite(client, factories, login_as)
    jobs.run()
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


def test_a_rolled_back_change_sends_nothing(app, db, outbox, smtp_server, jobs):
    with app.test_request_context():
        queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                   context={"user": {"name": "X"}, "url": "http://club.test/x"})
        db.session.rollback()
        assert outbox_module.dispatch_committed() is True  # the worker is asked, and finds nothing to claim
    assert jobs.run() == 1
    assert outbox() == []
    assert smtp_server.messages == []


def _one_message(app, db, **kwargs):
    with app.test_request_context():
        message = queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                             context={"user": {"name": "X"}, "url": "http://club.test/x"}, **kwargs)
        db.session.commit()
        outbox_module.take_queued()
    return message.id


def test_two_workers_never_claim_the_same_message(app, db, outbox):
    message_id = _one_message(app, db)
    assert outbox_module._claim(message_id) is not None
    assert outbox_module._claim(message_id) is None


def test_a_claim_outliving_the_mail_timeout_is_taken_again_and_the_first_owner_cannot_write(app, db, outbox,
                                                                                          smtp_server):
    """A worker killed mid-send leaves the message "sending": once the claim is older than MAIL_TIMEOUT (and a
    margin), the sweep claims it again; the dead worker's claim can no longer record anything."""
    from datetime import timedelta

    from club.core.models import OutboxMessage
    from club.models import utcnow

    message_id = _one_message(app, db)
    first = outbox_module._claim(message_id)
    assert send_pending() == 0  # still within its claim: nobody else sends it
    limit = timedelta(seconds=app.config["MAIL_TIMEOUT"]) + outbox_module.CLAIM_MARGIN
    db.session.execute(sa.update(OutboxMessage).values(claimed_at=utcnow() - limit - timedelta(seconds=1)))
    db.session.commit()
    assert send_pending() == 1  # the sweep
    assert len(smtp_server.messages) == 1
    assert outbox_module._finish(message_id, first, status=OutboxStatus.PENDING) is False
    [message] = outbox()
    assert message.status == OutboxStatus.SENT and message.attempts == 2


def test_a_mail_server_that_never_answers_costs_one_timeout_and_stops_the_batch(app, db, outbox, configured):
    """A black hole (accepts the connection, never says a word): one message waits out MAIL_TIMEOUT, the
    others keep their place and their attempts for the next sweep."""
    import socket
    import time

    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    try:
        ids = [_one_message(app, db) for _ in range(3)]
        with configured(MAIL_PORT=hole.getsockname()[1], MAIL_TIMEOUT=1):
            started = time.monotonic()
            assert send_pending() == 0
            elapsed = time.monotonic() - started
    finally:
        hole.close()
    assert elapsed < 3
    messages = outbox()
    assert [m.id for m in messages] == ids
    assert [m.attempts for m in messages] == [1, 0, 0]
    assert all(m.status == OutboxStatus.PENDING for m in messages)
    assert "timed out" in messages[0].last_error or "timeout" in messages[0].last_error.lower()


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


def test_a_server_slow_to_say_goodbye_does_not_get_the_message_twice(app, db, outbox, configured):
    """The server accepted the message, then never answers QUIT: the message is sent, not retried."""
    import asyncio

    from aiosmtpd.controller import Controller

    class SlowGoodbye:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

        async def handle_QUIT(self, server, session, envelope):
            await asyncio.sleep(3)
            return "221 Bye"

    handler = SlowGoodbye()
    controller = Controller(handler, hostname="127.0.0.1", port=app.config["MAIL_PORT"])
    controller.start()
    try:
        message_id = _one_message(app, db)
        with configured(MAIL_TIMEOUT=1):
            assert send_pending() == 1
            assert send_pending() == 0
    finally:
        controller.stop()
    [message] = outbox()
    assert message.id == message_id and message.status == OutboxStatus.SENT and message.attempts == 1
    assert len(handler.messages) == 1


def test_a_message_written_as_text_gets_an_html_part_in_its_language(app, db):
    """Templates with only a text version (here the "already registered" notice) still send HTML: the same
    words in the mail layout, the links clickable, the text escaped."""
    with app.test_request_context():
        message = queue_mail("auth_already_registered", "x@example.org", subject=_l("Confirm your email address"),
                             locale="en", context={"user": {"name": "<b>X</b>"}, "login_url": "http://club.test/login",
                                      "reset_url": "http://club.test/reset?a=1&b=2"})
        db.session.rollback()
    assert 'lang="en"' in message.body_html
    assert '<a href="http://club.test/reset?a=1&amp;b=2">' in message.body_html
    assert "<b>X</b>" not in message.body_html and "&lt;b&gt;X&lt;/b&gt;" in message.body_html
    assert "Oriental Offshoring Club" in message.body_html


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


def test_a_savepoint_rolled_back_after_queueing_never_strands_the_message(app, db, outbox, smtp_server, jobs):
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
        assert outbox_module.dispatch_committed() is True
    assert jobs.run() == 1
    [message] = outbox()
    assert message.status == OutboxStatus.SENT and message.attempts == 1
    assert len(smtp_server.messages) == 1


def test_without_a_mail_server_messages_are_kept_readable_and_marked_not_sent(client, factories, login_as, outbox,
                                                                             db, configured, caplog, jobs):
    import logging

    from tests.conftest import text

    with configured(MAIL_CONSOLE=True), caplog.at_level(logging.INFO, logger="club.outbox"):
        response = invite(client, factories, login_as)
        assert response.status_code == 303
        [message] = outbox()
        assert message.status == OutboxStatus.PENDING
        assert "En attente" in text(client.get("/admin/outbox")).split("<tbody", 1)[1]
        jobs.run()  # the worker
        [message] = outbox()
        assert message.status == OutboxStatus.LOGGED and message.attempts == 1
        page = text(client.get("/admin/outbox"))
        dashboard = text(client.get("/"))
        detail = text(client.get(f"/admin/outbox/{message.id}"))
        html = client.get(f"/admin/outbox/{message.id}/html")
    assert "kept in the outbox, NOT sent" in caplog.text
    assert "Non envoyé (développement)" in page
    assert "aucun serveur de messagerie" in page.lower()
    row = page.split("<tbody", 1)[1]
    assert "Envoyé" not in row
    assert "new@club.example" in detail and "/auth/invitation/" in detail and "Version HTML" in detail
    assert html.status_code == 200 and 'lang="fr"' in html.get_data(as_text=True)
    assert "sandbox" in html.headers["Content-Security-Policy"]
    assert "0 message pas encore envoyé" in dashboard


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


def test_sending_now_hands_every_waiting_message_to_the_worker(client, factories, login_as, outbox, db,
                                                                 smtp_server, jobs):
    from club.core.jobs import beat
    from tests.conftest import text

    invite(client, factories, login_as)
    jobs.run()
    assert outbox()[0].status == OutboxStatus.SENT
    beat()
    response = client.post("/admin/outbox/send", follow_redirects=True)
    assert "0 message confié au processus d’arrière-plan." in text(response)
    invite(client, factories, login_as, email="second@club.example")
    invite(client, factories, login_as, email="third@club.example")
    response = client.post("/admin/outbox/send", follow_redirects=True)
    assert "2 messages confiés au processus d’arrière-plan." in text(response)
    assert smtp_server.messages and len(smtp_server.messages) == 1  # the page itself sent nothing
    jobs.run()
    assert len(smtp_server.messages) == 3


def test_the_outbox_page_says_when_no_worker_runs(client, factories, login_as, db):
    from datetime import timedelta

    from club.core.jobs import beat
    from club.core.models import WorkerHeartbeat
    from club.models import utcnow
    from tests.conftest import text

    login_as(factories.UserFactory(admin=True))
    page = text(client.get("/admin/outbox"))
    assert "Aucun processus d’arrière-plan n’a encore été vu." in page
    response = client.post("/admin/outbox/send", follow_redirects=True)
    assert "Aucun processus d’arrière-plan n’a été vu depuis deux minutes" in text(response)
    beat()
    assert "Processus d’arrière-plan vu pour la dernière fois" in text(client.get("/admin/outbox"))
    assert client.get("/healthz").json == {"status": "ok"}
    db.session.execute(sa.update(WorkerHeartbeat).values(seen_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["status"] == "degraded" and health.json["worker"].startswith("not seen since")


def test_flask_outbox_send_without_a_mail_server_says_logged(app, db, outbox, configured):
    with app.test_request_context():
        queue_mail("auth_confirm", "x@example.org", subject=_l("Confirm your email address"),
                   context={"user": {"name": "X"}, "url": "http://club.test/x"})
        db.session.commit()
    with configured(MAIL_CONSOLE=True):
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 message(s) written to the log, not sent (no MAIL_SERVER)." in result.output
    assert outbox()[0].status == OutboxStatus.LOGGED
