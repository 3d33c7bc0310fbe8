"""Training plans: an ordered selection of the owner's workouts, with a status."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class PlanStatus(StrEnum):
    PREPARED = "prepared"
    ACTIVE = "active"
    COMPLETED = "completed"


# The only moves a plan's status may make (staying where it is is always allowed).
PLAN_TRANSITIONS = {PlanStatus.PREPARED: {PlanStatus.ACTIVE}, PlanStatus.ACTIVE: {PlanStatus.COMPLETED}}


class TrainingPlan(db.Model):
    __tablename__ = "training_plans"
    __table_args__ = (
        CheckConstraint(enum_check("status", PlanStatus), name="status"),
        Index("ix_training_plans_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # the owner: who trains
    # The owner, or the trainer who built the plan for them; the builder may keep editing it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list["PlanWorkout"]] = relationship(
        order_by="PlanWorkout.position", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    @property
    def workout_ids(self) -> list[int]:
        return [item.workout_id for item in self.items]

    @property
    def is_read_only(self) -> bool:
        return self.status == PlanStatus.COMPLETED

    def can_move_to(self, status: str) -> bool:
        return status == self.status or status in PLAN_TRANSITIONS.get(PlanStatus(self.status), set())


class PlanWorkout(db.Model):
    """A workout's place in a plan; a workout appears in a plan at most once."""

    __tablename__ = "plan_workouts"
    __table_args__ = (
        UniqueConstraint("plan_id", "position"),
        UniqueConstraint("plan_id", "workout_id"),
        Index("ix_plan_workouts_workout_id", "workout_id"),  # deleting a workout removes it from its plans
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id", ondelete="CASCADE"))
    workout_id: Mapped[int] = mapped_column(ForeignKey("workouts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
