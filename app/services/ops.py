"""Operational checks: is this process able to serve, and is anything it relies on at risk?"""

import logging

import redis
from flask import current_app

from app.extensions import db, redis_store

log = logging.getLogger(__name__)

NO_PERSISTENCE = (
    "Redis keeps nothing on disk (neither AOF nor RDB snapshots): a restart would forget revoked tokens, which would "
    "then be accepted again. Turn on `appendonly yes` (or a `save` schedule) on the Redis server."
)
IN_PROCESS = (
    "Redis is the in-process stand-in of the embedded mode: a restart forgets revoked tokens. Set REDIS_URL to a "
    "Redis server that persists (appendonly) for production."
)


def readiness() -> dict[str, str]:
    """Check each dependency: `{"database": "ok" | "down", "redis": "ok" | "down"}`, and, when Redis answers,
    `"redis_persistence"`: `aof`, `rdb`, `aof+rdb`, `off`, `in-process` (the embedded stand-in) or `unknown`
    (the server refuses to tell)."""
    checks = {}
    try:
        db.session.execute(db.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database is down: %s", exc)
        checks["database"] = "down"
    finally:
        db.session.rollback()
    try:
        redis_store.client.ping()
        checks["redis"] = "ok"
        checks["redis_persistence"] = redis_persistence(redis_store.client)
    except Exception as exc:
        log.warning("readiness: redis is down: %s", exc)
        checks["redis"] = "down"
    return checks


def redis_persistence(client: redis.Redis) -> str:
    """How the Redis server keeps its data across a restart: `aof`, `rdb`, `aof+rdb`, `off`, `in-process` or
    `unknown`. Read from `CONFIG GET` (appendonly, save); a server that refuses CONFIG (managed services often
    rename it) is asked `INFO persistence`, which tells AOF but not whether snapshots are scheduled."""
    if not current_app.config.get("REDIS_URL"):
        return "in-process"
    try:
        config = client.config_get("appendonly") | client.config_get("save")
    except redis.ResponseError:
        return "aof" if client.info("persistence").get("aof_enabled") else "unknown"
    kinds = [kind for kind, on in (("aof", config.get("appendonly") == "yes"), ("rdb", bool(config.get("save")))) if on]
    return "+".join(kinds) or "off"


def persistence_warning(state: str) -> str | None:
    """Why a Redis persistence state puts revocations at risk, or None when it does not."""
    return {"off": NO_PERSISTENCE, "in-process": IN_PROCESS}.get(state)
