"""Email through an outbox: the durable record of every message, delivered by the job queue's worker.

``queue_mail`` renders ``templates/email/<name>.txt`` (and ``.html``, or an HTML part made from the text) in
the recipient's language and adds an ``OutboxMessage`` to the current transaction. Nothing leaves unless that
transaction commits. The ids queued during a request (or a command) are remembered on ``g``; at its end
``dispatch_committed`` enqueues one delivery task for them (``club.core.tasks``). No web request ever opens an
SMTP connection: a hung mail server ties up a worker thread, never a web worker.

Delivery (``send_pending``, in the worker) claims each message by a conditional UPDATE, which finds nothing
for a message whose transaction rolled back and nothing for one another worker holds; the claim's time is its
token, and the outcome is written only while the claim is still ours. One conversation with the mail server
may last at most ``MAIL_TIMEOUT`` seconds in all (connection included); a message left "sending" longer than
that (a worker killed mid-send) is claimed again by the sweep, which runs every minute. A failure puts the
message back to ``pending`` with its error and the time of the next attempt (1, 2, 4… minutes). Without a mail
server (development), a message is kept, readable on the outbox page, and marked "not sent (development)".

Exactly once, and its limit: a message is marked sent in the same instant the server's acceptance is read, so
a worker killed between the two (RFC 1047's window, a few milliseconds) would send it again; each message
carries a stable Message-ID so that the copy can be recognised.
"""

from __future__ import annotations

import base64
import logging
import re
import smtplib
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from flask_babel import force_locale, get_locale
from flask_mail import Connection, Message
from jinja2 import TemplateNotFound

from club.core.jobs import enqueue, job
from club.core.models import OutboxMessage, OutboxStatus
from club.extensions import db
from club.models import utcnow

log = logging.getLogger("club.outbox")

MAX_ATTEMPTS = 10
# Past its deadline, a claim is abandoned: the delivery gave up (its whole conversation is bounded by
# MAIL_TIMEOUT) or its worker died. A margin for the commit that records the outcome.
CLAIM_MARGIN = timedelta(seconds=5)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most 6 hours: ten attempts span about a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def stale_claim() -> timedelta:
    return timedelta(seconds=current_app.config.get("MAIL_TIMEOUT", 10)) + CLAIM_MARGIN


class UnsafeHeader(ValueError):
    pass


