"""A person's local now, today and week, whatever their timezone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.lib.dates import local_now, local_today, local_week_start, start_of_day, week_start
from app.models import User


def person(zone: str) -> User:
    return User(timezone=zone)


def test_one_instant_is_three_dates_across_the_date_line():
    now = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)

    assert local_today(person("Pacific/Kiritimati"), now) == date(2026, 11, 23)  # UTC+14: already tomorrow
    assert local_today(person("UTC"), now) == date(2026, 11, 22)
    assert local_today(person("Pacific/Pago_Pago"), now) == date(2026, 11, 21)  # UTC-11: still yesterday


def test_local_now_keeps_the_instant_and_shows_the_wall_clock():
    now = datetime(2026, 7, 1, 22, 15, tzinfo=UTC)

    berlin = local_now("Europe/Berlin", now)

    assert berlin == now
    assert (berlin.date(), berlin.hour, berlin.minute) == (date(2026, 7, 2), 0, 15)  # summer time, UTC+2


def test_local_today_defaults_to_the_current_instant():
    zone = "Asia/Tokyo"
    before = datetime.now(ZoneInfo(zone)).date()

    today = local_today(person(zone))

    assert before <= today <= datetime.now(ZoneInfo(zone)).date()


def test_a_sunday_belongs_to_the_week_begun_on_monday():
    assert week_start(date(2026, 11, 22)) == date(2026, 11, 16)  # Sunday
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)  # Monday starts its own week
    assert week_start(date(2027, 1, 1)) == date(2026, 12, 28)  # ISO week 53 of 2026 crosses the year


def test_the_week_is_the_one_it_is_where_the_person_lives():
    sunday_evening_utc = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # already Monday morning in Tokyo

    assert local_week_start(person("UTC"), sunday_evening_utc) == date(2026, 11, 16)
    assert local_week_start(person("Asia/Tokyo"), sunday_evening_utc) == date(2026, 11, 23)


def test_a_day_starts_at_local_midnight_even_when_the_clocks_change():
    berlin = ZoneInfo("Europe/Berlin")

    assert start_of_day(date(2026, 3, 29), berlin) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # winter time
    assert start_of_day(date(2026, 3, 30), berlin) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # summer time
