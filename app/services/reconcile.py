"""Reconcile reports and data exports with their background jobs.

A row says `queued` or `running`; its RQ job (id `report-<id>` / `export-<id>`) can be lost with Redis or
abandoned by a worker killed outright. Such rows are re-enqueued while they have attempts left, and marked
failed with a reason after that, so no file waits forever. Running it twice changes nothing the second time.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.intermediate_queue import IntermediateQueue
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.worker import Worker
from sqlalchemy import select

from app.extensions import db, redis_store
from app.lib.file_jobs import job_retry
from app.models import DataExport, FileStatus, OutboxJob, Report
from app.models.base import utcnow
from app.queueing import QUEUES, JobName, enqueue, get_queue

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=60)
"""A row this young may have committed while its job is still being enqueued: leave it alone."""
COUNTS_KEY = "stride:jobs:reconciled"


@dataclass(frozen=True)
class Tracked:
    model: type
    func: JobName
    prefix: str
    queue: str = "default"

    def job_id(self, row_id: int) -> str:
        return f"{self.prefix}-{row_id}"


TRACKED = (
    Tracked(Report, JobName.RENDER_REPORT, "report"),
    Tracked(DataExport, JobName.BUILD_EXPORT, "export"),
)


def job_id_for(model: type, row_id: int) -> str:
    """The RQ job id of a report's or export's job (its requesting service enqueues it under this id)."""
    return next(tracked for tracked in TRACKED if tracked.model is model).job_id(row_id)


def _in_outbox(job_ids: list[str]) -> set[str]:
    """Which of these jobs still wait in the outbox (their commit found Redis down): not lost, only late."""
    if not job_ids:
        return set()
    return set(db.session.scalars(select(OutboxJob.job_id).where(OutboxJob.job_id.in_(job_ids))))


def max_attempts() -> int:
    return 1 + job_retry().max


def reconcile() -> dict[str, int]:
    """Re-enqueue or fail every queued/running report and export whose job is gone or dead; returns counts."""
    counts = {"checked": 0, "requeued": 0, "failed": 0}
    cutoff = utcnow() - GRACE
    requeue: list[tuple[Tracked, int, int]] = []
    for tracked in TRACKED:
        model = tracked.model
        rows = db.session.scalars(
            select(model)
            .where(model.status.in_([FileStatus.QUEUED, FileStatus.RUNNING]), model.created_at < cutoff)
            .order_by(model.id)
            .with_for_update(skip_locked=True)
        ).all()
        started = _started_entries(tracked.queue)
        waiting = _in_outbox([tracked.job_id(row.id) for row in rows])
        for row in rows:
            counts["checked"] += 1
            job_id = tracked.job_id(row.id)
            if job_id in waiting or _is_alive(job_id, started):
                continue  # waiting in the outbox for Redis, or queued or running
            attempts_left = max_attempts() - (row.attempts or 0)
            if attempts_left > 0:
                row.status = FileStatus.QUEUED
                requeue.append((tracked, row.id, attempts_left))
                counts["requeued"] += 1
            else:
                row.status = FileStatus.FAILED
                row.error = (
                    f"Abandoned after {row.attempts} attempt(s): its background job was lost or its worker died."
                )
                row.finished_at = utcnow()
                counts["failed"] += 1
            log.warning("%s %s: job %s gone or dead; %s", model.__tablename__, row.id, job_id, row.status)
    for tracked, row_id, attempts_left in requeue:
        _forget_job(tracked.job_id(row_id))
        retry = Retry(max=attempts_left - 1, interval=_intervals()) if attempts_left > 1 else None
        enqueue(tracked.func, row_id, queue=tracked.queue, retry=retry, job_id=tracked.job_id(row_id))
    db.session.commit()
    if counts["requeued"] or counts["failed"]:
        with redis_store.client.pipeline() as pipe:
            pipe.hincrby(COUNTS_KEY, "requeued", counts["requeued"])
            pipe.hincrby(COUNTS_KEY, "failed", counts["failed"])
            pipe.execute()
    return counts


def totals() -> dict[str, int]:
    """How many rows the reconciler re-enqueued and failed so far (since Redis last forgot)."""
    values = redis_store.client.hgetall(COUNTS_KEY)
    return {"requeued": int(values.get(b"requeued", 0)), "failed": int(values.get(b"failed", 0))}


def retry_abandoned_jobs() -> int:
    """RQ's own cleanup of every queue's started registry and intermediate list, run every minute instead of at a
    worker's ten-minute maintenance: a job whose worker was killed outright (its heartbeats stopped, or it died
    between taking the job and starting it) is retried while it has retries left, else failed. Returns how many
    started jobs were abandoned."""
    abandoned = 0
    for name in QUEUES:
        queue = get_queue(name)
        registry = StartedJobRegistry(queue=queue)
        abandoned += len(registry.get_expired_job_ids())
        registry.cleanup()
        # A job a worker took off the queue but died before starting waits in RQ's intermediate list: RQ's cleanup
        # (seen twice a minute apart, then failed or retried) needs a worker to act as; one that never registers.
        stuck = IntermediateQueue(queue.key, redis_store.client)
        if stuck.get_job_ids():
            stuck.cleanup(Worker([queue], connection=redis_store.client), queue)
    return abandoned


def pending() -> dict[str, dict[str, int]]:
    """Reports and exports waiting or rendering now, per status."""
    result = {}
    for tracked in TRACKED:
        model = tracked.model
        rows = db.session.execute(
            select(model.status, db.func.count())
            .where(model.status.in_([FileStatus.QUEUED, FileStatus.RUNNING]))
            .group_by(model.status)
        )
        result[model.__tablename__] = {"queued": 0, "running": 0, **{status: count for status, count in rows}}
    return result


def _intervals() -> list[int]:
    return list(job_retry().intervals)


def _started_entries(queue_name: str) -> tuple[set[str], set[str]]:
    """(ids in the queue's started registry, ids of those whose worker stopped heart-beating)."""
    registry = StartedJobRegistry(queue=get_queue(queue_name))
    return set(registry.get_job_ids(cleanup=False)), set(registry.get_expired_job_ids())


def _is_alive(job_id: str, started: tuple[set[str], set[str]]) -> bool:
    """Will this job still run (waiting, scheduled for a retry, or started by a worker that is alive)?"""
    connection = redis_store.client
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
        return True
    if status != JobStatus.STARTED:
        return False  # finished, failed, stopped or canceled, yet the row is not settled
    in_registry, expired = started
    if job_id not in in_registry or job_id in expired or not job.worker_name:
        return False
    worker_key = Worker.redis_worker_namespace_prefix + job.worker_name
    return bool(connection.exists(worker_key)) and not connection.hexists(worker_key, "death")


def _forget_job(job_id: str) -> None:
    """Delete a dead job (and its registry entries) so the fresh one can take its id."""
    try:
        Job.fetch(job_id, connection=redis_store.client).delete()
    except NoSuchJobError:
        pass
