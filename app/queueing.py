"""Background work: named RQ queues, and `enqueue`, which waits for the current transaction to commit.

Services enqueue jobs by dotted name (`"app.jobs.email.send_email"`), so a service never imports a job.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
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
    func: str | Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    queue: str = "default"
    retry: Retry | None = DEFAULT_RETRY
    job_id: str | None = None


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
    func: str | Callable,
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
