"""Background work: named RQ queues, and `enqueue`, which writes the job to the outbox in the current transaction.

Services enqueue jobs by name from `JobName` (`enqueue(JobName.SEND_EMAIL, ...)`), so a service never imports a job
(jobs import services); `check_jobs()` proves at startup that every name is a job, so a misspelt or moved job
fails when the app is built, not when a worker first runs it.

**The outbox**: `enqueue` adds an `OutboxJob` row to the use case's transaction, so the job exists exactly when
the change does. After the commit the same process relays it to RQ at once (`relay_outbox`); if Redis is down
then, the row stays, and the relay loop of the worker process (a thread of the web process in embedded mode)
retries it with backoff until Redis is back. Each relay writes the job and a marker named by the row's token in
one Redis transaction, and a row whose marker exists is only deleted, so a relayer that dies between queueing a
job and deleting its row never gets it queued twice.

**Live events** (`emit`): Socket.IO emits that must not be lost (a revoked login's sockets disconnected, a room
closed on someone who left, notification and chat pushes) are outbox rows too, on the pseudo-queue `live`: the
relay makes the emit itself, through the Socket.IO message queue, instead of queueing a job. An emit the message
queue refuses (Redis down) leaves its row for the relay loop. An emit is at least once: a relayer that dies after
emitting and before deleting the row has it emitted again, and clients know events by the ids they carry.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from importlib import import_module
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import func, inspect, select

from app.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxJob
from app.transactions import PENDING, lock_for_write

log = logging.getLogger(__name__)

QUEUES = ("high", "default", "low")
LIVE = "live"  # not an RQ queue: the outbox rows of `emit`, which the relay runs itself
"""Workers listen to these, in priority order: `high` for what a person waits on (emails, Telegram),
`default` for media and reports, `low` for periodic housekeeping."""

DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])
RELAYED_KEY = "stride:outbox:relayed:{}"
RELAYED_FOR = 7 * 24 * 3600  # seconds a relay's marker is kept: far longer than a row can wait to be deleted
LOOP_DELAY = timedelta(seconds=2)  # the loop leaves a fresh row to its own process's after-commit relay
RELAY_BATCH = 100
POISONED_DELAY = timedelta(hours=1)  # a row whose relay raised something other than a Redis error waits this long


class JobName(StrEnum):
    """Every job enqueued by name, as the dotted path RQ imports in the worker."""

    SEND_EMAIL = "app.jobs.email.send_email"
    SEND_PASSWORD_RESET = "app.jobs.auth.send_password_reset"
    SEND_TELEGRAM = "app.jobs.telegram.send_message"
    RENDER_REPORT = "app.jobs.reports.render_report"
    BUILD_EXPORT = "app.jobs.exports.build_export"
    PROCESS_MEDIA = "app.jobs.media.process_media"
    ANNOUNCE = "app.jobs.notifications.announce"
    PING = "app.jobs.maintenance.ping"


class Live(StrEnum):
    """Every Socket.IO emit made through the outbox (`emit`), as the dotted path of the function the relay calls."""

    TO_CONVERSATION = "app.integrations.realtime.emit_to_conversation"
    CLOSE_CONVERSATION_ROOM = "app.integrations.realtime.close_conversation_room"
    DISCONNECT_SESSIONS = "app.integrations.realtime.disconnect_sessions"
    BROADCAST = "app.integrations.realtime.broadcast"
    NOTIFICATIONS = "app.services.notifications.push_stored"
    UNREAD_COUNT = "app.services.notifications.push_unread_count"


def resolve_job(name: str) -> Callable:
    module, _, function = name.rpartition(".")
    job = getattr(import_module(module), function, None)
    if not callable(job):
        raise LookupError(f"job {name!r} names no function")
    return job


def check_jobs() -> None:
    """Import every job in `JobName` and every emit in `Live`: a name that resolves to nothing fails here, at
    startup."""
    for job in (*JobName, *Live):
        resolve_job(job.value)


def _job_name(func: JobName | Callable) -> str | Callable:
    if isinstance(func, str):
        if func not in JobName._value2member_map_:
            raise ValueError(f"{func!r} is not a job in app.queueing.JobName")
        return JobName(func).value  # a plain str for RQ to store
    return func


def get_queue(name: str = "default", app: Flask | None = None, queue_class: type[Queue] = Queue) -> Queue:
    app = app or current_app._get_current_object()
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return queue_class(
        name,
        connection=app.extensions["redis"],
        is_async=not app.config["JOBS_RUN_INLINE"],
        default_timeout=app.config["JOB_DEFAULT_TIMEOUT"],
    )


def job_counts(name: str, app: Flask | None = None) -> dict[str, int]:
    """How many jobs a queue holds in each state: waiting, running, waiting to retry, failed."""
    queue = get_queue(name, app)
    return {
        "queued": queue.count,
        "started": StartedJobRegistry(queue=queue).count,
        "scheduled": ScheduledJobRegistry(queue=queue).count,
        "failed": FailedJobRegistry(queue=queue).count,
    }


@dataclass
class JobRequest:
    func: JobName | Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    queue: str = "default"
    retry: Retry | None = DEFAULT_RETRY
    job_id: str | None = None

    def __post_init__(self) -> None:
        self.func = _job_name(self.func)


def enqueue_now(request: JobRequest, app: Flask | None = None):
    """Put a job on its queue at once (for callers outside a transaction: CLI, schedulers)."""
    app = app or current_app._get_current_object()
    queue = get_queue(request.queue, app)
    options: dict[str, Any] = {"retry": request.retry, "job_id": request.job_id}
    if queue.is_async:
        return queue.enqueue(request.func, args=request.args, kwargs=request.kwargs, **options)
    # Inline (tests): run the job as a worker would, in an app context and a session of its own.
    with app.app_context():
        return queue.enqueue(request.func, args=request.args, kwargs=request.kwargs, **options)


def on_commit(callback: Callable[[], None]) -> None:
    """Run `callback` after the current transaction commits; never if it rolls back."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so a rollback before any SQL still discards the callback
    session.info.setdefault(PENDING, []).append(callback)


