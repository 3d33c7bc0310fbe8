"""The transactional outbox: background jobs written in the same transaction as the change that asks for them,
and relayed to RQ after the commit (app/queueing.py), so a Redis outage delays them but never loses one."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class OutboxJob(db.Model):
    """A job waiting to reach its RQ queue. The row is deleted once the job is on the queue; `token` names the
    relay in Redis, so a row relayed but not yet deleted (its relayer died) is never queued twice."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_available_at", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    func: Mapped[str] = mapped_column(String(200))  # the job's dotted path
    args: Mapped[list] = mapped_column(JSON)
    kwargs: Mapped[dict] = mapped_column(JSON)
    queue: Mapped[str] = mapped_column(String(16))
    retry: Mapped[dict | None] = mapped_column(JSON)  # RQ's Retry: {"max": n, "intervals": [seconds]}
    job_id: Mapped[str | None] = mapped_column(String(100), index=True)  # a fixed RQ job id (reports, exports, media)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the relay loop's next try
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))
