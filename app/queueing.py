"""Background work: named RQ queues, and `enqueue`, which waits for the current transaction to commit.

Services enqueue jobs by name from `JobName` (`enqueue(JobName.SEND_EMAIL, ...)`), so a service never imports a job
(jobs import services); `check_jobs()` proves at startup that every name is a job, so a misspelt or moved job
fails when the app is built, not when a worker first runs it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import import_module
from typing import Any

from flask import Flask, current_app
from rq import Queue, Retry

from app.extensions import db
from app.transactions import PENDING

log = logging.getLogger(__name__)

QUEUES = ("high", "default", "low")
"""Workers listen to these, in priority order: `high` for what a person waits on (emails, Telegram),
`default` for media and reports, `low` for periodic housekeeping."""

DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])


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


def resolve_job(name: str) -> Callable:
    module, _, function = name.rpartition(".")
    job = getattr(import_module(module), function, None)
    if not callable(job):
        raise LookupError(f"job {name!r} names no function")
    return job


def check_jobs() -> None:
    """Import every job in `JobName`: a name that resolves to nothing fails here, at startup."""
    for job in JobName:
        resolve_job(job.value)


def _job_name(func: JobName | Callable) -> str | Callable:
    if isinstance(func, str):
        if func not in JobName._value2member_map_:
            raise ValueError(f"{func!r} is not a job in app.queueing.JobName")
        return JobName(func).value  # a plain str for RQ to store
    return func


def get_queue(name: str = "default", app: Flask | None = None) -> Queue:
    app = app or current_app._get_current_object()
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(
        name,
        connection=app.extensions["redis"],
        is_async=not app.config["JOBS_RUN_INLINE"],
        default_timeout=app.config["JOB_DEFAULT_TIMEOUT"],
    )


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
    """Enqueue a job once the current transaction has committed, so no job ever sees rolled-back data."""
    request = JobRequest(func, args, kwargs, queue, retry, job_id)
    app = current_app._get_current_object()
    on_commit(lambda: enqueue_now(request, app))
