"""Background work on Huey: mail delivery, periodic reminders, the worker's heartbeat.

The queue is Huey's (https://huey.readthedocs.io), chosen for what a club with no operations staff needs:
a file-backed store that needs no server (``SqliteStorage``, the default: ``instance/queue.db``), Redis in
production so that several worker hosts share one queue (``QUEUE_URL=redis://…``, or ``REDIS_URL``), periodic
tasks, retries with a backoff and locks, all built in.

The web process only *enqueues* (``enqueue``); the worker (``flask worker``, a Huey consumer) runs the tasks.
Each app keeps its own storage (``app.extensions["queue"]``), so the Huey instance below is only the registry
of tasks: a task enqueued in a request goes to the storage of that request's app; the worker reads the
storage of the app it was started with.

Tasks run in an app context, with a fresh database session removed afterwards. Nothing here is the durable
record of anything: the outbox is (``club.core.outbox``). A lost queue loses only the nudge, and the sweep
(every minute) delivers whatever is still pending.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import BlackHoleStorage, RedisStorage, SqliteStorage

from club.extensions import db

log = logging.getLogger("club.jobs")

# A worker not seen for this long is reported by /healthz and the outbox page.
HEARTBEAT_STALE = timedelta(minutes=2)

_worker_app: Flask | None = None


class ClubHuey(Huey):
    """Huey whose storage is the current app's (see the module's docstring)."""

    @property
    def storage(self):
        app = current_app._get_current_object() if has_app_context() else _worker_app
        if app is None:
            raise RuntimeError("no app: enqueue inside an app context, or start the worker with `flask worker`")
        return app.extensions["queue"]

    @storage.setter
    def storage(self, value):  # Huey's __init__ sets one; each app has its own instead
        pass


# Results are not kept: tasks report through the database (the outbox, the audit trail).
huey = ClubHuey("club", results=False, utc=True, storage_class=BlackHoleStorage)


def queue_storage(url: str):
    """A Huey storage for ``url``: ``sqlite:///path`` (file-backed, no server) or ``redis://…``."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        # Short timeouts: a request that enqueues must never wait long for a Redis that is away.
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        return RedisStorage("club", connection_pool=pool, read_timeout=1)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # No fsync per task: the queue only nudges; the outbox (in the database) is the record, and the sweep
        # delivers what a lost task would have. A request never waits on the disk for it.
        storage = SqliteStorage("club", filename=str(path), timeout=5, fsync=False)
        storage.close()  # the tables exist now; each process (gunicorn forks) opens a connection of its own
        return storage
    raise ValueError(f"QUEUE_URL must be sqlite:///… or redis://…, not {url!r}")


def init_jobs(app: Flask) -> None:
    app.extensions["queue"] = queue_storage(app.config["QUEUE_URL"])


def enqueue(task, *args, **kwargs) -> bool:
    """Put a task on the queue; False (logged) when the queue is unreachable.

    Never raises: what a task would do is recorded in the database first (an outbox message), and the sweep
    does it later when the queue or the worker comes back.
    """
    try:
        task(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - Redis down, disk full: the periodic sweep covers it
        log.warning("queue unreachable, %s left to the periodic sweep: %s: %s", task.func.__name__,
                    type(exc).__name__, exc)
        return False
    return True


def _in_app_context(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def run(*args, **kwargs):
        if has_app_context():  # immediate mode, or a test calling the task's function
            return fn(*args, **kwargs)
        with _worker_app.app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return run


def job(**options) -> Callable:
    """``@job(retries=3, retry_delay=60, retry_backoff=2)``: a task run by the worker in an app context."""

    def decorator(fn):
        return huey.task(**options)(_in_app_context(fn))

    return decorator


def periodic_job(schedule: Callable, *, lock: bool = True, **options) -> Callable:
    """A periodic task (``schedule`` is a Huey ``crontab``), run by the worker in an app context.

    Every worker host schedules it; the lock (in the queue's storage, so shared by all hosts on Redis) lets one
    run at a time, and each job is idempotent anyway (deduplication keys), so two runs never send twice.
    """

    def decorator(fn):
        body = _in_app_context(fn)
        if lock:  # a run that finds the lock taken is skipped (Huey logs it); the next one comes soon
            body = huey.lock_task(f"periodic:{fn.__module__}.{fn.__name__}")(body)
        return huey.periodic_task(schedule, **options)(body)

    return decorator


every_minute = crontab(minute="*")
every_hour = crontab(minute="7")  # a few minutes past each hour


# ---------------------------------------------------------------------------------------------------------------
# The worker


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def beat() -> None:
    """Record that this worker is alive (one row per worker host and process)."""
    from club.core.models import WorkerHeartbeat
    from club.models import utcnow

    name = worker_name()
    now = utcnow()
    updated = db.session.execute(
        sa.update(WorkerHeartbeat).where(WorkerHeartbeat.name == name).values(seen_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not updated:
        db.session.add(WorkerHeartbeat(name=name, started_at=now, seen_at=now))
    db.session.commit()


def last_heartbeat():
    """When a worker was last seen (None: never)."""
    from club.core.models import WorkerHeartbeat

    return db.session.scalar(sa.select(sa.func.max(WorkerHeartbeat.seen_at)))


def worker_alive(seen) -> bool:
    """Whether a worker last seen at ``seen`` (``last_heartbeat()``) counts as running."""
    from club.models import utcnow

    return seen is not None and seen >= utcnow() - HEARTBEAT_STALE


def run_worker(app: Flask, *, threads: int = 2, periodic: bool = True) -> None:
    """Run the Huey consumer for ``app`` until SIGINT (graceful) or SIGTERM."""
    global _worker_app
    _worker_app = app
    # Its start and failures, not a line per task: the outbox page tells what happened to each message.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("huey.consumer").setLevel(logging.INFO)
    logging.getLogger("huey.consumer.Scheduler").setLevel(logging.WARNING)
    if not logging.getLogger("huey").handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger("huey").addHandler(handler)
    with app.app_context():
        beat()
        db.session.remove()
    log.info("worker %s started: queue %s, %d thread(s), periodic jobs %s", worker_name(),
             _describe(app.config["QUEUE_URL"]), threads, "on" if periodic else "off")
    # flush_locks: a worker killed while holding a periodic job's lock must not block that job for ever.
    consumer = huey.create_consumer(workers=threads, periodic=periodic, flush_locks=True, max_delay=1.0,
                                    check_worker_health=True)
    consumer.run()


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for the log line
        return url.split("@")[-1]