def _check_header(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise UnsafeHeader("line break in a mail header")
    return value


_LINK = re.compile(r"(https?://[^\s<>\"]+)")


def html_from_text(subject: str, text: str) -> str:
    """The HTML part of a message written as text: the same words in the mail layout, links clickable."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            pieces = _LINK.split(line)
            lines.append([(piece, i % 2 == 1) for i, piece in enumerate(pieces) if piece])
        paragraphs.append(lines)
    return _render("email/_from_text.html", {"subject": subject, "paragraphs": paragraphs})


def _render(name: str, context: dict) -> str:
    """An email template, in the locale in force: without the page's context processors (navigation, the
    signed-in user), which an email never shows and which would cost every request that sends mail."""
    return current_app.jinja_env.get_template(name).render(current_locale=str(get_locale() or "fr"), **context)


def queue_mail(template: str, to: str, *, subject, locale: str = "fr", context: dict | None = None,
               dedup_key: str | None = None, attachments: list[dict] | None = None) -> OutboxMessage:
    """Render and add one message to the session; the caller's transaction decides its fate.

    ``subject`` is a lazy string (``_l``) or a callable taking the context, evaluated in ``locale``.
    ``attachments`` are ``{"filename", "content_type", "data": bytes}``. Every message has a text part and
    an HTML part (``<template>.html``, or the text set in the mail layout).
    """
    context = dict(context or {})
    with force_locale(locale or "fr"):
        subject_text = subject(context) if callable(subject) and not isinstance(subject, str) else str(subject)
        body_text = _render(f"email/{template}.txt", context)
        try:
            body_html = _render(f"email/{template}.html", context)
        except TemplateNotFound:
            body_html = html_from_text(subject_text.strip(), body_text)
    message = OutboxMessage(
        recipient=_check_header(to.strip()),
        subject=_check_header(subject_text.strip())[:200],
        body_text=body_text,
        body_html=body_html,
        template=template,
        dedup_key=dedup_key,
        attachments=[
            {
                "filename": _check_header(a["filename"]),
                "content_type": a["content_type"],
                "data": base64.b64encode(a["data"]).decode("ascii"),
            }
            for a in (attachments or [])
        ],
    )
    db.session.add(message)
    db.session.flush()
    if has_app_context():
        g.setdefault("outbox_queued", []).append(message.id)
    return message


def render_message(template: str, *, subject: str, locale: str, context: dict) -> tuple[str, str, str]:
    """``(subject, text, html)`` of a message as ``queue_mail`` renders it, for a caller that queues many at once
    (``queue_many``): call it inside ``force_locale(locale)`` once for a whole group of one language."""
    body_text = _render(f"email/{template}.txt", context)
    try:
        body_html = _render(f"email/{template}.html", context)
    except TemplateNotFound:
        body_html = html_from_text(subject.strip(), body_text)
    return _check_header(subject.strip())[:200], body_text, body_html


def queue_many(messages: list[dict], *, batch: int = 500) -> list[int]:
    """Add many rendered messages at once (``{"recipient", "subject", "body_text", "body_html", "template",
    "dedup_key"}``), in batches of multi-row INSERTs: a mailing to thousands queued in a few seconds. Like
    ``queue_mail`` they wait for the caller's commit; the ids, in the order given, are remembered for
    ``dispatch_committed``."""
    ids: list[int] = []
    for start in range(0, len(messages), batch):
        rows = [{**m, "recipient": _check_header(m["recipient"].strip()), "subject": _check_header(m["subject"]),
                 "attachments": [], "status": OutboxStatus.PENDING, "attempts": 0, "created_at": utcnow()}
                for m in messages[start:start + batch]]
        ids += list(db.session.scalars(sa.insert(OutboxMessage).returning(OutboxMessage.id,
                                                                           sort_by_parameter_order=True), rows))
    if has_app_context():
        g.setdefault("outbox_queued", []).extend(ids)
    return ids


# Extra headers of a message, computed at delivery by the domain that queued it (``List-Unsubscribe`` of a
# mailing): ``app.extensions[HEADERS][template] = provide(message) -> {name: value}``.
HEADERS = "club.outbox.headers"


class _AsciiHeader(str):
    """An ASCII header written as is, on one line: the mail policy would otherwise encode a long URL with no
    space to fold at (RFC 2047), which mail clients do not read as a link."""

    name = ""

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def _ascii_header(name: str, value: str) -> str:
    value = _check_header(value)
    if not value.isascii() or len(value) > 900:
        return value
    header = _AsciiHeader(value)
    header.name = name
    return header


def extra_headers(message: OutboxMessage) -> dict[str, str]:
    provide = current_app.extensions.get(HEADERS, {}).get(message.template)
    if provide is None:
        return {}
    return {name: _ascii_header(name, value) for name, value in (provide(message) or {}).items()}


def already_queued(dedup_key: str) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key)
    ) > 0


def take_queued() -> list[int]:
    """The ids queued during this request or command (committed or not: claiming tells)."""
    if not has_app_context():
        return []
    return g.pop("outbox_queued", None) or []


def dispatch_committed() -> bool:
    """After the commit: ask the worker to deliver what this request or command queued.

    Only a task is enqueued (fast, and never an SMTP connection); when the queue is unreachable the messages
    simply wait for the sweep. True when a task was enqueued.
    """
    ids = take_queued()
    if not ids:
        return False
    return enqueue(deliver_mail, ids)


@job()
def deliver_mail(ids: list[int]) -> int:
    """The worker's task: deliver the messages a request or command queued (enqueued after its commit)."""
    return send_pending(ids=ids)


def commit_and_dispatch() -> None:
    """A command's or a job's end: commit its work, then ask the worker to deliver the mail it queued."""
    db.session.commit()
    dispatch_committed()


class _DeadlineSMTP(smtplib.SMTP):
    """smtplib's client with one deadline for the whole conversation, not a timeout per read: a server that
    answers a byte every few seconds cannot keep a message "sending" past its claim."""

    def __init__(self, host: str, port: int, deadline: float):
        self.deadline = deadline
        super().__init__(host, port, timeout=self._left())

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the mail server's conversation took longer than MAIL_TIMEOUT")
        return left

    def send(self, s):
        if self.sock:
            self.sock.settimeout(self._left())
        return super().send(s)

    def getreply(self):
        if self.sock:
            self.sock.settimeout(self._left())
        return super().getreply()


class _DeadlineSMTP_SSL(smtplib.SMTP_SSL):  # noqa: N801 - smtplib's own naming
    def __init__(self, host: str, port: int, deadline: float):
        self.deadline = deadline
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.01))

    _left = _DeadlineSMTP._left
    send = _DeadlineSMTP.send
    getreply = _DeadlineSMTP.getreply


