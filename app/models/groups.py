"""Groups: communities with admins and members, public or private, and the requests to join private ones."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class GroupVisibility(StrEnum):
    PUBLIC = "public"  # anyone joins at once and reads its posts
    PRIVATE = "private"  # anyone finds its name; joining is a request its admins answer; posts are members' only


class GroupRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class Group(db.Model):
    """A group. Its row is the lock every membership change takes, so the last admin can never leave."""

    __tablename__ = "groups"
    __table_args__ = (CheckConstraint(enum_check("visibility", GroupVisibility), name="visibility"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupMember(db.Model):
    __tablename__ = "group_members"
    __table_args__ = (
        CheckConstraint(enum_check("role", GroupRole), name="role"),
        Index("ix_group_members_user_id_group_id", "user_id", "group_id"),
        Index("ix_group_members_group_id_role", "group_id", "role"),
    )

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10), default=GroupRole.MEMBER)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupJoinRequest(db.Model):
    """A pending request to join a private group; answering or withdrawing it deletes it."""

    __tablename__ = "group_join_requests"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", name="uq_group_join_requests_group_id_user_id"),
        Index("ix_group_join_requests_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
