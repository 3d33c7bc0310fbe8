"""Dates as a person lives them: their local now, today and week, in the timezone of their profile.

Weeks are ISO weeks: they start on Monday.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.models import User
from app.models.base import utcnow


def local_now(timezone: str, now: datetime | None = None) -> datetime:
    """`now` (default: the current instant) on the clocks of `timezone` (an IANA name)."""
    return (now or utcnow()).astimezone(ZoneInfo(timezone))


def local_today(user: User, now: datetime | None = None) -> date:
    """The date it is for `user` at `now`, in their timezone."""
    return local_now(user.timezone, now).date()


def week_start(day: date) -> date:
    """The Monday that starts the ISO week of `day`."""
    return day - timedelta(days=day.weekday())


def local_week_start(user: User, now: datetime | None = None) -> date:
    """The Monday of the week it is for `user` at `now`, in their timezone."""
    return week_start(local_today(user, now))


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant `day` begins on the clocks of `zone`."""
    return datetime.combine(day, time.min, tzinfo=zone)
