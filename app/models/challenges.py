"""Challenges: a metric over a window of dates, who takes part with how much, and the badges they earn."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class ChallengeMetric(StrEnum):
    WORKOUTS = "workouts"
    MINUTES = "minutes"
    VOLUME_KG = "volume_kg"
    HABIT_COMPLETIONS = "habit_completions"
    DISTANCE_KM = "distance_km"


# A participant's value is kept as an exact integer in the metric's smallest unit (grams, metres), so equal
# results are equal and a sorted set's scores hold them exactly; the API answers `value / scale`.
SCALE = {
    ChallengeMetric.WORKOUTS: 1,
    ChallengeMetric.MINUTES: 1,
    ChallengeMetric.VOLUME_KG: 1000,
    ChallengeMetric.HABIT_COMPLETIONS: 1,
    ChallengeMetric.DISTANCE_KM: 1000,
}


class BadgeKind(StrEnum):
    FIRST_CHALLENGE = "first_challenge"  # took part in a challenge to its end
    PODIUM = "podium"  # finished first, second or third (with a value above zero)
    STREAK = "streak"  # finished a challenge during a run of four or more weeks with workouts


class Challenge(db.Model):
    """A challenge over `[start_date, end_date]`; `closed_at` is set once, by the job that judges it."""

    __tablename__ = "challenges"
    __table_args__ = (
        CheckConstraint(enum_check("metric", ChallengeMetric), name="metric"),
        CheckConstraint("end_date >= start_date", name="window"),
        Index("ix_challenges_closed_at_end_date", "closed_at", "end_date"),
        Index("ix_challenges_group_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ChallengeParticipant(db.Model):
    """Someone in a challenge with their progress (`value`, in the metric's smallest unit), kept in the same
    transaction as the activity it counts; `final_rank` is fixed when the challenge is closed."""

    __tablename__ = "challenge_participants"
    __table_args__ = (
        Index("ix_challenge_participants_challenge_id_value", "challenge_id", "value", "user_id"),
        Index("ix_challenge_participants_user_id", "user_id"),
    )

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    final_rank: Mapped[int | None] = mapped_column(Integer)


class Badge(db.Model):
    """A badge earned once per person, kind and challenge (`challenge_id` NULL goes with the challenge)."""

    __tablename__ = "badges"
    __table_args__ = (
        CheckConstraint(enum_check("kind", BadgeKind), name="kind"),
        UniqueConstraint("user_id", "kind", "challenge_id", name="uq_badges_user_id_kind_challenge_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenges.id", ondelete="SET NULL"))
    awarded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
