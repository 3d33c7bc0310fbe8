"""Events: what, when and where, who said they would come, and which reminders went out."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.users import enum_check


class RsvpStatus(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"  # asked to go while the event was full: promoted, earliest first, when a seat frees


class ReminderKind(StrEnum):
    DAY = "24h"
    HOUR = "1h"


class Event(db.Model):
    """An event, standalone or a group's (`group_id`). `capacity` NULL is unlimited.

    The row is also the lock every RSVP of the event takes: seats are counted and given under it."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity"),
        Index("ix_events_starts_at_id", "starts_at", "id"),
        Index("ix_events_organizer_id", "organizer_id"),
        Index("ix_events_group_id_starts_at", "group_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(2000))
    capacity: Mapped[int | None]
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventRsvp(db.Model):
    """A person's answer to an event. `asked_at` is when they last asked to go (or said maybe/declined): the
    waitlist's order. The index serves the going count, the waitlist in order and the reminders' look-up."""

    __tablename__ = "event_rsvps"
    __table_args__ = (
        CheckConstraint(enum_check("status", RsvpStatus), name="status"),
        Index("ix_event_rsvps_event_id_status_asked_at", "event_id", "status", "asked_at", "user_id"),
        Index("ix_event_rsvps_user_id", "user_id"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventReminder(db.Model):
    """One row per event, person, reminder and start time: inserting it is what claims the right to remind.

    The start time is part of the key, so an event moved to another time is reminded again for its new time,
    while a pass that read the old time can only claim (and send) the old time's reminder."""

    __tablename__ = "event_reminders"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ReminderKind), name="kind"),
        Index("ix_event_reminders_starts_at", "starts_at"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