class _Connection(Connection):
    """Flask-Mail's connection, bounded by ``MAIL_TIMEOUT`` from the first byte to the last."""

    def configure_host(self):
        config = current_app.config
        deadline = time.monotonic() + config.get("MAIL_TIMEOUT", 10)
        client = _DeadlineSMTP_SSL if config.get("MAIL_USE_SSL") else _DeadlineSMTP
        host = client(config["MAIL_SERVER"], int(config["MAIL_PORT"]), deadline)
        if config.get("MAIL_USE_TLS"):
            host.starttls()
        if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return host

    def __exit__(self, exc_type, exc_value, tb):
        """Say goodbye; a goodbye that fails (a server slow to answer QUIT) does not undo a message it already
        accepted: counted as a failure, the message would be sent twice."""
        if self.host is None:
            return
        try:
            self.host.quit()
        except (OSError, smtplib.SMTPException):
            self.host.close()


def _due():
    """Pending and due, or claimed and abandoned."""
    now = utcnow()
    return sa.or_(
        sa.and_(
            OutboxMessage.status == OutboxStatus.PENDING,
            sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - stale_claim()),
    )


def _claim(message_id: int, *, due_only: bool = False) -> datetime | None:
    """Claim one message; the claim's time (its token), or None when it is not ours to send.

    A message named by a delivery task is claimed even before its retry time (it was just written);
    the sweep (``due_only``) respects the backoff.
    """
    now = utcnow()
    claimable = _due() if due_only else sa.or_(
        OutboxMessage.status == OutboxStatus.PENDING,
        sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - stale_claim()),
    )
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, claimable)
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return now if result.rowcount == 1 else None


def _finish(message_id: int, token: datetime, **values) -> bool:
    """Record the outcome, only while the claim is still ours (a reclaimed message is someone else's)."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.claimed_at == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def console_mode() -> bool:
    """No mail server in development: messages are kept in the outbox (and the log), never sent."""
    return bool(current_app.config.get("MAIL_CONSOLE"))


def message_id_header(message: OutboxMessage) -> str:
    """Stable for a message, so that a copy sent again (RFC 1047) can be recognised."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].strip(" >") or "club.invalid"
    return f"<outbox-{message.id}-{int(message.created_at.timestamp())}@{domain}>"


def _deliver(message: OutboxMessage) -> OutboxStatus:
    """Hand the message over; the state it reached (``sent``, or ``logged`` in development)."""
    msg = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    msg.msgId = message_id_header(message)
    msg.extra_headers = extra_headers(message) or None
    for a in message.attachments or []:
        msg.attach(a["filename"], a["content_type"], base64.b64decode(a["data"]))
    if console_mode():
        log.info("mail %s kept in the outbox, NOT sent (no MAIL_SERVER) to %s: %s", message.id,
                 message.recipient, message.subject)
        return OutboxStatus.LOGGED
    with _Connection(current_app.extensions["mail"]) as conn:
        conn.send(msg)
    return OutboxStatus.SENT


def retry_failed() -> int:
    """Give messages that used up their attempts another round (after the mail server is fixed)."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def retry_now() -> int:
    """Everything waiting goes now: failed messages get another round, pending ones skip their backoff.
    How many messages wait."""
    retry_failed()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at.is_not(None))
        .values(next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == OutboxStatus.PENDING))


# A failure that says the server is away (not that this message is wrong): the rest of the batch waits.
_SERVER_AWAY = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)
# The server answered, refusing this message (an unknown recipient, its content): the batch goes on. SMTP errors are
# OSErrors too, so these are told apart first.
_MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def send_pending(ids: list[int] | None = None, limit: int = 200) -> int:
    """Claim and send messages: the given ids (a delivery task), or the oldest ones due (the sweep).
    Returns how many were handed over (sent, or kept in development).

    When the server cannot be reached, the batch stops there: the other messages keep their place and
    their attempts for the next sweep, instead of each waiting out the timeout.
    """
    due_only = ids is None
    if ids is None:
        ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(_due()).order_by(OutboxMessage.id)
                                      .limit(limit)))
    db.session.rollback()
    sent = 0
    for message_id in ids:
        token = _claim(message_id, due_only=due_only)
        if token is None:
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            reached = _deliver(message)
        except Exception as exc:  # noqa: BLE001 - any transport failure leaves the row to retry
            error = f"{type(exc).__name__}: {exc}"[:500]
            attempts = message.attempts
            db.session.rollback()
            _finish(message_id, token, status=OutboxStatus.FAILED if attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING,
                    last_error=error, next_attempt_at=utcnow() + backoff(attempts))
            log.warning("mail %s to %s not sent (attempt %s): %s", message_id, message.recipient, attempts, error)
            if isinstance(exc, _SERVER_AWAY) and not isinstance(exc, _MESSAGE_REFUSED):
                break
        else:
            db.session.rollback()
            if _finish(message_id, token, status=reached, sent_at=utcnow(), last_error=None, next_attempt_at=None):
                sent += 1
    return sent


def counts_by_status() -> dict[OutboxStatus, int]:
    return dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())