def enqueue(
    func: JobName | Callable,
    *args,
    queue: str = "default",
    retry: Retry | None = DEFAULT_RETRY,
    job_id: str | None = None,
    **kwargs,
) -> None:
    """Write the job to the outbox in the current transaction; it reaches its queue after the commit (never if
    the transaction rolls back). Arguments must be JSON values (ids, strings, dicts of them)."""
    request = JobRequest(func, args, kwargs, queue, retry, job_id)
    _write(
        OutboxJob(
            func=request.func
            if isinstance(request.func, str)
            else f"{request.func.__module__}.{request.func.__name__}",
            args=list(request.args),
            kwargs=request.kwargs,
            queue=request.queue,
            retry=None if retry is None else {"max": retry.max, "intervals": list(retry.intervals)},
            job_id=request.job_id,
        )
    )


def emit(event: Live, *args, **kwargs) -> None:
    """Write a Socket.IO emit to the outbox in the current transaction: `event`'s function runs with these
    arguments (JSON values) right after the commit, or, if the message queue is unreachable then, once it is back."""
    _write(OutboxJob(func=Live(event).value, args=list(args), kwargs=kwargs, queue=LIVE))


def _write(row: OutboxJob) -> None:
    """Add the row to the current transaction, with the one after-commit relay of the transaction's rows."""
    row.available_at = utcnow() + LOOP_DELAY
    db.session.add(row)
    session = db.session()
    relay = next((c for c in session.info.get(PENDING, ()) if isinstance(c, _RelayAfterCommit)), None)
    if relay is None:
        relay = _RelayAfterCommit(current_app._get_current_object())
        on_commit(relay)
    relay.rows.append(row)


class _RelayAfterCommit:
    """The after-commit relay of one transaction's outbox rows (one per transaction, however many jobs)."""

    def __init__(self, app: Flask):
        self.app, self.rows = app, []

    def __call__(self) -> None:
        ids = [inspect(row).identity[0] for row in self.rows]
        for start in range(0, len(ids), RELAY_BATCH):
            chunk = ids[start : start + RELAY_BATCH]
            if relay_outbox(self.app, ids=chunk) < len(chunk):
                return  # Redis failed: the rest wait for the relay loop too


