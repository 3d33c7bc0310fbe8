"""Body metrics: the measurements that show progress toward goals."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class BodyMetric(db.Model):
    __tablename__ = "body_metrics"
    __table_args__ = (
        Index("ix_body_metrics_user_id_recorded_at", "user_id", "recorded_at"),
        CheckConstraint("weight_kg IS NULL OR weight_kg > 0", name="weight_positive"),
        CheckConstraint("body_fat_pct IS NULL OR (body_fat_pct >= 0 AND body_fat_pct <= 100)", name="fat_pct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    body_fat_pct: Mapped[float | None] = mapped_column(Float)
    waist_cm: Mapped[float | None] = mapped_column(Float)
    measurements: Mapped[dict] = mapped_column(JSON, default=dict)  # {"biceps": {"value": 35.5, "unit": "cm"}}
    note: Mapped[str | None] = mapped_column(String(200))
