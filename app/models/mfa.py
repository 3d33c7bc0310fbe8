"""Second factors: a person's TOTP secret and Telegram factor, and their single-use recovery codes."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class MfaSettings(db.Model):
    """One row per person who has started enrolling a second factor; read at login, never on other requests."""

    __tablename__ = "mfa_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Encrypted at rest (app.services.mfa); set by setup, in force once confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The newest 30-second step a code was accepted for: a code is good once, and never an older one after it.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    telegram_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def methods(self) -> list[str]:
        """The factors in force, in the order a client offers them."""
        return [
            method
            for method, on in (("totp", self.totp_confirmed_at), ("telegram", self.telegram_enabled_at))
            if on is not None
        ]


class RecoveryCode(db.Model):
    """A single-use code for when the phone is lost; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