def relay_outbox(app: Flask | None = None, *, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Move outbox rows to their RQ queues (the given `ids`, or a batch of those due), delete them, and return how
    many were relayed. Redis down: the rows stay, tried again later with backoff. Safe to run from several
    processes at once (PostgreSQL: SKIP LOCKED; SQLite: one writer)."""
    app = app or current_app._get_current_object()
    now = now or utcnow()
    session = db.session
    query = select(OutboxJob).order_by(OutboxJob.id).limit(RELAY_BATCH)
    query = query.where(OutboxJob.id.in_(ids)) if ids is not None else query.where(OutboxJob.available_at <= now)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        lock_for_write(session)
    rows = session.scalars(query).all()
    if app.config["JOBS_RUN_INLINE"]:
        return _run_inline(rows, app)
    relayed = 0
    for index, row in enumerate(rows):
        try:
            _relay(row, app)
        except RedisError as error:
            _postpone(rows[index:], now, error)
            break
        except Exception as error:  # a row that cannot be relayed (a bug): kept and shown, not blocking the others
            log.exception("outbox: %s %s cannot be relayed; kept for an hour", row.queue, row.func)
            _postpone([row], now, error, delay=POISONED_DELAY)
            continue
        session.delete(row)
        relayed += 1
    session.commit()
    return relayed


def relay_all(app: Flask | None = None) -> int:
    """Relay every due outbox row, batch after batch, until none is left or Redis fails; returns how many."""
    if db.session.scalar(select(OutboxJob.id).where(OutboxJob.available_at <= utcnow()).limit(1)) is None:
        db.session.rollback()
        return 0  # the usual case: nothing waits, and no write lock is taken (SQLite)
    total = 0
    while True:
        relayed = relay_outbox(app)
        total += relayed
        if relayed < RELAY_BATCH:
            return total


def outbox_lag(now: datetime | None = None) -> tuple[int, float]:
    """How many jobs wait in the outbox, and the age in seconds of the oldest (0 when none)."""
    count, oldest = db.session.execute(select(func.count(), func.min(OutboxJob.created_at))).one()
    db.session.rollback()
    return count, ((now or utcnow()) - oldest).total_seconds() if oldest else 0.0


def _request_of(row: OutboxJob) -> JobRequest:
    retry = Retry(max=row.retry["max"], interval=row.retry["intervals"]) if row.retry else None
    func = JobName(row.func) if row.func in JobName._value2member_map_ else resolve_job(row.func)
    return JobRequest(func, tuple(row.args), dict(row.kwargs), row.queue, retry, row.job_id)


def _relay(row: OutboxJob, app: Flask) -> None:
    """Queue the row's job, with its relay marker, in one Redis transaction; nothing if the marker exists.
    A live row: make its emit (raises RedisError if the message queue refuses it)."""
    if row.queue == LIVE:
        resolve_job(row.func)(*row.args, **row.kwargs)
        return
    client = app.extensions["redis"]
    marker = RELAYED_KEY.format(row.token)
    if client.exists(marker):
        return  # queued by a relayer that died before deleting the row
    request = _request_of(row)
    queue = get_queue(request.queue, app)
    with client.pipeline() as pipe:
        pipe.multi()
        queue.enqueue(
            request.func,
            args=request.args,
            kwargs=request.kwargs,
            retry=request.retry,
            job_id=request.job_id or f"outbox-{row.token}",
            pipeline=pipe,
        )
        pipe.set(marker, 1, ex=RELAYED_FOR)
        pipe.execute()


def _postpone(rows: list[OutboxJob], now: datetime, error: Exception, *, delay: timedelta | None = None) -> None:
    for row in rows:
        row.attempts += 1
        row.available_at = now + (delay or timedelta(seconds=min(10, 2**row.attempts)))
        row.last_error = f"{type(error).__name__}: {error}"[:255]
    if delay is None:
        log.warning("outbox: Redis unreachable (%s); %d row(s) wait for the relay loop", error, len(rows))


def _run_inline(rows: list[OutboxJob], app: Flask) -> int:
    """Tests (JOBS_RUN_INLINE): delete the rows, commit, then run each job at once in its own session."""
    live = [row for row in rows if row.queue == LIVE]
    for row in live:  # emits first, as the relay makes them, in the relay's transaction
        _relay(row, app)
    requests = [_request_of(row) for row in rows if row.queue != LIVE]
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    for request in requests:
        try:
            enqueue_now(request, app)
        except Exception:  # as a worker would: one failing job neither stops the others nor the request
            log.exception("inline job %s failed", request.func)
    return len(rows)
