"""Membership tiers, each user's current membership and client status, and the history of changes.

Prices are stored in whole cents, so they stay exact on every backend (SQLite has no exact decimal); the API
shows them as decimals. History rows copy the tier's access level and price, so repricing a tier later never
rewrites what a member was charged.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check

CENTS = Decimal(100)


class AccessLevel(StrEnum):
    STANDARD = "standard"
    PREMIUM = "premium"
    VIP = "vip"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ON_HOLD = "on_hold"


def cents_to_price(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / CENTS


class MembershipTier(db.Model):
    __tablename__ = "membership_tiers"
    __table_args__ = (
        CheckConstraint(enum_check("access_level", AccessLevel), name="access_level"),
        CheckConstraint("price_cents >= 0", name="price_cents"),
        CheckConstraint("length(currency) = 3", name="currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    access_level: Mapped[str] = mapped_column(String(16), unique=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def price(self) -> Decimal:
        return cents_to_price(self.price_cents)


class UserMembership(db.Model):
    """A user's current tier (none is allowed) and client status; a user without a row has neither."""

    __tablename__ = "user_memberships"
    __table_args__ = (
        CheckConstraint(enum_check("client_status", ClientStatus), name="client_status"),
        Index("ix_user_memberships_tier_id", "tier_id"),  # "is this tier in use?" before deleting it
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # RESTRICT: a tier someone holds cannot be deleted (deactivate it instead).
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("membership_tiers.id", ondelete="RESTRICT"))
    client_status: Mapped[str] = mapped_column(String(16), default=ClientStatus.INACTIVE)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tier: Mapped[MembershipTier | None] = relationship(lazy="raise")


class MembershipChange(db.Model):
    """One change of a user's tier or status: who, when, and the tier's terms before and after, copied."""

    __tablename__ = "membership_changes"
    __table_args__ = (
        CheckConstraint(enum_check("to_client_status", ClientStatus), name="to_client_status"),
        Index("ix_membership_changes_user_id_id", "user_id", "id"),  # a user's history, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_tier_id: Mapped[int | None] = mapped_column(ForeignKey("membership_tiers.id", ondelete="SET NULL"))
    from_access_level: Mapped[str | None] = mapped_column(String(16))
    from_price_cents: Mapped[int | None] = mapped_column(Integer)
    from_currency: Mapped[str | None] = mapped_column(String(3))
    from_client_status: Mapped[str | None] = mapped_column(String(16))
    to_tier_id: Mapped[int | None] = mapped_column(ForeignKey("membership_tiers.id", ondelete="SET NULL"))
    to_access_level: Mapped[str | None] = mapped_column(String(16))
    to_price_cents: Mapped[int | None] = mapped_column(Integer)
    to_currency: Mapped[str | None] = mapped_column(String(3))
    to_client_status: Mapped[str] = mapped_column(String(16))

    @property
    def from_price(self) -> Decimal | None:
        return cents_to_price(self.from_price_cents)

    @property
    def to_price(self) -> Decimal | None:
        return cents_to_price(self.to_price_cents)
