"""What every blueprint shares: pagination over SQLAlchemy selects, bounded ids, field validators."""

from datetime import date
from zoneinfo import available_timezones

import marshmallow as ma
from flask_smorest import Page
from sqlalchemy import Select, func, select
from werkzeug.routing import IntegerConverter

from app.extensions import db

MAX_ID = 2**31 - 1  # PostgreSQL integer; larger ids cannot exist and must not reach the database
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


Id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))
