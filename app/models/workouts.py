"""Workouts: a training session and its ordered exercise entries.

Weights are stored in whole grams so that volumes (sets × reps × weight) and every total built from them
are integers: adding and subtracting them never drifts, which keeps the stats exact.
"""

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.exercises import Exercise
from app.models.users import enum_check

GRAMS_PER_KG = 1000


class TrainingType(StrEnum):
    CARDIO = "cardio"
    STRENGTH = "strength"
    YOGA = "yoga"
    HIIT = "hiit"
    MOBILITY = "mobility"
    PILATES = "pilates"
    CROSSFIT = "crossfit"
    RUNNING = "running"
    CYCLING = "cycling"
    SWIMMING = "swimming"
    SPORTS = "sports"
    OTHER = "other"


class Intensity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def kg_to_grams(kg: float) -> int:
    return round(kg * GRAMS_PER_KG)


class Workout(db.Model):
    __tablename__ = "workouts"
    __table_args__ = (
        CheckConstraint(enum_check("training_type", TrainingType), name="training_type"),
        CheckConstraint(enum_check("intensity", Intensity), name="intensity"),
        CheckConstraint("duration_min BETWEEN 1 AND 1440", name="duration_min"),
        CheckConstraint("distance_km >= 0 AND distance_km <= 10000", name="distance_km"),
        CheckConstraint("calories BETWEEN 0 AND 100000", name="calories"),
        # The list's access path (newest first, optionally within dates), and the streaks' distinct dates.
        Index("ix_workouts_user_id_date_id", "user_id", "date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    training_type: Mapped[str | None] = mapped_column(String(16))  # optional: null when not given
    title: Mapped[str] = mapped_column(String(100))
    intensity: Mapped[str] = mapped_column(String(8), default=Intensity.MEDIUM)
    duration_min: Mapped[int] = mapped_column(Integer, default=45)
    date: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    distance_km: Mapped[Decimal | None] = mapped_column(Numeric(8, 3))
    calories: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    exercises: Mapped[list["WorkoutExercise"]] = relationship(
        back_populates="workout",
        order_by="WorkoutExercise.order",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )

    @property
    def volume_g(self) -> int:
        return sum(entry.volume_g for entry in self.exercises)

    @property
    def volume_kg(self) -> float:
        return self.volume_g / GRAMS_PER_KG

    def __repr__(self) -> str:
        return f"<Workout {self.id} {self.title} {self.date}>"


class WorkoutExercise(db.Model):
    """One exercise entry of a workout, at its place (`order`) in it."""

    __tablename__ = "workout_exercises"
    __table_args__ = (
        UniqueConstraint("workout_id", "order"),
        CheckConstraint('"order" BETWEEN 1 AND 1000', name="order"),
        CheckConstraint("sets BETWEEN 1 AND 100", name="sets"),
        CheckConstraint("reps BETWEEN 1 AND 1000", name="reps"),
        CheckConstraint("rest_sec BETWEEN 0 AND 3600", name="rest_sec"),
        CheckConstraint("extra_weight_g BETWEEN 0 AND 1000000", name="extra_weight_g"),
        # "Is this exercise used anywhere?" (before deleting it) and the personal records per exercise.
        Index("ix_workout_exercises_exercise_id", "exercise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workout_id: Mapped[int] = mapped_column(ForeignKey("workouts.id", ondelete="CASCADE"))
    # RESTRICT: an exercise in use cannot vanish from under the history (archive it instead).
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="RESTRICT"))
    order: Mapped[int] = mapped_column(Integer)
    sets: Mapped[int] = mapped_column(Integer, default=3)
    reps: Mapped[int] = mapped_column(Integer, default=10)
    rest_sec: Mapped[int] = mapped_column(Integer, default=60)
    extra_weight_g: Mapped[int] = mapped_column(Integer, default=0)

    workout: Mapped[Workout] = relationship(back_populates="exercises", lazy="raise")
    exercise: Mapped[Exercise] = relationship(lazy="raise")

    @property
    def extra_weight_kg(self) -> float:
        return (self.extra_weight_g or 0) / GRAMS_PER_KG

    @extra_weight_kg.setter
    def extra_weight_kg(self, kg: float | None) -> None:
        self.extra_weight_g = kg_to_grams(kg or 0)

    @property
    def volume_g(self) -> int:
        return self.sets * self.reps * (self.extra_weight_g or 0)

    @property
    def volume_kg(self) -> float:
        return self.volume_g / GRAMS_PER_KG
