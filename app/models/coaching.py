"""Trainer ↔ client assignments (memberships come later and build on this)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import User


class TrainerClient(db.Model):
    """One row per trainer and client: live while `ended_at` is empty; assigning again revives it."""

    __tablename__ = "trainer_clients"
    __table_args__ = (
        UniqueConstraint("trainer_id", "client_id"),
        CheckConstraint("trainer_id <> client_id", name="not_self"),
        Index("ix_trainer_clients_client_id", "client_id"),  # "who trains me", and the access checks
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trainer: Mapped[User] = relationship(foreign_keys=[trainer_id], lazy="raise")
    client: Mapped[User] = relationship(foreign_keys=[client_id], lazy="raise")

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
