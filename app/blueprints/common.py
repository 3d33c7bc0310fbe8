"""What every blueprint shares: the request schema base, bounded ids and dates, date ranges, and pagination over
SQLAlchemy selects."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import available_timezones

import marshmallow as ma
from flask_smorest import Page
from sqlalchemy import Select, func, select
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models.base import MAX_ID

MAX_BIG_ID = 2**63 - 1  # BIGINT keys (notifications)

# Dates a client may send: far enough from years 1 and 9999 that a day, a week or a timezone either side
# (date arithmetic in services and queries) can never overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
_DATE_RANGE_ERROR = f"Must be between {EARLIEST_DATE} and {LATEST_DATE}."
_TIMEZONES = frozenset(available_timezones())


class IdConverter(IntegerConverter):
    """`<int:...>` path parts bounded to a real id: anything else is a 404, never an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.update(min=1, max=MAX_ID)
        super().__init__(map, *args, **kwargs)


class SQLPage(Page):
    """flask-smorest pagination over a `select()`: one COUNT and one page query."""

    collection: Select

    @property
    def item_count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))

    @property
    def items(self) -> list:
        first = self.page_params.first_item
        if first > MAX_ID:
            return []
        return list(db.session.scalars(self.collection.offset(first).limit(self.page_params.page_size)))


def validate_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ma.ValidationError("Not an IANA time zone name (for example Europe/Berlin).")


def validate_birth_date(value: date) -> None:
    today = date.today()
    if value >= today:
        raise ma.ValidationError("Must be a date in the past.")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if not 13 <= age <= 120:
        raise ma.ValidationError("Age must be between 13 and 120.")


class BoundedDate(ma.fields.Date):
    """A date between EARLIEST_DATE and LATEST_DATE (every date a client sends is one)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, ma.validate.Range(min=EARLIEST_DATE, max=LATEST_DATE, error=_DATE_RANGE_ERROR))


class BoundedAwareDateTime(ma.fields.AwareDateTime):
    """An instant between EARLIEST_DATE and LATEST_DATE (UTC), whatever offset it was written with."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        earliest = datetime.combine(EARLIEST_DATE, time.min, UTC)
        latest = datetime.combine(LATEST_DATE, time.max, UTC)
        self.validators.insert(0, ma.validate.Range(min=earliest, max=latest, error=_DATE_RANGE_ERROR))


def validate_local_time(value: time) -> None:
    """Times of day are local to the owner's timezone: an offset would be dropped or misread."""
    if value.tzinfo is not None:
        raise ma.ValidationError("A local time of day (HH:MM) without a UTC offset: it is in your timezone.")


# --- request schemas ------------------------------------------------------------------------------------------


class BaseSchema(ma.Schema):
    """The base of every request schema: a body field the API does not know is a 422 naming it, not dropped.

    Query strings are loaded by webargs with `unknown=EXCLUDE` whatever the schema says, so an unknown query
    argument is ignored, as before. Output-only schemas may stay plain `ma.Schema`."""

    class Meta:
        unknown = ma.RAISE


class Id(ma.fields.Integer):
    """A row id: 1 to MAX_ID (a PostgreSQL integer); a larger one cannot exist and must not reach the database."""

    maximum = MAX_ID

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, ma.validate.Range(min=1, max=self.maximum))


class BigId(Id):
    """The id of a BIGINT key (notifications)."""

    maximum = MAX_BIG_ID


class DateRangeSchema(BaseSchema):
    """Two bounds, dates or instants, named in `range_fields`: the end may not be before the start, nor more than
    `max_days_after` days after it. The error names the end as the client wrote it (its data_key)."""

    range_fields: ClassVar[tuple[str, str]] = ("date_from", "date_to")
    max_days_after: ClassVar[int | None] = None

    def range_bounds(self, data: dict) -> tuple[Any, Any]:
        """The bounds to check: those sent (a subclass with defaults answers the defaulted ones)."""
        start, end = self.range_fields
        return data.get(start), data.get(end)

    @ma.validates_schema
    def _check_range(self, data: dict, **kwargs) -> None:
        start, end = self.range_bounds(data)
        if start is None or end is None:
            return
        start_key, end_key = (self.fields[name].data_key or name for name in self.range_fields)
        if end < start:
            raise ma.ValidationError(f"Must not be before {start_key}.", end_key)
        if self.max_days_after is not None and end - start > timedelta(days=self.max_days_after):
            raise ma.ValidationError(f"Must be at most {self.max_days_after} days after {start_key}.", end_key)
