"""Fitness goals."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    or_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class GoalType(StrEnum):
    WEIGHT_LOSS = "weight_loss"
    MUSCLE_GAIN = "muscle_gain"
    ENDURANCE = "endurance"
    FLEXIBILITY = "flexibility"
    STRENGTH = "strength"
    GENERAL = "general"


class MetricField(StrEnum):
    """The body metrics a goal can be measured by."""

    WEIGHT_KG = "weight_kg"
    BODY_FAT_PCT = "body_fat_pct"
    WAIST_CM = "waist_cm"


class Goal(db.Model):
    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(enum_check("goal_type", GoalType), name="goal_type"),
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="end_after_start"),
        Index("ix_goals_user_id_id", "user_id", "id"),
        # The expiry job's access path: active goals by end date (an expired goal leaves the index).
        Index(
            "ix_goals_active_end_date",
            "end_date",
            postgresql_where=text("is_active"),
            sqlite_where=text("is_active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    goal_type: Mapped[str] = mapped_column(String(16))
    target_value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16))
    metric: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @hybrid_method
    def is_active_on(self, today: date) -> bool:
        """Active unless deactivated or its end date has come (`today` in the owner's timezone)."""
        return self.is_active and (self.end_date is None or today < self.end_date)

    @is_active_on.inplace.expression
    @classmethod
    def _is_active_on_expression(cls, today: date) -> ColumnElement[bool]:
        return and_(cls.is_active.is_(True), or_(cls.end_date.is_(None), cls.end_date > today))
