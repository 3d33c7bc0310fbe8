"""Fixtures: `app` → `db` → `client`. The suite runs embedded (SQLite + fakeredis) by default and against
real services when TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (Redis) are set."""

import os
from contextlib import contextmanager

import flask_migrate
import pytest
import redis
from sqlalchemy import event

from app import create_app
from app.extensions import db as _db

# Fixtures every domain shares: the permission cast, the social cast, the exercise catalog, and the emit and job
# captures.
pytest_plugins = [
    "tests.fixtures.people",
    "tests.fixtures.social",
    "tests.fixtures.training",
    "tests.fixtures.capture",
    "tests.fixtures.metrics",
]

REAL_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REAL_REDIS_URL = os.environ.get("TEST_REDIS_URL")

needs_real_redis = pytest.mark.skipif(
    not REAL_REDIS_URL, reason="needs a Redis server shared between processes (TEST_REDIS_URL); .ci/run sets it"
)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if REAL_DATABASE_URL:
        return REAL_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "stride-test.sqlite")


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once, through the migrations, as production does."""
    app = create_app("testing", DATABASE_URL=database_url)
    with app.app_context():
        flask_migrate.upgrade()
    yield


def make_app(database_url: str, **overrides):
    return create_app("testing", **{"DATABASE_URL": database_url, **overrides})


@pytest.fixture(scope="session")
def _cleaner(database_url, _schema):
    return make_app(database_url)


@pytest.fixture
def app_factory(database_url, _cleaner):
    """Build apps with extra settings; every table and the test Redis are emptied after the test."""
    apps = []

    def factory(**overrides):
        app = make_app(database_url, **overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()  # each test's app has its own pool; leave no connections behind
    _clean(_cleaner)


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


def _clean(app) -> None:
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())
    if REAL_REDIS_URL:
        redis.Redis.from_url(REAL_REDIS_URL).flushdb()


class QueryCounter:
    """Counts the SQL statements the app sends while active."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter: ...; assert counter.count <= N` (guards list endpoints against N+1)."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = _db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


# --- people and their tokens --------------------------------------------------------------------------------


@pytest.fixture
def make_user(app):
    """Create a user (committed) and return its id; keyword arguments set fields, `password` the password."""
    from tests.factories import UserFactory

    def maker(**fields):
        with app.app_context():
            return UserFactory(**fields).id

    return maker


def login(client, username: str, password: str | None = None, **headers) -> dict:
    from tests.factories import DEFAULT_PASSWORD

    response = client.post(
        "/api/v1/login/", json={"username": username, "password": password or DEFAULT_PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.json
    return response.json


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def bot():
    """The Telegram Bot API's stand-in on loopback (tests/telegram/standin.py), running for the test."""
    from tests.telegram.standin import BotAPI

    api = BotAPI().start()
    yield api
    api.stop()


@pytest.fixture
def user(make_user):
    return make_user(username="alice")


@pytest.fixture
def tokens(client, user):
    return login(client, "alice")


@pytest.fixture
def auth_headers(tokens):
    return bearer(tokens["access_token"])
