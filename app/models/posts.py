"""What people share: posts (and shares of posts), their media, reactions and comments."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import Privacy, enum_check


class ReactionKind(StrEnum):
    LIKE = "like"
    LOVE = "love"
    HAHA = "haha"
    WOW = "wow"
    SAD = "sad"
    ANGRY = "angry"


class Post(db.Model):
    """A post, or a share of another (`is_share`; `shared_post_id` goes null when the original is deleted, and
    the share then shows a tombstone). `group_id` places it in a group. `hidden_at` is set by a moderator: the post
    disappears for everyone but its author and moderators."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(enum_check("visibility", Privacy), name="visibility"),
        Index("ix_posts_author_id_id", "author_id", "id"),
        Index("ix_posts_shared_post_id", "shared_post_id"),
        Index("ix_posts_created_at_id", "created_at", "id"),
        Index("ix_posts_group_id_id", "group_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10))
    is_share: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A group's post: the group, not `visibility`, decides who sees it; it goes with the group.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))


class PostMedia(db.Model):
    """A post's images or video, in order; an asset belongs to one post at most."""

    __tablename__ = "post_media"
    __table_args__ = (
        UniqueConstraint("media_id", name="uq_post_media_media_id"),
        CheckConstraint("position BETWEEN 0 AND 9", name="position"),
    )

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"))


class Reaction(db.Model):
    """One reaction per person per post; changing it updates the row."""

    __tablename__ = "reactions"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ReactionKind), name="kind"),
        Index("ix_reactions_user_id", "user_id"),
    )

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReactionNotice(db.Model):
    """That a post's author was told of one person's reaction: they are told once per person, not per change
    (a row survives the reaction being removed and set again)."""

    __tablename__ = "reaction_notices"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_id_id", "post_id", "id"),
        Index("ix_comments_author_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
