"""What every blueprint shares: the Blueprint class, the request schema base, bounded ids and dates, date ranges, and
the two kinds of lists: page lists (`SQLPage`: `?page=&page_size=`, totals in `X-Pagination`) and keyset timelines
(`Keyset`: `?cursor=&limit=` → `{items, next_cursor}` with an opaque, signed cursor), and ranked lists paged
the same way (`Ranked`: the cursor carries an offset)."""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, ClassVar
from zoneinfo import available_timezones

import flask_smorest
import marshmallow as ma
import phonenumbers
from flask import current_app
from flask_smorest import Page, abort
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Select, TypeDecorator, func, select, tuple_
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models.base import MAX_ID
from app.pages import PAGES_REACH, TOTAL_COUNTED_UP_TO, PageMetadataSchema

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


_BEYOND_REACH = f"Pages reach the first {PAGES_REACH:,} items of a list; narrow it with its filters."


class SQLPage(Page):
    """flask-smorest pagination over a `select()`: the page (one row more, to know whether another follows), and a
    COUNT only when the page cannot tell the total. A page with no row after it is the last one, so the total is
    the rows before it plus its own: most people's lists fit one page and cost one statement. Otherwise a COUNT
    over at most TOTAL_COUNTED_UP_TO + 1 rows tells the total, or that there are more than that (a window
    `count(*) OVER ()` would save the statement, but it reads every row of the list on every page)."""

    collection: Select

    def __init__(self, collection: Select, page_params) -> None:
        self.collection = collection
        self.page_params = page_params
        self._items, page_params.item_count, page_params.total_is_exact, page_params.has_next = self._page()

    @property
    def items(self) -> list:
        return self._items

    @property
    def item_count(self) -> int:
        return self.page_params.item_count

    def _page(self) -> tuple[list, int, bool, bool]:
        first, size = self.page_params.first_item, self.page_params.page_size
        if first >= PAGES_REACH:
            abort(422, message=_BEYOND_REACH, errors={"query": {"page": [_BEYOND_REACH]}})
        rows = list(db.session.scalars(self.collection.offset(first).limit(size + 1)))
        items, has_next = rows[:size], len(rows) > size
        if not has_next and (items or first == 0):
            return items, first + len(items), True, False
        counted = self._count()
        if counted <= TOTAL_COUNTED_UP_TO:
            return items, counted, True, has_next
        return items, max(TOTAL_COUNTED_UP_TO, first + len(items)), False, has_next

    def _count(self) -> int:
        """The list's length, counting no further than one past TOTAL_COUNTED_UP_TO."""
        counted = self.collection.order_by(None).limit(TOTAL_COUNTED_UP_TO + 1).subquery()
        return db.session.scalar(select(func.count()).select_from(counted))


def page_metadata(params) -> dict:
    """`X-Pagination` of a page `SQLPage` answered: flask-smorest's metadata, told only what is known when the
    total is not exact, and `next_page` only while it is within reach."""
    page, size, total = params.page, params.page_size, params.item_count
    if params.total_is_exact:
        metadata = Blueprint._make_pagination_metadata(page, size, total)
    else:
        metadata = {"total": total, "first_page": 1, "page": page}
        if page > 1:
            metadata["previous_page"] = page - 1
        if params.has_next:
            metadata["next_page"] = page + 1
    if "next_page" in metadata and page * size >= PAGES_REACH:
        del metadata["next_page"]
    metadata["total_is_exact"] = params.total_is_exact
    return PageMetadataSchema().dump(metadata)


class Blueprint(flask_smorest.Blueprint):
    """Every domain's blueprint: flask-smorest's, with `X-Pagination` as `SQLPage` counts it."""

    def _set_pagination_metadata(self, page_params, result, headers):
        headers = {} if headers is None else headers
        headers[self.PAGINATION_HEADER_NAME] = json.dumps(page_metadata(page_params))
        return result, headers


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


MAX_PHONE_LENGTH = 32  # as written: E.164's 15 digits with room for spaces, dashes and brackets
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()./-]+")
_NOT_A_PHONE_NUMBER = "Not a valid phone number."


