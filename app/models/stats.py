"""Per-user training stats and personal records, kept exact by the workout use cases.

Volumes are integer grams (see models/workouts.py): totals are sums of integers, exact under any
sequence of additions and subtractions.
"""

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.exercises import Exercise
from app.models.workouts import GRAMS_PER_KG


class UserStats(db.Model):
    __tablename__ = "user_stats"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    total_workouts: Mapped[int] = mapped_column(Integer, default=0)
    total_exercises: Mapped[int] = mapped_column(Integer, default=0)
    total_minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    total_volume_g: Mapped[int] = mapped_column(BigInteger, default=0)
    # Streaks are in ISO weeks with at least one workout. The latest run of such weeks ends on the week
    # starting `last_active_week` (a Monday) and is `last_run_weeks` long; whether it is still *current*
    # depends on today, so reads judge that (a run ending this week or last week is current).
    last_active_week: Mapped[dt.date | None] = mapped_column(Date)
    last_run_weeks: Mapped[int] = mapped_column(Integer, default=0)
    longest_streak_weeks: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def total_volume_kg(self) -> float:
        return self.total_volume_g / GRAMS_PER_KG

    def current_streak_weeks(self, this_week: dt.date) -> int:
        """`this_week`: the Monday of the current week in the owner's timezone."""
        if self.last_active_week is None or self.last_active_week < this_week - dt.timedelta(weeks=1):
            return 0
        return self.last_run_weeks


class PersonalRecord(db.Model):
    """The best a user has done on one exercise; the earliest workout that reached it is the record's date."""

    __tablename__ = "personal_records"
    __table_args__ = (
        UniqueConstraint("user_id", "exercise_id"),
        Index("ix_personal_records_exercise_id", "exercise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    max_weight_g: Mapped[int] = mapped_column(Integer)  # heaviest extra weight in any entry
    max_weight_on: Mapped[dt.date] = mapped_column(Date)
    max_weight_workout_id: Mapped[int | None] = mapped_column(ForeignKey("workouts.id", ondelete="SET NULL"))
    max_volume_g: Mapped[int] = mapped_column(BigInteger)  # most volume of this exercise in one workout
    max_volume_on: Mapped[dt.date] = mapped_column(Date)
    max_volume_workout_id: Mapped[int | None] = mapped_column(ForeignKey("workouts.id", ondelete="SET NULL"))
    max_reps: Mapped[int] = mapped_column(Integer)  # most reps in one set: the record of body-weight work
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    exercise: Mapped[Exercise] = relationship(lazy="raise")

    @property
    def max_weight_kg(self) -> float:
        return self.max_weight_g / GRAMS_PER_KG

    @property
    def max_volume_kg(self) -> float:
        return self.max_volume_g / GRAMS_PER_KG
