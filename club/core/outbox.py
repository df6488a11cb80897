"""Email through an outbox.

``queue_mail`` renders ``templates/email/<name>.txt`` (and ``.html`` when it exists) in the
recipient's language and adds an ``OutboxMessage`` to the current transaction. Nothing is sent
unless that transaction commits: the ids queued during a request (or a command) are remembered on
``g`` and, at its end, each is claimed by a conditional UPDATE, which finds nothing for a message
whose transaction rolled back, and nothing for one another worker already claimed. So two workers
never send one message twice, and no savepoint, rollback or second commit inside the request can
make a committed message be forgotten (it once was: a savepoint's rollback dropped the ids queued
before it, and those messages stayed "pending, 0 attempts" for ever in development, where no
``flask outbox send`` runs). An SMTP failure puts the message back to ``pending`` with the error;
the change that caused it is already safe. Without a mail server (development), a message is
printed to the log and marked ``logged``, never ``sent``.
"""

from __future__ import annotations

import base64
import logging
import smtplib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context, render_template
from flask_babel import force_locale
from flask_mail import Connection, Message
from jinja2 import TemplateNotFound

from club.core.models import OutboxMessage, OutboxStatus
from club.extensions import db
from club.models import utcnow

log = logging.getLogger("club.outbox")

MAX_ATTEMPTS = 10
STALE_CLAIM = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most 6 hours: ten attempts span about a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class UnsafeHeader(ValueError):
    pass


def _check_header(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise UnsafeHeader("line break in a mail header")
    return value


def queue_mail(template: str, to: str, *, subject, locale: str = "fr", context: dict | None = None,
               dedup_key: str | None = None, attachments: list[dict] | None = None) -> OutboxMessage:
    """Render and add one message to the session; the caller's transaction decides its fate.

    ``subject`` is a lazy string (``_l``) or a callable taking the context, evaluated in ``locale``.
    ``attachments`` are ``{"filename", "content_type", "data": bytes}``.
    """
    context = dict(context or {})
    with force_locale(locale or "fr"):
        subject_text = subject(context) if callable(subject) and not isinstance(subject, str) else str(subject)
        body_text = render_template(f"email/{template}.txt", **context)
        try:
            body_html = render_template(f"email/{template}.html", **context)
        except TemplateNotFound:
            body_html = None
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


def already_queued(dedup_key: str) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key)
    ) > 0


def take_queued() -> list[int]:
    """The ids queued during this request or command (committed or not: claiming tells)."""
    if not has_app_context():
        return []
    return g.pop("outbox_queued", None) or []


def dispatch_committed() -> int:
    """Send what this request or command queued and committed."""
    ids = take_queued()
    if not ids:
        return 0
    db.session.rollback()  # nothing uncommitted may ride along with the claims below
    return send_pending(ids=ids)


class _Connection(Connection):
    """Flask-Mail's connection with a socket timeout, so a hung server cannot hang a request."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 10)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _claim(message_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            sa.or_(
                OutboxMessage.status == OutboxStatus.PENDING,
                sa.and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def console_mode() -> bool:
    """No mail server in development: messages are printed to the log instead of being sent."""
    return bool(current_app.config.get("MAIL_CONSOLE"))


def _deliver(message: OutboxMessage) -> OutboxStatus:
    """Hand the message over; the state it reached (``sent``, or ``logged`` in console mode)."""
    msg = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    for a in message.attachments or []:
        msg.attach(a["filename"], a["content_type"], base64.b64decode(a["data"]))
    if console_mode():
        log.info("mail %s written to the log, NOT sent (no MAIL_SERVER) to %s: %s\n%s", message.id,
                 message.recipient, message.subject, message.body_text)
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


def send_pending(ids: list[int] | None = None, limit: int = 200) -> int:
    """Claim and send pending messages (the given ids, or the oldest ones due). Returns how many were
    handed over (sent, or written to the log in console mode)."""
    if ids is None:
        now = utcnow()
        ids = list(
            db.session.scalars(
                sa.select(OutboxMessage.id)
                .where(
                    sa.or_(
                        sa.and_(
                            OutboxMessage.status == OutboxStatus.PENDING,
                            sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                        ),
                        sa.and_(
                            OutboxMessage.status == OutboxStatus.SENDING,
                            OutboxMessage.claimed_at < now - STALE_CLAIM,
                        ),
                    )
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
        db.session.rollback()
    sent = 0
    for message_id in ids:
        if not _claim(message_id):
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            reached = _deliver(message)
        except Exception as exc:  # noqa: BLE001 - any transport failure leaves the row to retry
            message.status = OutboxStatus.FAILED if message.attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            message.next_attempt_at = utcnow() + backoff(message.attempts)
            log.warning("mail %s to %s not sent (attempt %s): %s", message.id, message.recipient,
                        message.attempts, message.last_error)
        else:
            message.status = reached
            message.sent_at = utcnow()
            message.last_error = None
            message.next_attempt_at = None
            sent += 1
        db.session.commit()
    return sent