class PhoneNumber(ma.fields.String):
    """A phone number as people write it (`+49 30 1234-5678`; `030 12345678` when PHONE_DEFAULT_REGION is DE),
    loaded as E.164 (`+493012345678`): digits, spaces and `+ ( ) . - /` only (no letters, no extension), a number
    `phonenumbers` knows to be valid for its country."""

    def __init__(self, **kwargs):
        description = (
            "E.164 (`+493012345678`). Sent with spaces, dashes or brackets if you like; without a leading `+` it is "
            "read in the server's PHONE_DEFAULT_REGION, and refused when none is set. Null clears it."
        )
        kwargs.setdefault("metadata", {"description": description})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(text) > MAX_PHONE_LENGTH:
            raise ma.ValidationError(f"At most {MAX_PHONE_LENGTH} characters.")
        if not _PHONE_CHARACTERS.fullmatch(text):
            raise ma.ValidationError("Digits, spaces and + ( ) . - / only, for example +49 30 12345678.")
        region = current_app.config.get("PHONE_DEFAULT_REGION")
        if not (text.startswith("+") or region):
            raise ma.ValidationError("Start with + and the country code, for example +49 30 12345678.")
        try:
            number = phonenumbers.parse(text, region.upper() if region else None)
        except phonenumbers.NumberParseException:
            raise ma.ValidationError(_NOT_A_PHONE_NUMBER) from None
        if not phonenumbers.is_valid_number(number):
            raise ma.ValidationError(_NOT_A_PHONE_NUMBER)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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


# --- keyset timelines -----------------------------------------------------------------------------------------

TIMELINE_LIMIT = 20
TIMELINE_MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 500
BAD_CURSOR = "Not a cursor this list gave out; start again without one."
_CURSOR_SALT = "cursor"


@dataclass(frozen=True)
class Cursor:
    """Where a timeline's next page starts: strictly past `position` (the sort key of the last item answered)."""

    position: tuple
    is_descending: bool


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_CURSOR_SALT)


class Keyset:
    """A timeline's unique sort key, e.g. `Keyset("feed", Post.created_at, Post.id)` (with an index on it), and
    its cursors.

    A cursor is the key of the last item answered, named after its timeline and signed with SECRET_KEY: a client
    can neither forge a position nor carry a cursor to another list, and every bad one is a 422 naming `cursor`.
    Pages never shift under inserts: the next one continues strictly past the key."""

    def __init__(self, name: str, *columns, attributes: tuple[str, ...] | None = None):
        self.name = name
        self.columns = columns
        # Where each key value is read on an item: the columns' own names, unless the list's items are another
        # model than the keyed table (the feed keys its index's columns and answers posts).
        self.attributes = attributes or tuple(column.key for column in columns)

    def page(self, query: Select, *, cursor: Cursor | None, limit: int, is_descending: bool = True) -> dict:
        """`{items, next_cursor}`: up to `limit` rows of `query` past `cursor`, in the cursor's direction (or
        `is_descending` on the first page); `next_cursor` is None when nothing follows."""
        if cursor is not None:
            is_descending = cursor.is_descending
            query = query.where(self._past(cursor))
        order = [column.desc() if is_descending else column.asc() for column in self.columns]
        items = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
        has_more = len(items) > limit
        items = items[:limit]
        return {"items": items, "next_cursor": self.encode(items[-1], is_descending) if has_more else None}

    def pager(self, args: dict, *, is_descending: bool = True) -> Callable[[Select], dict]:
        """What a service calls to page its query as a timeline's query arguments (`cursor`, `limit`) ask."""
        return lambda query: self.page(
            query, cursor=args.get("cursor"), limit=args["limit"], is_descending=is_descending
        )

    def _past(self, cursor: Cursor):
        if len(self.columns) == 1:
            (column,), (value,) = self.columns, cursor.position
            return column < value if cursor.is_descending else column > value
        key = tuple_(*self.columns)
        return key < cursor.position if cursor.is_descending else key > cursor.position

    def encode(self, item, is_descending: bool) -> str:
        position = [getattr(item, attribute) for attribute in self.attributes]
        payload = [self.name, "<" if is_descending else ">"]
        payload += [value.isoformat() if isinstance(value, date) else value for value in position]
        return _serializer().dumps(payload)

    def decode(self, token: str) -> Cursor:
        """The cursor `token` stands for; `ma.ValidationError` when it is not one this timeline gave out."""
        try:
            payload = _serializer().loads(token)
        except BadData:
            raise ma.ValidationError(BAD_CURSOR) from None
        if not (
            isinstance(payload, list)
            and len(payload) == 2 + len(self.columns)
            and payload[0] == self.name
            and payload[1] in ("<", ">")
        ):
            raise ma.ValidationError(BAD_CURSOR)
        try:
            position = tuple(_key_value(column, value) for column, value in zip(self.columns, payload[2:], strict=True))
        except (TypeError, ValueError):
            raise ma.ValidationError(BAD_CURSOR) from None
        return Cursor(position, payload[1] == "<")


