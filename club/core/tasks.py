"""The core's periodic tasks: sweep the outbox every minute, beat the worker's heart (the delivery task is
``club.core.outbox.deliver_mail``)."""

from __future__ import annotations

from club.core import outbox
from club.core.jobs import beat, every_minute, periodic_job
from club.core.outbox import deliver_mail  # noqa: F401  (the delivery task, defined beside what it runs)


@periodic_job(every_minute)
def sweep_outbox() -> int:
    """Whatever is still pending and due (queue lost, worker down, mail server back), and any message left
    "sending" by a worker that died: claimed again once its claim has outlived MAIL_TIMEOUT."""
    return outbox.send_pending()


@periodic_job(every_minute, lock=False)
def heartbeat() -> None:
    """Proof that a worker reads the queue: /healthz and the outbox page show when one was last seen."""
    beat()
