"""Housekeeping jobs."""

from app import queueing
from app.jobs.periodic import periodic
from app.services import maintenance, reconcile


@periodic
def prune_expired() -> dict[str, int]:
    """Delete what has expired (each domain registers its pruner); returns the rows removed per pruner."""
    return maintenance.prune_expired()


@periodic
def reconcile_files() -> dict[str, int]:
    """Re-enqueue or fail reports and exports whose job was lost with Redis or abandoned by a dead worker, and retry
    (or fail) any other job whose worker was killed mid-job."""
    return {**reconcile.reconcile(), "abandoned_jobs": reconcile.retry_abandoned_jobs()}


@periodic
def relay_outbox() -> int:
    """Move the jobs left in the outbox (Redis was down at their commit, or their process died) to their queues."""
    return queueing.relay_all()


def ping(token: str) -> str:
    """Prove a worker is alive and has the app: record the token in Redis and return it."""
    return maintenance.record_ping(token)
