"""Housekeeping jobs."""

from app.jobs.periodic import periodic
from app.services import maintenance


@periodic
def prune_expired() -> dict[str, int]:
    """Delete what has expired (each domain registers its pruner); returns the rows removed per pruner."""
    return maintenance.prune_expired()


def ping(token: str) -> str:
    """Prove a worker is alive and has the app: record the token in Redis and return it."""
    return maintenance.record_ping(token)
