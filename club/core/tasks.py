"""The core's tasks: deliver the mail a change queued, sweep the outbox every minute, beat the worker's heart."""

from __future__ import annotations

from club.core import outbox
from club.core.jobs import beat, every_minute, job, periodic_job


@job()
def deliver_mail(ids: list[int]) -> int:
    """Deliver the messages a request or command queued (enqueued after its commit)."""
    return outbox.send_pending(ids=ids)


@periodic_job(every_minute)
def sweep_outbox() -> int:
    """Whatever is still pending and due (queue lost, worker down, mail server back), and any message left
    "sending" by a worker that died: claimed again once its claim has outlived MAIL_TIMEOUT."""
    return outbox.send_pending()


@periodic_job(every_minute, lock=False)
def heartbeat() -> None:
    """Proof that a worker reads the queue: /healthz and the outbox page show when one was last seen."""
    beat()
