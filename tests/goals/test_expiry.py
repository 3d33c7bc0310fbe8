"""The goal-expiry job: one set-based statement, per-timezone correct, notifying owners once."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Goal, Notification
from app.services import goals
from tests.factories import GoalFactory

# 23:30 UTC on 15 June: already 16 June in Berlin and Tokyo, still 15 June in UTC and New York.
NOW = datetime(2026, 6, 15, 23, 30, tzinfo=UTC)


@pytest.fixture
def world(app, make_user):
    """Owners in four timezones with goals ending on 15 or 16 June, or never."""
    owners = {zone: make_user(timezone=zone) for zone in ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo")}
    with app.app_context():
        for zone, owner in owners.items():
            for end in (date(2026, 6, 15), date(2026, 6, 16), date(2026, 6, 17), None):
                GoalFactory(user_id=owner, end_date=end, description=zone)
        GoalFactory(user_id=owners["UTC"], end_date=date(2026, 6, 1), is_active=False, description="already off")
    return owners


def expired_pairs(app) -> set[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(Goal.description, Goal.end_date).where(
                Goal.is_active.is_(False), Goal.description != "already off"
            )
        )
        return {(zone, end.isoformat()) for zone, end in rows}


def test_expiry_follows_each_owners_local_date(app, world):
    with app.app_context():
        count = goals.expire_due_goals(NOW)

    assert count == 6
    assert expired_pairs(app) == {
        ("UTC", "2026-06-15"),
        ("America/New_York", "2026-06-15"),
        ("Europe/Berlin", "2026-06-15"),
        ("Europe/Berlin", "2026-06-16"),
        ("Asia/Tokyo", "2026-06-15"),
        ("Asia/Tokyo", "2026-06-16"),
    }


def test_expiry_is_one_update_and_one_notification_insert(app, world):
    statements = []
    with app.app_context():
        listener = lambda conn, cursor, statement, *args: statements.append(" ".join(statement.split()))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            goals.expire_due_goals(NOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        dialect = db.engine.dialect.name

    assert len([s for s in statements if "UPDATE goals SET" in s]) == 1
    assert len([s for s in statements if "INSERT INTO notifications" in s]) == 1
    pushes = [s for s in statements if "INSERT INTO outbox_jobs" in s]
    assert len(pushes) == 1  # one outbox row carries the live push of every notice
    if dialect == "postgresql":  # written together: the notices come from the UPDATE's RETURNING
        writes = [s for s in statements if "INSERT INTO" in s and s not in pushes]
        assert [s for s in statements if "UPDATE goals SET" in s] == writes


def test_owners_are_notified_once_and_a_second_run_changes_nothing(app, world):
    with app.app_context():
        first = goals.expire_due_goals(NOW)
        second = goals.expire_due_goals(NOW)
        notes = db.session.execute(db.select(Notification.recipient_id, Notification.type, Notification.target_type))

        assert (first, second) == (6, 0)
        rows = list(notes)
    assert len(rows) == 6
    assert {type for _, type, _ in rows} == {"goal_expired"}
    assert {target for _, _, target in rows} == {"goal"}
    assert sorted(recipient for recipient, _, _ in rows) == sorted(
        [world["UTC"], world["America/New_York"]] + [world["Europe/Berlin"], world["Asia/Tokyo"]] * 2
    )


def test_deactivated_goals_and_goals_without_end_date_are_left_alone(app, world):
    already_off = db.select(Goal.updated_at).where(Goal.description == "already off")
    with app.app_context():
        before = db.session.scalar(already_off)
        goals.expire_due_goals(NOW)
        open_ended = db.session.scalars(db.select(Goal.is_active).where(Goal.end_date.is_(None))).all()
        after = db.session.scalar(already_off)

    assert open_ended == [True] * 4
    assert after == before


def test_the_operator_command_and_the_job_expire_goals(app, world):
    result = app.test_cli_runner().invoke(args=["goals", "expire"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("expired ")
    with app.app_context():
        from app.jobs.goals import expire_goals

        assert expire_goals() == 0  # the command already did it


def test_an_expired_goal_is_notified_live_to_its_owner(app, client, tokens, user):
    from app.extensions import socketio
    from app.integrations.realtime import NOTIFICATIONS

    with app.app_context():
        GoalFactory(user_id=user, goal_type="strength", end_date=date(2026, 2, 1))
    socket = socketio.test_client(app, namespace=NOTIFICATIONS, auth={"token": tokens["access_token"]})
    socket.get_received(NOTIFICATIONS)

    with app.app_context():
        goals.expire_due_goals()

    live = [e["args"][0] for e in socket.get_received(NOTIFICATIONS) if e["name"] == "notification"]
    assert len(live) == 1
    assert live[0]["type"] == "goal_expired"
    assert live[0]["message"] == "Your strength goal reached its end date (2026-02-01)."
    socket.disconnect(namespace=NOTIFICATIONS)


def test_a_deactivated_owners_goal_expires_without_telling_them(app, world, make_user):
    from app.models.base import utcnow

    gone = make_user(deactivated_at=utcnow())
    with app.app_context():
        GoalFactory(user_id=gone, end_date=date(2026, 6, 10), description="gone")
        count = goals.expire_due_goals(NOW)
        told = set(db.session.scalars(db.select(Notification.recipient_id)))
        still_active = db.session.scalar(db.select(Goal.is_active).where(Goal.description == "gone"))

    assert count == 7 and still_active is False
    assert gone not in told and len(told) == 4
