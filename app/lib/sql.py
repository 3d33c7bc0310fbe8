"""SQL that reads the same on PostgreSQL and SQLite: what differs between the two is decided here, once."""

from collections.abc import Sequence

from sqlalchemy import Date, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db


def is_postgresql() -> bool:
    """Whether the session's database is PostgreSQL (else SQLite, the embedded one)."""
    return db.session.get_bind().dialect.name == "postgresql"


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
