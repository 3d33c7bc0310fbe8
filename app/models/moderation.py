"""Reports of content by users ("flags"), and what moderators did about them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class FlagTarget(StrEnum):
    POST = "post"
    COMMENT = "comment"


class FlagStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Flag(db.Model):
    """A user's report of a post or comment; one open report per user and target (a partial unique index)."""

    __tablename__ = "flags"
    __table_args__ = (
        CheckConstraint(enum_check("target_type", FlagTarget), name="target_type"),
        CheckConstraint(enum_check("status", FlagStatus), name="status"),
        Index(
            "uq_flags_open_per_reporter",
            "reporter_id",
            "target_type",
            "target_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index("ix_flags_status_id", "status", "id"),
        Index("ix_flags_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default=FlagStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
