"""Files rendered in the background for a person: training reports and full data exports."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class FileStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"
    HTML = "html"


class Report(db.Model):
    """A report on one person's training (`user_id`), asked for by them or by their trainer (`requested_by_id`)."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(enum_check("status", FileStatus), name="status"),
        CheckConstraint(enum_check("format", ReportFormat), name="format"),
        CheckConstraint("date_to >= date_from", name="date_range"),
        Index("ix_reports_requested_by_id", "requested_by_id"),
        Index("ix_reports_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(8))
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=FileStatus.QUEUED)
    error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    file_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def is_visible_to(self, user_id: int) -> bool:
        return user_id in (self.requested_by_id, self.user_id)


class DataExport(db.Model):
    """Everything a person has stored, as one zip of JSON and CSV files (their right to a copy of their data)."""

    __tablename__ = "data_exports"
    __table_args__ = (
        CheckConstraint(enum_check("status", FileStatus), name="status"),
        Index("ix_data_exports_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=FileStatus.QUEUED)
    error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    file_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
