"""SQL helpers that behave alike on SQLite and PostgreSQL (the suite runs on both)."""

from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import Date, func, literal, select

from app.lib import dates
from app.lib.sql import insert_ignore, utc_date, week_start
from app.models import Habit, HabitReminder, UserStats
from app.models.base import UTCDateTime
from tests.factories import UserFactory


def test_insert_ignore_inserts_a_row_once(db):
    user_id = UserFactory().id

    for _ in range(2):
        db.session.execute(insert_ignore(UserStats, conflict_on=["user_id"]).values(user_id=user_id))
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(UserStats).where(UserStats.user_id == user_id)) == 1


def test_insert_ignore_returns_only_the_rows_it_inserted(db):
    habit = Habit(user_id=UserFactory().id, action="stretch", time=time(7, 30), start_date=date(2026, 1, 1))
    db.session.add(habit)
    db.session.commit()
    table = HabitReminder.__table__
    sent_at = datetime(2026, 1, 2, tzinfo=UTC)

    def claim(*days: date) -> list[date]:
        rows = [{"habit_id": habit.id, "slot_date": day, "sent_at": sent_at} for day in days]
        statement = (
            insert_ignore(table, conflict_on=["habit_id", "slot_date"]).values(rows).returning(table.c.slot_date)
        )
        return sorted(db.session.scalars(statement))

    assert claim(date(2026, 1, 1), date(2026, 1, 2)) == [date(2026, 1, 1), date(2026, 1, 2)]
    assert claim(date(2026, 1, 2), date(2026, 1, 3)) == [date(2026, 1, 3)]  # the 2nd was already claimed
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(table).where(table.c.habit_id == habit.id)) == 3


def test_week_start_in_sql_agrees_with_python(db):
    days = [date(2026, 12, 24) + timedelta(days=n) for n in range(14)]  # across a year end, every weekday

    in_sql = [db.session.scalar(select(week_start(literal(day, Date)))) for day in days]

    assert in_sql == [dates.week_start(day) for day in days]


def test_utc_date_is_the_calendar_date_in_utc(db):
    late_evening_in_new_york = datetime(2026, 11, 22, 21, 30, tzinfo=timezone(timedelta(hours=-5)))

    assert db.session.scalar(select(utc_date(literal(late_evening_in_new_york, UTCDateTime)))) == date(2026, 11, 23)
