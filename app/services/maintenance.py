"""Housekeeping use cases: pruning expired rows and the liveness of background workers."""

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from redis.exceptions import RedisError

from app.extensions import db, redis_store
from app.services import auth, habits, idempotency

log = logging.getLogger(__name__)

Pruner = Callable[[datetime], int]
PRUNERS: dict[str, Pruner] = {
    "auth": auth.prune,
    "habit_reminders": habits.prune,
    "idempotency_keys": idempotency.prune,
}
"""Each domain's function that deletes its expired rows in set-based statements and returns the count."""
LAST_OUTCOME_KEY = "stride:jobs:last_outcome:{}"
PING_KEY = "stride:jobs:ping:{}"


def prune_expired(now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    removed = {name: pruner(now) for name, pruner in PRUNERS.items()}
    db.session.commit()
    log.info("prune_expired removed %s", removed)
    return removed


def record_run(job_name: str, started: datetime, seconds: float, *, ok: bool, outcome) -> None:
    """Remember a periodic job's last run (when it started) and how it ended; never fails the job."""
    outcome_text = json.dumps(outcome, default=str)[:500]
    record = {"at": started.isoformat(), "ok": ok, "seconds": round(seconds, 3), "outcome": outcome_text}
    try:
        redis_store.client.set(LAST_OUTCOME_KEY.format(job_name), json.dumps(record))
    except RedisError as error:
        log.warning("could not record the run of %s: %s", job_name, error)


def last_run(job_name: str) -> str | None:
    """When the job's last run started (ISO 8601), or None."""
    record = last_outcome(job_name)
    return record["at"] if record else None


def last_outcome(job_name: str) -> dict | None:
    """`{at, ok, seconds, outcome}` of the job's last run, or None if it never ran (since Redis last forgot)."""
    value = redis_store.client.get(LAST_OUTCOME_KEY.format(job_name))
    return json.loads(value) if value else None


def describe_last_run(job_name: str) -> str:
    record = last_outcome(job_name)
    if record is None:
        return "never (since Redis last started)"
    state = "ok" if record["ok"] else "FAILED"
    return f"{record['at']} {state} in {record['seconds']}s: {record['outcome']}"


def record_ping(token: str) -> str:
    db.session.execute(db.select(1))  # the worker reaches the database too
    redis_store.client.set(PING_KEY.format(token), datetime.now(UTC).isoformat(), ex=3600)
    return token
