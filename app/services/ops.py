"""Operational checks: is this process able to serve?"""

import logging

from app.extensions import db, redis_store

log = logging.getLogger(__name__)


def readiness() -> dict[str, str]:
    """Check each dependency; `{"database": "ok" | "down", "redis": "ok" | "down"}`."""
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
    except Exception as exc:
        log.warning("readiness: redis is down: %s", exc)
        checks["redis"] = "down"
    return checks
