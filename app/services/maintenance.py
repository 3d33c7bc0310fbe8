"""Housekeeping use cases: pruning expired rows and the liveness of background workers."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from app.extensions import db, redis_store
from app.services import auth, habits

log = logging.getLogger(__name__)

Pruner = Callable[[datetime], int]
PRUNERS: dict[str, Pruner] = {"auth": auth.prune, "habit_reminders": habits.prune}
"""Each domain's function that deletes its expired rows in set-based statements and returns the count."""
LAST_RUN_KEY = "stride:jobs:last_run:{}"
PING_KEY = "stride:jobs:ping:{}"


def prune_expired(now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    removed = {name: pruner(now) for name, pruner in PRUNERS.items()}
    db.session.commit()
    redis_store.client.set(LAST_RUN_KEY.format("prune_expired"), now.isoformat())
    log.info("prune_expired removed %s", removed)
    return removed


def last_run(job_name: str) -> str | None:
    value = redis_store.client.get(LAST_RUN_KEY.format(job_name))
    return value.decode() if value else None


def record_ping(token: str) -> str:
    db.session.execute(db.select(1))  # the worker reaches the database too
    redis_store.client.set(PING_KEY.format(token), datetime.now(UTC).isoformat(), ex=3600)
    return token
