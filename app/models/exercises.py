"""The exercise catalog: one shared list that every workout entry points into, and each person's own
(personal) exercises beside it."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class MuscleGroup(StrEnum):
    CHEST = "chest"
    BACK = "back"
    LEGS = "legs"
    ARMS = "arms"
    SHOULDERS = "shoulders"
    CORE = "core"
    FULL_BODY = "full_body"


class Complexity(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


def title_key(title: str) -> str:
    """What makes two titles the same exercise: case and runs of spaces do not count."""
    return " ".join(title.split()).casefold()


class Exercise(db.Model):
    __tablename__ = "exercises"
    __table_args__ = (
        CheckConstraint(enum_check("muscle_group", MuscleGroup), name="muscle_group"),
        CheckConstraint(enum_check("complexity", Complexity), name="complexity"),
        # The catalog's access path: the live exercises in title order, optionally by muscle group.
        Index("ix_exercises_is_archived_title_key", "is_archived", "title_key"),
        Index("ix_exercises_muscle_group_title_key", "muscle_group", "title_key"),
        # Titles are unique within the shared catalog, and within each person's own exercises: two namespaces
        # that never collide (a personal "Plank" neither blocks nor is blocked by the catalog's).
        Index(
            "ix_exercises_shared_title_key",
            "title_key",
            unique=True,
            postgresql_where=text("owner_id IS NULL"),
            sqlite_where=text("owner_id IS NULL"),
        ),
        UniqueConstraint("owner_id", "title_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    # Unique on every backend without a functional index: the title folded as `title_key` folds it.
    title_key: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    muscle_group: Mapped[str] = mapped_column(String(16))
    equipment_required: Mapped[bool] = mapped_column(Boolean, default=False)
    complexity: Mapped[str] = mapped_column(String(16), default=Complexity.BEGINNER)
    # Archived exercises leave the catalog but stay in the workouts that used them.
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # A personal exercise's owner (`is_personal`); None for the shared catalog.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None

    def rename(self, title: str) -> None:
        self.title = " ".join(title.split())
        self.title_key = title_key(title)

    def __repr__(self) -> str:
        return f"<Exercise {self.id} {self.title}>"
