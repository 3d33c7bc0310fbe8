"""Habit reminders: due slots across timezones, periods and month ends; exactly once, even concurrently."""

import threading
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Habit, HabitReminder, Notification
from app.services import habits
from tests.factories import HabitCompletionFactory, HabitFactory


def local(zone: str, *args) -> datetime:
    """An instant given as local wall-clock time in `zone`."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.fixture
def add_habit(app, make_user):
    owners: dict[str, int] = {}

    def adder(zone="UTC", at=time(7, 30), start=date(2026, 1, 1), every=1, action="stretch") -> int:
        if zone not in owners:
            owners[zone] = make_user(timezone=zone)
        with app.app_context():
            return HabitFactory(
                user_id=owners[zone], time=at, action=action, start_date=start, periodicity_days=every
            ).id

    return adder


def remind(app, now) -> int:
    with app.app_context():
        return habits.remind_due_habits(now)


def reminded(app) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(db.select(Notification.target_id, Notification.type).order_by(Notification.id))
        return [(target, kind) for target, kind in rows]


def test_a_habit_is_reminded_at_its_local_time(app, add_habit):
    tokyo = add_habit("Asia/Tokyo", time(7, 30))
    berlin = add_habit("Europe/Berlin", time(7, 30))

    assert remind(app, local("Asia/Tokyo", 2026, 3, 10, 7, 31)) == 1
    assert reminded(app) == [(tokyo, "habit_reminder")]
    assert remind(app, local("Europe/Berlin", 2026, 3, 10, 7, 30)) == 1
    assert reminded(app)[-1] == (berlin, "habit_reminder")


@pytest.mark.parametrize(
    ("hour", "minute", "due"), [(7, 29, False), (7, 30, True), (7, 39, True), (7, 40, False), (12, 0, False)]
)
def test_the_window_is_the_last_ten_minutes(app, add_habit, hour, minute, due):
    add_habit("America/New_York", time(7, 30))

    assert remind(app, local("America/New_York", 2026, 3, 10, hour, minute)) == int(due)


@pytest.mark.parametrize(
    ("day", "due"),
    [(date(2026, 1, 30), True), (date(2026, 1, 31), False), (date(2026, 2, 1), True), (date(2026, 2, 3), True)],
)
def test_periods_count_from_the_start_across_month_ends(app, add_habit, day, due):
    add_habit("UTC", time(9, 0), start=date(2026, 1, 30), every=2)

    assert remind(app, local("UTC", day.year, day.month, day.day, 9, 1)) == int(due)


def test_nothing_before_the_start_date(app, add_habit):
    add_habit("UTC", time(9, 0), start=date(2026, 5, 2))

    assert remind(app, local("UTC", 2026, 5, 1, 9, 1)) == 0


def test_a_window_across_local_midnight_reminds_the_previous_days_slot(app, add_habit):
    habit = add_habit("Australia/Sydney", time(23, 58), start=date(2026, 1, 1), every=2)

    # 00:03 on 4 Jan in Sydney: the 23:58 slot of 3 Jan (a due day: 1 Jan + 2) is still in the window.
    assert remind(app, local("Australia/Sydney", 2026, 1, 4, 0, 3)) == 1
    with app.app_context():
        assert db.session.scalar(db.select(HabitReminder.slot_date).where(HabitReminder.habit_id == habit)) == date(
            2026, 1, 3
        )


def test_a_habit_done_in_the_current_period_is_not_reminded(app, add_habit):
    habit = add_habit("UTC", time(18, 0), start=date(2026, 1, 1), every=3)
    with app.app_context():
        HabitCompletionFactory(habit_id=habit, done_on=date(2026, 1, 7))  # 7 Jan opens a period

    assert remind(app, local("UTC", 2026, 1, 7, 18, 2)) == 0
    assert remind(app, local("UTC", 2026, 1, 10, 18, 2)) == 1  # the next period


def test_running_twice_reminds_once(app, add_habit):
    add_habit("UTC", time(6, 0))
    now = local("UTC", 2026, 4, 1, 6, 5)

    assert (remind(app, now), remind(app, local("UTC", 2026, 4, 1, 6, 8))) == (1, 0)
    assert len(reminded(app)) == 1


def test_two_passes_at_once_remind_once(app_factory, add_habit):
    for n in range(20):
        add_habit("UTC", time(6, 0), action=f"habit {n}")
    now = local("UTC", 2026, 4, 1, 6, 5)
    apps = [app_factory(), app_factory()]
    barrier = threading.Barrier(2)
    results, failures = [], []

    def run(app):
        with app.app_context():
            try:
                barrier.wait(5)
                results.append(habits.remind_due_habits(now))
            except Exception as exc:  # surfaced below
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failures == []
    assert sorted(results) in ([0, 20],) or sum(results) == 20
    assert len(reminded(apps[0])) == 20


def test_editing_a_habit_moves_its_future_reminders_and_deleting_stops_them(app, add_habit):
    habit = add_habit("UTC", time(6, 0))
    with app.app_context():
        db.session.get(Habit, habit).time = time(20, 0)
        db.session.commit()

    assert remind(app, local("UTC", 2026, 4, 1, 6, 5)) == 0
    assert remind(app, local("UTC", 2026, 4, 1, 20, 5)) == 1
    with app.app_context():
        db.session.delete(db.session.get(Habit, habit))
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(HabitReminder)) == 0
    assert remind(app, local("UTC", 2026, 4, 2, 20, 5)) == 0


def test_a_pass_stores_all_reminders_in_bulk_statements(app, add_habit):
    for n in range(40):
        add_habit("Europe/Paris", time(8, 15), action=f"habit {n}")
    statements = []
    with app.app_context():
        listener = lambda conn, cursor, statement, *a: statements.append(statement.split()[:3])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            count = habits.remind_due_habits(local("Europe/Paris", 2026, 6, 1, 8, 20))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    inserts = [s for s in statements if s[0].upper() == "INSERT"]
    assert count == 40
    assert [s[2] for s in inserts] == ["habit_reminders", "notifications", "outbox_jobs"]  # one row pushes all 40


def test_the_operator_command_runs_a_pass(app, add_habit):
    result = app.test_cli_runner().invoke(args=["habits", "remind"])

    assert result.exit_code == 0 and result.output.startswith("sent ")


def test_reminders_reach_a_linked_telegram_chat(app_factory, make_user):
    from tests.telegram.standin import BotAPI

    bot = BotAPI().start()
    try:
        app = app_factory(TELEGRAM_BOT_TOKEN="1:T", TELEGRAM_API_URL=bot.url)
        owner = make_user(timezone="UTC", telegram_chat_id="4242")
        with app.app_context():
            HabitFactory(user_id=owner, time=time(7, 0), action="meditate", place="balcony")
            habits.remind_due_habits(local("UTC", 2026, 2, 2, 7, 1))
    finally:
        bot.stop()

    assert bot.messages() == [{"chat_id": "4242", "text": "Time to meditate at balcony"}]