def _key_value(column, value):
    """A sort-key value back from its JSON form (dates and instants travel as ISO strings)."""
    sql_type = column.type
    while isinstance(sql_type, TypeDecorator):  # e.g. UTCDateTime, whose own python_type says only `object`
        sql_type = sql_type.impl_instance
    kind = sql_type.python_type
    if kind in (date, datetime) and isinstance(value, str):
        value = kind.fromisoformat(value)
    if not isinstance(value, kind):
        raise TypeError(f"{column.key}: {type(value).__name__} is not {kind.__name__}")
    return value


class Ranked:
    """A ranked list's pages (search results), answered like a timeline's: `?cursor=&limit=` → `{items,
    next_cursor}`. A rank is no unique key a page could continue past, so the cursor carries the next page's
    offset, signed like a timeline's and named after its list and the question it answers (`scope`, e.g. the
    search words): a client can neither forge an offset nor carry a cursor to another list or question, and every
    bad one is a 422 naming `cursor`. Paging stops at `max_offset`: ranking deeper costs the database more and
    more for results nobody reads."""

    def __init__(self, name: str, *, max_offset: int):
        self.name = name
        self.max_offset = max_offset

    def page(self, query: Select, *, offset: int, limit: int, scope: str) -> dict:
        """`{items, next_cursor}`: up to `limit` rows of the ordered `query` from `offset`."""
        items = list(db.session.scalars(query.offset(offset).limit(limit + 1)))
        following = offset + limit
        has_more = len(items) > limit and following <= self.max_offset
        return {"items": items[:limit], "next_cursor": self.encode(following, scope) if has_more else None}

    def pager(self, args: dict) -> Callable[[Select], dict]:
        """What a service calls to page its ordered query as the list's loaded arguments ask: `offset` (0, or what
        `cursor` stood for), `limit` and the `scope` the cursor was checked against."""
        return lambda query: self.page(query, offset=args["offset"], limit=args["limit"], scope=args["scope"])

    def encode(self, offset: int, scope: str) -> str:
        return _serializer().dumps([self.name, _digest(scope), offset])

    def decode(self, token: str, scope: str) -> int:
        """The offset `token` stands for; `ma.ValidationError` when this list did not give it out for `scope`."""
        try:
            payload = _serializer().loads(token)
        except BadData:
            raise ma.ValidationError(BAD_CURSOR) from None
        if not (isinstance(payload, list) and len(payload) == 3 and payload[:2] == [self.name, _digest(scope)]):
            raise ma.ValidationError(BAD_CURSOR)
        offset = payload[2]
        if type(offset) is not int or not 0 <= offset <= self.max_offset:
            raise ma.ValidationError(BAD_CURSOR)
        return offset


def _digest(scope: str) -> str:
    """A short fingerprint of what a ranked cursor answers (the words themselves would make long cursors)."""
    return hashlib.blake2b(scope.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


class TimelineArgsSchema(BaseSchema):
    """`?cursor=&limit=` of every timeline; a subclass names its `keyset` and may add filters."""

    keyset: ClassVar[Keyset]

    cursor = ma.fields.String(
        validate=ma.validate.Length(min=1, max=MAX_CURSOR_LENGTH, error=BAD_CURSOR),
        metadata={"description": "Opaque: the `next_cursor` of the previous page, as it was answered."},
    )
    limit = ma.fields.Integer(
        load_default=TIMELINE_LIMIT,
        validate=ma.validate.Range(min=1, max=TIMELINE_MAX_LIMIT),
        metadata={"description": f"Items per page (at most {TIMELINE_MAX_LIMIT})."},
    )

    @ma.post_load
    def _open_cursor(self, data: dict, **kwargs) -> dict:
        if "cursor" in data:
            try:
                data["cursor"] = self.keyset.decode(data["cursor"])
            except ma.ValidationError as error:
                raise ma.ValidationError(error.messages, "cursor") from None
        return data


@cache
def timeline_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The answer of a timeline of `item_schema`: `{items, next_cursor}` (`NotificationSchema` → `NotificationPage`)."""
    fields = {
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "next_cursor": ma.fields.String(
            allow_none=True,
            metadata={"description": "Pass back as `cursor` for the next page; null when there is none (yet)."},
        ),
    }
    return ma.Schema.from_dict(fields, name=item_schema.__name__.removesuffix("Schema") + "PageSchema")


def not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")
