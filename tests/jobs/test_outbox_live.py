"""Socket.IO emits through the outbox (`app.queueing.emit`): written with the change, made after the commit, never
when it rolls back, and kept while the message queue (Redis) is down, then made once it is back."""

import json
import time

import pytest
import redis
from sqlalchemy import select

from app.extensions import db, socketio
from app.integrations.realtime import NOTIFICATIONS, EmitFailed, MessageQueue
from app.models import Notification, NotificationType, OutboxJob
from app.models.base import utcnow
from app.queueing import LIVE, POISONED_DELAY, Live, check_jobs, emit, relay_all, relay_outbox
from app.services import notifications
from tests.jobs.test_outbox import LATER, needs_redis_server, outbox
from tests.servers import throwaway_redis


@pytest.fixture
def listener(app, tokens):
    client = socketio.test_client(app, namespace=NOTIFICATIONS, auth={"token": tokens["access_token"]})
    client.get_received(NOTIFICATIONS)  # the unread count of connecting
    yield client
    client.disconnect(namespace=NOTIFICATIONS)


def messages(subscriber, wait: float = 2.0) -> list[dict]:
    """What the subscriber got within `wait` seconds (the subscription's confirmation left out)."""
    found, deadline = [], time.monotonic() + wait
    while time.monotonic() < deadline:
        message = subscriber.get_message(timeout=0.1)
        if message is not None:
            found.append(message)
    return found


def received(client) -> list[tuple[str, dict]]:
    return [(event["name"], event["args"][0]) for event in client.get_received(NOTIFICATIONS)]


def test_every_live_event_names_a_function():
    check_jobs()  # imports each of JobName and Live
    assert {event.value.rpartition(".")[0] for event in Live} == {
        "app.integrations.realtime",
        "app.services.notifications",
    }


def test_an_emit_is_an_outbox_row_until_the_commit_then_reaches_the_socket(app, listener):
    with app.app_context():
        emit(Live.BROADCAST, "notification", {"message": "hello"})
        db.session.flush()
        [row] = db.session.scalars(select(OutboxJob)).all()
        assert row.queue == LIVE and row.func == Live.BROADCAST
        assert received(listener) == []  # nothing before the commit

        db.session.commit()

    assert received(listener) == [("notification", {"message": "hello"})]
    assert outbox(app) == []


def test_a_rolled_back_emit_is_never_made(app, listener):
    with app.app_context():
        emit(Live.BROADCAST, "notification", {"message": "never"})
        db.session.flush()
        db.session.rollback()
        db.session.commit()

    assert received(listener) == [] and outbox(app) == []


def test_notifications_are_pushed_from_their_stored_rows_after_the_commit(app, listener, user):
    with app.app_context():
        notifications.notify([user], NotificationType.SYSTEM, "stored, then pushed")
        [row] = db.session.scalars(select(OutboxJob).where(OutboxJob.queue == LIVE)).all()
        [stored_id] = row.args[0]
        db.session.commit()

    [(name, pushed), unread] = received(listener)
    assert name == "notification" and pushed["id"] == stored_id and pushed["message"] == "stored, then pushed"
    assert unread == ("unread_count", {"count": 1})


def test_a_notification_deleted_before_its_push_is_not_pushed(app, listener, user):
    with app.app_context():
        notifications.notify([user], NotificationType.SYSTEM, "gone")
        [row] = db.session.scalars(select(OutboxJob).where(OutboxJob.queue == LIVE)).all()
        ids = row.args[0]
        db.session.commit()
        listener.get_received(NOTIFICATIONS)
        db.session.execute(Notification.__table__.delete())
        db.session.commit()

        notifications.push_stored(ids)

    assert received(listener) == []


def test_a_row_whose_emit_raises_a_bug_waits_an_hour_and_does_not_block_the_others(app_factory, monkeypatch):
    app = app_factory(JOBS_RUN_INLINE=False)
    made = []
    monkeypatch.setattr("app.integrations.realtime.broadcast", lambda event, payload: made.append(payload))

    def broken(user_id):
        raise TypeError("a bug")

    monkeypatch.setattr("app.services.notifications.push_unread_count", broken)
    with app.app_context():
        emit(Live.UNREAD_COUNT, 1)
        emit(Live.BROADCAST, "notification", {"n": 2})
        db.session.commit()

    assert made == [{"n": 2}]
    [kept] = outbox(app)
    assert kept.func == Live.UNREAD_COUNT and kept.last_error == "TypeError: a bug"
    assert kept.available_at > utcnow() + POISONED_DELAY - LATER


@needs_redis_server
def test_an_emit_committed_while_the_message_queue_is_down_is_made_once_it_is_back(app_factory):
    with throwaway_redis("--save", "", "--appendonly", "no") as server:
        app = app_factory(JOBS_RUN_INLINE=False, REDIS_URL=server.url, SOCKETIO_MESSAGE_QUEUE=True)
        channel = app.config["SOCKETIO_CHANNEL"]
        assert isinstance(socketio.server.manager, MessageQueue)
        server.kill()
        with app.app_context():
            emit(Live.DISCONNECT_SESSIONS, ["a-revoked-login"])  # no socket is tracked: nothing to publish
            emit(Live.BROADCAST, "notification", {"message": "after the outage"})
            db.session.commit()  # the use case's commit stands; only the emit failed

        [first, second] = outbox(app)
        assert first.func == Live.DISCONNECT_SESSIONS and "Error" in first.last_error
        assert second.attempts == 1 and second.available_at > utcnow()

        server.start()
        subscriber = redis.Redis.from_url(server.url).pubsub(ignore_subscribe_messages=True)
        subscriber.subscribe(channel)
        with app.app_context():
            assert relay_all(app) == 0  # not due yet: backing off
            assert relay_outbox(app, now=utcnow() + LATER) == 2

        [published] = messages(subscriber)
        message = json.loads(published["data"])
        assert message["method"] == "emit" and message["event"] == "notification"
        assert message["data"] == [{"message": "after the outage"}] and message["namespace"] == NOTIFICATIONS
        subscriber.close()
        assert outbox(app) == []


@needs_redis_server
def test_the_message_queue_raises_when_it_cannot_publish_instead_of_dropping_the_emit():
    with throwaway_redis("--save", "", "--appendonly", "no") as server:
        queue = MessageQueue(server.url, channel="stride-test", write_only=True)
        assert queue._publish({"method": "emit"}) == 0  # published, to no subscriber
        server.kill()
        with pytest.raises(EmitFailed):
            queue._publish({"method": "emit"})
        assert issubclass(EmitFailed, redis.RedisError)  # the relay keeps the row for a later try
