"""People: the account and its profile."""

from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import CheckConstraint, ColumnElement, Date, Float, ForeignKey, Index, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Role(StrEnum):
    USER = "user"
    TRAINER = "trainer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {Role.USER: 0, Role.TRAINER: 1, Role.ADMIN: 2}[self]


class Privacy(StrEnum):
    PUBLIC = "public"
    FRIENDS = "friends"
    PRIVATE = "private"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    UNDISCLOSED = "undisclosed"


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def password_hasher() -> PasswordHasher:
    """argon2id with the configured cost (OWASP's m=19 MiB, t=2, p=1 by default)."""
    config = current_app.config
    return _hasher(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"])


def enum_check(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(str(m)) for m in enum)})"


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(enum_check("role", Role), name="role"),
        CheckConstraint(enum_check("privacy", Privacy), name="privacy"),
        Index("ix_users_deleted_at_created_at", "deleted_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Both stored lower-cased, so uniqueness and look-ups are case-insensitive on every backend.
    username: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.USER)
    first_name: Mapped[str | None] = mapped_column(String(50))
    last_name: Mapped[str | None] = mapped_column(String(50))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(16))
    phone_number: Mapped[str | None] = mapped_column(String(16))  # E.164, normalised on the way in
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    bio: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(100))
    avatar: Mapped[str | None] = mapped_column(String(255))  # the URL of `avatar_id`'s display size, for lists
    background: Mapped[str | None] = mapped_column(String(255))  # likewise for `background_id`
    job: Mapped[str | None] = mapped_column(String(100))
    # Images from the media pipeline (app/models/media.py); use_alter: media assets reference their owner too.
    avatar_id: Mapped[int | None] = mapped_column(
        ForeignKey("media_assets.id", ondelete="SET NULL", use_alter=True, name="fk_users_avatar_id_media_assets")
    )
    background_id: Mapped[int | None] = mapped_column(
        ForeignKey("media_assets.id", ondelete="SET NULL", use_alter=True, name="fk_users_background_id_media_assets")
    )
    privacy: Mapped[str] = mapped_column(String(10), default=Privacy.PUBLIC)
    telegram_chat_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def set_password(self, raw: str) -> None:
        self.password_hash = password_hasher().hash(raw)

    def check_password(self, raw: str) -> bool:
        """Verify, and upgrade the hash in place when the configured cost has changed."""
        hasher = password_hasher()
        try:
            hasher.verify(self.password_hash, raw)
        except (VerificationError, InvalidHashError):
            return False
        if hasher.check_needs_rehash(self.password_hash):
            self.set_password(raw)
        return True

    @hybrid_property
    def is_active(self) -> bool:
        """Neither deleted nor deactivated: may log in, and is found, listed and notified."""
        return self.deleted_at is None and self.deactivated_at is None

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> ColumnElement[bool]:
        return and_(cls.deleted_at.is_(None), cls.deactivated_at.is_(None))

    def has_role(self, role: Role) -> bool:
        return Role(self.role).rank >= role.rank

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class UserTag(db.Model):
    """A person's interests, normalised (lower case, single spaces): one row per tag, so "people who share my
    interests" is a join."""

    __tablename__ = "user_tags"
    __table_args__ = (Index("ix_user_tags_tag", "tag"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(30), primary_key=True)
