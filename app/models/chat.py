"""Chat: conversations, who is in them, and their messages."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.notifications import BigId


class Conversation(db.Model):
    """A conversation. A 1:1 one has `direct_key` "{low user id}:{high user id}": unique, so a pair has one
    conversation even when both start it at the same moment. A group's one has `group_id` instead (one per group):
    its members are the group's."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("direct_key", name="uq_conversations_direct_key"),
        UniqueConstraint("group_id", name="uq_conversations_group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direct_key: Mapped[str | None] = mapped_column(String(40))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def direct_key_of(user_id: int, other_id: int) -> str:
        low, high = sorted((user_id, other_id))
        return f"{low}:{high}"


class ConversationMember(db.Model):
    """A person in a conversation: where they have read to, and whether they were told of unread messages
    (`is_notified`: one notification per conversation until they read). `last_activity_at` orders their list."""

    __tablename__ = "conversation_members"
    __table_args__ = (
        Index(
            "ix_conversation_members_user_id_activity",
            "user_id",
            "last_activity_at",
            "conversation_id",
        ),
    )

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_read_message_id: Mapped[int | None] = mapped_column(BigId)
    is_notified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Message(db.Model):
    """A message; deleting it keeps a tombstone (`text` NULL, `deleted_at` set) so both sides see where it was.
    `client_id` is the sender's own id for it: sending the same one again stores nothing new."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("author_id", "client_id", name="uq_messages_author_id_client_id"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
