"""Habits, their completions, and the reminder slots already sent (the key of exactly-once reminders)."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Habit(db.Model):
    __tablename__ = "habits"
    __table_args__ = (
        CheckConstraint("periodicity_days BETWEEN 1 AND 7", name="periodicity"),
        CheckConstraint("duration_sec IS NULL OR (duration_sec > 0 AND duration_sec <= 120)", name="duration"),
        CheckConstraint("NOT (reward IS NOT NULL AND related_habit_id IS NOT NULL)", name="reward_or_related"),
        Index("ix_habits_user_id_id", "user_id", "id"),
        Index("ix_habits_is_public_id", "is_public", "id"),
        Index("ix_habits_time", "time"),  # the reminder pass looks habits up by time of day
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    place: Mapped[str | None] = mapped_column(String(100))
    time: Mapped[time] = mapped_column(Time)  # time of day in the owner's timezone
    action: Mapped[str] = mapped_column(String(200))
    is_pleasant: Mapped[bool] = mapped_column(Boolean, default=False)
    related_habit_id: Mapped[int | None] = mapped_column(ForeignKey("habits.id", ondelete="SET NULL"))
    periodicity_days: Mapped[int] = mapped_column(Integer, default=1)
    reward: Mapped[str | None] = mapped_column(String(200))
    duration_sec: Mapped[int | None] = mapped_column(Integer)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[date] = mapped_column(Date)  # periods are counted from here
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class HabitCompletion(db.Model):
    __tablename__ = "habit_completions"
    __table_args__ = (UniqueConstraint("habit_id", "done_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    habit_id: Mapped[int] = mapped_column(ForeignKey("habits.id", ondelete="CASCADE"))
    done_on: Mapped[date] = mapped_column(Date)  # the owner's local date
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HabitReminder(db.Model):
    """One row per habit and due slot: inserting it is what claims the right to remind."""

    __tablename__ = "habit_reminders"
    __table_args__ = (UniqueConstraint("habit_id", "slot_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    habit_id: Mapped[int] = mapped_column(ForeignKey("habits.id", ondelete="CASCADE"))
    slot_date: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
