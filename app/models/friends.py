"""Who knows whom: pending friend requests, friendships and blocks."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class FriendRequest(db.Model):
    """A pending request; answering it (accept, decline, cancel) deletes it.

    `pair_low`/`pair_high` are the two people in id order: one pending request per pair, whoever sent it, so two
    people asking each other at the same moment cannot both insert (the second becomes an acceptance)."""

    __tablename__ = "friend_requests"
    __table_args__ = (
        CheckConstraint("sender_id <> recipient_id", name="not_self"),
        CheckConstraint("pair_low < pair_high", name="pair_order"),
        UniqueConstraint("pair_low", "pair_high", name="uq_friend_requests_pair"),
        Index("ix_friend_requests_recipient_id_id", "recipient_id", "id"),
        Index("ix_friend_requests_sender_id_id", "sender_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    pair_low: Mapped[int]
    pair_high: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @classmethod
    def between(cls, sender_id: int, recipient_id: int) -> "FriendRequest":
        low, high = sorted((sender_id, recipient_id))
        return cls(sender_id=sender_id, recipient_id=recipient_id, pair_low=low, pair_high=high)


class Friendship(db.Model):
    """One row per direction (alice→bob and bob→alice), written and deleted together: "my friends" and "is X
    my friend" are then one index look-up each, with no OR over two columns."""

    __tablename__ = "friendships"
    __table_args__ = (
        CheckConstraint("user_id <> friend_id", name="not_self"),
        Index("ix_friendships_friend_id", "friend_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    friend_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(db.Model):
    """`blocker_id` blocked `blocked_id`: the two are hidden from each other everywhere, both ways."""

    __tablename__ = "blocks"
    __table_args__ = (
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
        Index("ix_blocks_blocked_id", "blocked_id"),
    )

    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
