"""notify(): bulk storage, delivery after commit, channel preferences and quiet hours; announcements."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Notification, NotificationPreferences, NotificationType, User
from app.models.base import utcnow
from app.queueing import on_commit
from app.services import notifications
from app.services.notifications import _Recipient


@pytest.fixture
def mailed(monkeypatch):
    """Capture the emails that leave (after the commit), instead of queueing them."""
    sent = []
    monkeypatch.setattr(notifications.mail, "send_after_commit", lambda email: on_commit(lambda: sent.append(email)))
    return sent


def count_inserts(engine):
    statements = []

    def listener(conn, cursor, statement, *args):
        if "INSERT INTO NOTIFICATIONS" in statement.upper():  # also inside a WITH
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    return statements, lambda: event.remove(engine, "before_cursor_execute", listener)


def test_many_recipients_are_stored_in_one_statement_and_pushed_after_commit(app, make_user, emitted):
    ids = [make_user() for _ in range(30)]
    with app.app_context():
        inserts, stop = count_inserts(db.engine)
        try:
            stored = notifications.notify(ids, NotificationType.SYSTEM, "Gym closes early today")
            assert emitted == []  # nothing leaves before the commit
            db.session.commit()
        finally:
            stop()

    assert len(stored) == 30 and len(inserts) == 1
    pushed = [(user_id, payload["message"]) for user_id, name, payload in emitted if name == "notification"]
    assert sorted(pushed) == sorted((i, "Gym closes early today") for i in ids)
    counts = {user_id: payload["count"] for user_id, name, payload in emitted if name == "unread_count"}
    assert set(counts.values()) == {1}


def test_a_person_told_several_things_at_once_gets_each_then_one_unread_count(app, make_user, emitted):
    person, others = make_user(), [make_user() for _ in range(3)]
    with app.app_context():
        source = db.select(
            db.literal(person).label("recipient_id"),
            (db.literal("Goal #") + db.cast(User.id, db.String)).label("message"),
            db.literal("goal").label("target_type"),
            User.id.label("target_id"),
        ).where(User.id.in_(others))
        told = notifications.notify_from(NotificationType.GOAL_EXPIRED, source)
        db.session.commit()

    assert told == 3
    names = [name for user_id, name, _ in emitted if user_id == person]
    assert names == ["notification"] * 3 + ["unread_count"]
    assert sorted(p["target_id"] for _, name, p in emitted if name == "notification") == sorted(others)
    assert emitted[-1][2] == {"count": 3}


def test_nothing_is_pushed_or_mailed_when_the_transaction_rolls_back(app, user, emitted, mailed):
    with app.app_context():
        notifications.notify([user], NotificationType.SYSTEM, "never happened")
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 0

    assert emitted == [] and mailed == []


def test_inactive_and_deleted_people_are_not_notified(app, make_user, emitted):
    active = make_user()
    gone = make_user(deleted_at=utcnow())
    off = make_user(deactivated_at=utcnow())
    with app.app_context():
        stored = notifications.notify([active, gone, off], NotificationType.SYSTEM, "hello")
        db.session.commit()

        assert [n["recipient_id"] for n in stored] == [active]


def test_preferences_default_to_in_app_everywhere_and_email_for_system_notices(client, auth_headers):
    prefs = client.get("/api/v1/notifications/preferences/", headers=auth_headers).json

    assert prefs["quiet_hours"] is None
    assert prefs["channels"]["system"] == {"in_app": True, "email": True, "telegram": False}
    assert prefs["channels"]["comment"] == {"in_app": True, "email": False, "telegram": False}
    assert set(prefs["channels"]) == {str(t) for t in NotificationType}


def test_preferences_choose_channels_per_type(app, client, auth_headers, user, emitted, mailed):
    body = {"channels": {"system": {"email": False}, "comment": {"in_app": False, "email": True}}}
    saved = client.put("/api/v1/notifications/preferences/", json=body, headers=auth_headers).json
    assert saved["channels"]["system"] == {"in_app": True, "email": False, "telegram": False}

    with app.app_context():
        notifications.notify([user], NotificationType.SYSTEM, "sys")
        notifications.notify([user], NotificationType.COMMENT, "a comment")
        db.session.commit()
        stored = db.session.scalars(db.select(Notification.type)).all()

    assert stored == ["system"]  # comments are not kept in-app any more
    assert [email.text.strip() for email in mailed] == ["a comment"]


@pytest.mark.parametrize(
    "body",
    [
        {"channels": {"gossip": {"email": True}}},
        {"channels": {"system": {"pigeon": True}}},
        {"quiet_hours": {"start": "22:00"}},
        {"quiet_hours": {"start": "25:00", "end": "07:00"}},
        {"quiet_hours": {"start": "07:00", "end": "07:00"}},
    ],
)
def test_preferences_are_validated(client, auth_headers, body):
    response = client.put("/api/v1/notifications/preferences/", json=body, headers=auth_headers)

    assert response.status_code == 422
    assert response.json["errors"]["json"]


def test_quiet_hours_silence_email_but_not_the_inbox(app, client, auth_headers, user, mailed):
    client.patch("/api/v1/profile/", json={"timezone": "Asia/Tokyo"}, headers=auth_headers)
    now_tokyo = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    start = time((now_tokyo.hour - 1) % 24, 0)
    end = time((now_tokyo.hour + 1) % 24, 0)
    quiet = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    client.put("/api/v1/notifications/preferences/", json={"quiet_hours": quiet}, headers=auth_headers)

    with app.app_context():
        notifications.notify([user], NotificationType.SYSTEM, "at night")
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1

    assert mailed == []
    assert client.get("/api/v1/notifications/preferences/", headers=auth_headers).json["quiet_hours"] == quiet


@pytest.mark.parametrize(
    ("start", "end", "local", "quiet"),
    [
        (time(22), time(7), time(23, 30), True),
        (time(22), time(7), time(3), True),
        (time(22), time(7), time(7), False),
        (time(22), time(7), time(12), False),
        (time(13), time(15), time(14), True),
        (time(13), time(15), time(15), False),
    ],
)
def test_quiet_hours_wrap_past_midnight_in_the_persons_timezone(start, end, local, quiet):
    person = User(timezone="America/New_York")
    recipient = _Recipient(person, {}, start, end)
    # 05:00 UTC is midnight in New York (EST); build the UTC instant of `local` New York time on a winter day.
    instant = datetime(2026, 1, 15, local.hour, local.minute, tzinfo=ZoneInfo(person.timezone))

    assert recipient.quiet(instant.astimezone(UTC)) is quiet


def test_an_announcement_to_everyone_is_one_statement_and_one_broadcast(app, make_user, emitted):
    ids = [make_user() for _ in range(25)]
    make_user(deleted_at=utcnow())
    with app.app_context():
        inserts, stop = count_inserts(db.engine)
        try:
            count = notifications.announce_to_all("Maintenance at midnight")
        finally:
            stop()
        recipients = set(db.session.scalars(db.select(Notification.recipient_id)))

    assert count == 25 and recipients == set(ids)
    assert len(inserts) == 1
    assert [(target, name) for target, name, _ in emitted] == [("everyone", "notification")]
    assert emitted[0][2]["message"] == "Maintenance at midnight"


def test_the_operator_command_queues_an_announcement_that_a_job_delivers(app, make_user, emitted):
    make_user(username="ann")
    make_user(username="ben")

    everyone = app.test_cli_runner().invoke(args=["notifications", "send", "--all", "--message", "Hi all"])
    one = app.test_cli_runner().invoke(args=["notifications", "send", "--to", "ann", "--message", "Hi Ann"])
    wrong = app.test_cli_runner().invoke(args=["notifications", "send", "--message", "nobody"])

    assert everyone.exit_code == 0 and "announced to 2 people" in everyone.output  # tests run jobs inline
    assert one.exit_code == 0
    assert wrong.exit_code != 0
    with app.app_context():
        rows = db.session.execute(
            db.select(User.username, Notification.message).join(User, User.id == Notification.recipient_id)
        )
        assert sorted(rows) == [("ann", "Hi Ann"), ("ann", "Hi all"), ("ben", "Hi all")]


def test_preferences_rows_are_per_person(app, client, auth_headers, user):
    client.put(
        "/api/v1/notifications/preferences/", json={"channels": {"event": {"email": True}}}, headers=auth_headers
    )
    client.put(
        "/api/v1/notifications/preferences/", json={"channels": {"event": {"email": False}}}, headers=auth_headers
    )

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(NotificationPreferences)) == 1


def test_a_fanout_given_as_sql_follows_each_persons_channels_in_one_insert(
    app, make_user, mailed, emitted, monkeypatch
):
    telegrams = []
    monkeypatch.setattr(
        notifications.telegram, "send_after_commit", lambda chat, text: on_commit(lambda: telegrams.append(chat))
    )
    now_utc = datetime.now(UTC).time()
    around_now = (time((now_utc.hour - 1) % 24), time((now_utc.hour + 1) % 24))
    people = {
        "default": (make_user(), None, None),
        "inbox off": (make_user(), {"goal_expired": {"in_app": False}}, None),
        "by email": (make_user(email="e@example.com"), {"goal_expired": {"email": True}}, None),
        "by email, quiet now": (make_user(timezone="UTC"), {"goal_expired": {"email": True}}, around_now),
        "by telegram": (make_user(telegram_chat_id="4242"), {"goal_expired": {"telegram": True}}, None),
        "deactivated": (make_user(deactivated_at=utcnow()), {"goal_expired": {"email": True}}, None),
    }
    ids = {name: user_id for name, (user_id, _, _) in people.items()}
    with app.app_context():
        for user_id, channels, quiet in people.values():
            if channels:
                start, end = quiet or (None, None)
                db.session.add(
                    NotificationPreferences(
                        user_id=user_id, channels=channels, quiet_hours_start=start, quiet_hours_end=end
                    )
                )
        db.session.commit()
        source = db.select(
            User.id.label("recipient_id"),
            (db.literal("Hello #") + db.cast(User.id, db.String)).label("message"),
            db.literal("goal").label("target_type"),
            (User.id + 1000).label("target_id"),
        ).where(User.id.in_(ids.values()))
        inserts, stop = count_inserts(db.engine)
        try:
            told = notifications.notify_from(NotificationType.GOAL_EXPIRED, source)
        finally:
            stop()
        db.session.commit()
        stored = {
            n.recipient_id: (n.type, n.message, n.target_type, n.target_id, n.is_read)
            for n in db.session.scalars(db.select(Notification))
        }

    assert told == len(people)  # every source row counts, whoever is told
    assert len(inserts) == 1
    shown = {"default", "by email", "by email, quiet now", "by telegram"}
    assert set(stored) == {ids[name] for name in shown}
    assert stored[ids["by telegram"]] == (
        "goal_expired",
        f"Hello #{ids['by telegram']}",
        "goal",
        ids["by telegram"] + 1000,
        False,
    )
    assert [email.to for email in mailed] == ["e@example.com"]
    assert telegrams == ["4242"]
    live = {user_id: payload for user_id, name, payload in emitted if name == "notification"}
    assert set(live) == set(stored)
    with app.app_context():
        first = db.session.get(Notification, live[ids["default"]]["id"])
        assert (first.recipient_id, first.message) == (ids["default"], live[ids["default"]]["message"])
