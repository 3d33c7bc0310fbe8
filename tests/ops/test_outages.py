"""A database or Redis outage is a 503 in the one error shape with Retry-After, logged once, never a 500."""

import logging

import pytest
from flask_jwt_extended import create_access_token
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import event, exc

from app.errors import outages
from app.extensions import db, limiter
from app.transactions import AfterCommitSession
from tests.conftest import REAL_DATABASE_URL, bearer, login


@pytest.fixture(autouse=True)
def _no_outage_in_progress():
    outages._down.clear()
    yield
    outages._down.clear()


def assert_unavailable(response, service):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert set(response.json) == {"code", "status", "message"}
    assert response.json["code"] == 503 and response.json["status"] == "Service Unavailable"
    assert service in response.json["message"]
    assert int(response.headers["Retry-After"]) > 0


def outage_records(caplog):
    """The app's error lines (Flask's and ours). A Socket.IO client thread left by an earlier test may log its own
    errors meanwhile; they are not the app's."""
    return [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.split(".")[0] == "app"]


def test_a_database_that_refuses_connections_is_a_503_logged_once_not_per_request(app_factory, caplog):
    app = app_factory(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    with app.app_context():
        headers = bearer(create_access_token(identity="1"))
    caplog.set_level(logging.INFO)

    for _ in range(5):
        assert_unavailable(client.post("/api/v1/login/", json={"username": "alice", "password": "x" * 12}), "database")
        assert_unavailable(client.get("/api/v1/exercises/", headers=headers), "database")

    errors = outage_records(caplog)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "database unavailable" in errors[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)


def test_the_api_recovers_when_the_database_comes_back(app, client, user, caplog):
    """A connection refused at connect: 503s while it lasts, then normal answers and one line saying so."""
    headers = bearer(login(client, "alice")["access_token"])
    with app.app_context():
        engine = db.engine
    dbapi = engine.dialect.loaded_dbapi

    def refuse(*_args, **_kwargs):
        raise dbapi.OperationalError("connection refused (simulated)")

    caplog.set_level(logging.INFO)
    engine.dispose()
    event.listen(engine, "do_connect", refuse)
    try:
        for _ in range(3):
            assert_unavailable(client.get("/api/v1/fitness-goals/", headers=headers), "database")
    finally:
        event.remove(engine, "do_connect", refuse)

    assert client.get("/api/v1/fitness-goals/", headers=headers).status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "app.errors"]
    assert len(messages) == 2 and "unavailable" in messages[0] and "reachable again" in messages[1]
    assert not outages.is_down("database")


def test_a_connection_lost_at_commit_is_a_503(app, client, user, monkeypatch):
    from sqlalchemy.exc import OperationalError

    headers = bearer(login(client, "alice")["access_token"])

    def lost(self):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(AfterCommitSession, "commit", lost)
    response = client.patch("/api/v1/profile/", json={"bio": "Runner"}, headers=headers)

    assert_unavailable(response, "database")


def test_redis_failing_in_the_limiters_after_request_headers_is_a_503_not_a_500(app_factory, monkeypatch, caplog):
    """The hit is counted before the view; the headers are read after it, when Redis can just have dropped."""
    app = app_factory(RATELIMIT_ENABLED=True, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    assert client.get("/api/v1/exercises/").headers.get("RateLimit-Limit")

    def dropped(*_args, **_kwargs):
        raise RedisConnectionError("Connection closed by server.")

    monkeypatch.setattr(limiter.storage, "get_sliding_window", dropped)  # what the headers read
    caplog.set_level(logging.INFO)
    response = client.post("/api/v1/register/", json={"username": "a" * 3, "email": "bad", "password": "x"})

    assert_unavailable(response, "redis")
    assert not any(r.exc_info for r in caplog.records), "an outage is one line, not a traceback"


def _kill_pooled_connection(app) -> int:
    """End the server side of the app's one pooled connection (as a restart or an idle timeout would)."""
    import psycopg
    from sqlalchemy import text

    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.commit()  # back to the pool
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return pid


def _backend_pid(app) -> int:
    from sqlalchemy import text

    with app.app_context():
        return db.session.scalar(text("SELECT pg_backend_pid()"))


needs_postgresql = pytest.mark.skipif(not REAL_DATABASE_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


@needs_postgresql
def test_a_connection_dropped_while_idle_is_replaced_before_use_without_a_ping_per_request(app_factory, user):
    app = app_factory(DATABASE_PING_AFTER_IDLE=0)  # every checkout counts as "after idle" here
    client = app.test_client()
    headers = bearer(login(client, "alice")["access_token"])
    dead = _kill_pooled_connection(app)

    assert client.get("/api/v1/exercises/", headers=headers).status_code == 200
    assert _backend_pid(app) != dead


@needs_postgresql
def test_a_busy_pool_skips_the_ping_and_a_dropped_connection_costs_one_503(app_factory, user):
    app = app_factory(DATABASE_PING_AFTER_IDLE=3600)
    client = app.test_client()
    headers = bearer(login(client, "alice")["access_token"])
    _kill_pooled_connection(app)

    assert_unavailable(client.get("/api/v1/exercises/", headers=headers), "database")
    assert client.get("/api/v1/exercises/", headers=headers).status_code == 200  # the pool started afresh


def test_a_connection_that_dies_as_the_session_ends_leaves_the_answer_alone(app, client, user):
    """A database restart can kill the connection between the answer and the session's closing ROLLBACK: the
    answer stands (it was a 500 from the teardown)."""
    headers = bearer(login(client, "alice")["access_token"])
    with app.app_context():
        engine = db.engine
    dbapi = engine.dialect.loaded_dbapi
    armed = []

    def die_on_rollback(conn):
        if armed:
            armed.clear()
            died = dbapi.OperationalError("terminating connection due to administrator command")
            raise exc.OperationalError("ROLLBACK", None, died)  # as SQLAlchemy wraps the driver's error

    event.listen(engine, "rollback", die_on_rollback)
    try:
        armed.append(True)
        answered = client.get("/api/v1/profile/", headers=headers)
        after = client.get("/api/v1/profile/", headers=headers)
    finally:
        event.remove(engine, "rollback", die_on_rollback)

    assert not armed  # the teardown's ROLLBACK did fail
    assert answered.status_code == 200 and answered.json["username"] == "alice"
    assert after.status_code == 200
