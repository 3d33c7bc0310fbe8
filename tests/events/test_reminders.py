"""Event reminders, 24 hours and 1 hour before the start, to the people going and the organizer: exactly once per
person, reminder and start time, even run twice or by two schedulers at once; a moved event is reminded again."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.events import remind_events
from app.models import Event, EventReminder, EventRsvp, Notification, NotificationType, RsvpStatus, User
from app.models.base import utcnow
from app.services import event_reminders
from tests.factories.events import EventFactory, EventRsvpFactory
from tests.factories.friends import block

START = datetime(2031, 5, 10, 18, 0, tzinfo=UTC)  # every pass is given its `now`: no clock involved


@pytest.fixture
def gathering(app, folk) -> int:
    """ann organises an event at START: bob is going, cat maybe, dan waitlisted."""
    with app.app_context():
        event = EventFactory(
            organizer_id=folk["ann"], title="Track night", starts_at=START, ends_at=START + timedelta(hours=2)
        )
        EventRsvpFactory(event_id=event.id, user_id=folk["bob"], status=RsvpStatus.GOING)
        EventRsvpFactory(event_id=event.id, user_id=folk["cat"], status=RsvpStatus.MAYBE)
        EventRsvpFactory(event_id=event.id, user_id=folk["dan"], status=RsvpStatus.WAITLISTED)
        return event.id


def remind(app, now: datetime) -> int:
    with app.app_context():
        return event_reminders.remind_due_events(now)


def reminded(app, folk) -> list[tuple[str, str, str]]:
    """(recipient, reminder kind, message) of every event notification, oldest first."""
    names = {user_id: name for name, user_id in folk.items()}
    with app.app_context():
        rows = db.session.execute(
            select(Notification.recipient_id, Notification.data, Notification.message)
            .filter_by(type=NotificationType.EVENT)
            .order_by(Notification.id)
        )
        return [(names[recipient], data["reminder"], message) for recipient, data, message in rows]


def test_the_day_before_the_people_going_and_the_organizer_are_reminded(app, folk, gathering):
    assert remind(app, START - timedelta(hours=25)) == 0
    assert remind(app, START - timedelta(hours=24)) == 2

    message = "Reminder: Track night starts at 18:00 UTC on 2031-05-10."
    assert sorted(reminded(app, folk)) == [("ann", "24h", message), ("bob", "24h", message)]


def test_each_reminder_goes_once_however_many_passes_run(app, folk, gathering):
    counts = [
        remind(app, START - timedelta(hours=hours, minutes=minutes)) for hours, minutes in [(24, 0), (23, 59), (12, 0)]
    ]
    counts += [remind(app, START - timedelta(minutes=minutes)) for minutes in (60, 59, 30, 1)]

    assert counts == [2, 0, 0, 2, 0, 0, 0]
    assert sorted((name, kind) for name, kind, _ in reminded(app, folk)) == [
        ("ann", "1h"),
        ("ann", "24h"),
        ("bob", "1h"),
        ("bob", "24h"),
    ]


def test_nothing_once_the_event_has_started(app, folk, gathering):
    assert remind(app, START) == 0
    assert remind(app, START + timedelta(minutes=30)) == 0


def test_a_missed_day_reminder_still_goes_until_the_hour_reminder_is_due(app, folk, gathering):
    assert remind(app, START - timedelta(hours=3)) == 2  # the scheduler was down for 21 hours
    assert remind(app, START - timedelta(minutes=50)) == 2

    assert [kind for name, kind, _ in reminded(app, folk) if name == "bob"] == ["24h", "1h"]


def test_someone_going_late_gets_the_reminder_they_are_within(app, folk, gathering):
    remind(app, START - timedelta(hours=24))
    with app.app_context():
        db.session.get(EventRsvp, (gathering, folk["cat"])).status = RsvpStatus.GOING  # maybe → going
        db.session.commit()

    assert remind(app, START - timedelta(hours=5)) == 1
    assert reminded(app, folk)[-1][:2] == ("cat", "24h")


def test_a_moved_event_is_reminded_again_for_its_new_time(app, folk, gathering):
    assert remind(app, START - timedelta(hours=24)) == 2
    moved = START + timedelta(days=1)
    with app.app_context():
        event = db.session.get(Event, gathering)
        event.starts_at, event.ends_at = moved, moved + timedelta(hours=2)
        db.session.commit()

    assert remind(app, START - timedelta(hours=23)) == 0  # a day away again: not due yet
    assert remind(app, moved - timedelta(hours=24)) == 2
    assert remind(app, moved - timedelta(hours=1)) == 2
    assert [message for name, _, message in reminded(app, folk) if name == "bob"][1:] == [
        "Reminder: Track night starts at 18:00 UTC on 2031-05-11."
    ] * 2


def test_people_blocked_either_way_or_inactive_are_not_reminded(app, folk, gathering, make_user):
    eve = make_user(username="eve")
    folk["eve"] = eve
    with app.app_context():
        db.session.get(EventRsvp, (gathering, folk["cat"])).status = RsvpStatus.GOING
        db.session.get(EventRsvp, (gathering, folk["dan"])).status = RsvpStatus.GOING
        db.session.get(User, folk["dan"]).deactivated_at = utcnow()
        db.session.commit()
        EventRsvpFactory(event_id=gathering, user_id=eve)
        block(folk["cat"], folk["ann"])
        block(folk["ann"], eve)

    assert remind(app, START - timedelta(hours=24)) == 2
    assert sorted(name for name, _, _ in reminded(app, folk)) == ["ann", "bob"]


def test_an_inactive_organizers_event_reminds_nobody(app, folk, gathering):
    with app.app_context():
        db.session.get(User, folk["ann"]).deleted_at = utcnow()
        db.session.commit()

    assert remind(app, START - timedelta(hours=24)) == 0


def test_two_schedulers_at_once_remind_once(app_factory, folk):
    with app_factory().app_context():
        for _ in range(15):
            event = EventFactory(organizer_id=folk["ann"], starts_at=START, ends_at=START + timedelta(hours=1))
            for name in ("bob", "cat", "dan"):
                EventRsvpFactory(event_id=event.id, user_id=folk[name])
    now = START - timedelta(hours=23)
    apps = [app_factory(), app_factory()]
    barrier = threading.Barrier(2)
    results, failures = [], []

    def run(app):
        with app.app_context():
            try:
                barrier.wait(5)
                results.append(event_reminders.remind_due_events(now))
            except Exception as exc:  # noqa: BLE001 - surfaced below
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failures == []
    assert sum(results) == 15 * 4
    with apps[0].app_context():
        sent = db.session.execute(
            select(Notification.recipient_id, Notification.target_id, func.count())
            .filter_by(type=NotificationType.EVENT)
            .group_by(Notification.recipient_id, Notification.target_id)
        ).all()
    assert len(sent) == 15 * 4 and {count for _, _, count in sent} == {1}


def test_a_pass_stores_its_reminders_in_bulk_statements(app, folk):
    with app.app_context():
        for _ in range(10):
            event = EventFactory(organizer_id=folk["ann"], starts_at=START, ends_at=START + timedelta(hours=1))
            EventRsvpFactory(event_id=event.id, user_id=folk["bob"])
    statements = []
    with app.app_context():
        listener = lambda conn, cursor, statement, *a: statements.append(statement.split()[:3])  # noqa: E731
        sql_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert event_reminders.remind_due_events(START - timedelta(minutes=30)) == 20
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", listener)

    inserts = [s[2] for s in statements if s[0].upper() == "INSERT"]
    assert inserts == ["event_reminders", "notifications", "outbox_jobs"]  # the live push of all 20: one row


def test_old_claims_are_pruned(app, folk, gathering):
    remind(app, START - timedelta(hours=1))
    remind(app, START + timedelta(days=2))

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventReminder)) == 0


def test_the_periodic_job_runs_a_pass_and_records_it(app, folk):
    with app.app_context():
        now = utcnow()
        event = EventFactory(
            organizer_id=folk["ann"], starts_at=now + timedelta(minutes=30), ends_at=now + timedelta(hours=1)
        )
        EventRsvpFactory(event_id=event.id, user_id=folk["bob"])
        assert remind_events() == 2
        assert remind_events() == 0

    result = app.test_cli_runner().invoke(args=["jobs", "run", "remind_events"])
    assert result.exit_code == 0 and result.output.strip().endswith(": 0")
