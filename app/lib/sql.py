"""SQL that reads the same on PostgreSQL and SQLite: what differs between the two is decided here, once."""

import time
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Date, Engine, Select, String, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db


def is_postgresql() -> bool:
    """Whether the session's database is PostgreSQL (else SQLite, the embedded one)."""
    return db.session.get_bind().dialect.name == "postgresql"


def ping_after_idle(engine: Engine, seconds: float) -> None:
    """Check a pooled connection with `SELECT 1` only when it comes back from more than `seconds` idle, and
    replace it if the server dropped it (a restart, an idle timeout). A busy pool skips the round trip that
    `pool_pre_ping` adds to every request; a connection that dies while busy fails its request with a 503
    and the pool starts afresh (SQLAlchemy drops every older connection on a disconnect)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return  # new, or used a moment ago
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as error:  # noqa: BLE001 - any failure: let the pool connect afresh
            raise DisconnectionError(f"pooled connection is gone: {error}") from error


def insert_ignore(target, *, conflict_on: Sequence[str]) -> Insert:
    """`INSERT … ON CONFLICT (conflict_on) DO NOTHING` into a model or table; add `.values()`, and `.returning()`
    to get back only the rows this statement inserted. A unique key claimed this way is claimed once."""
    insert = postgresql.insert if is_postgresql() else sqlite.insert
    return insert(target).on_conflict_do_nothing(index_elements=list(conflict_on))


class utc_date(FunctionElement):  # noqa: N801 - reads like the SQL function it renders
    """The UTC calendar date of a timestamp, on SQLite and PostgreSQL alike."""

    type = Date()
    inherit_cache = True


@compiles(utc_date)
def _utc_date(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"  # SQLite stores UTC timestamps as text


@compiles(utc_date, "postgresql")
def _utc_date_pg(element, compiler, **kw):
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


class iso_date(FunctionElement):  # noqa: N801
    """A date as `YYYY-MM-DD` text, on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True


@compiles(iso_date)
def _iso_date(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"  # SQLite stores dates as ISO text


@compiles(iso_date, "postgresql")
def _iso_date_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


class week_start(FunctionElement):  # noqa: N801
    """The Monday on or before a date (the SQL twin of `app.lib.dates.week_start`)."""

    type = Date()
    inherit_cache = True


@compiles(week_start)
def _week_start(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


@compiles(week_start, "postgresql")
def _week_start_pg(element, compiler, **kw):
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


# A search's matches are sorted whole up to this many; past it, its page walks the sort column's index instead.
SORTED_UP_TO = 1_000


def search_order(matches: Select, column: ColumnElement) -> ColumnElement:
    """The order of a search's page, by a lower-cased `column` (an indexed column whose values are lower-cased,
    so both orders are the same), chosen by counting the matches up to SORTED_UP_TO + 1 (through the trigram
    indexes): a few are found through those indexes and sorted, by `lower(column)`, which no index provides; many
    are met early in a walk of `column`'s index, so it is ordered by `column` itself. The planner's own estimate
    of a LIKE is too rough to choose: a wrong guess walked a whole index (1.2 s at 300,000 people), and sorting
    every match cost 190 ms when 150,000 of 1,000,000 people matched."""
    counted = select(func.count()).select_from(matches.order_by(None).limit(SORTED_UP_TO + 1).subquery())
    return column if db.session.scalar(counted) > SORTED_UP_TO else func.lower(column)
