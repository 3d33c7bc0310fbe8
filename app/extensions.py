"""The extension objects, created unbound and initialised in `create_app`."""

import sqlite3

import fakeredis
import redis
from flask import Flask, current_app
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

from app.openapi import StrideApi
from app.transactions import AfterCommitSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys (and so ON DELETE CASCADE / SET NULL) unless told, per connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


class RedisConnection:
    """The app's one Redis client: the real server at `REDIS_URL`, or an in-process stand-in.

    Everything that needs Redis (revocation list, rate limits, RQ queues) takes its client from here,
    so in embedded mode they all share one fakeredis server.
    """

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        if url:
            client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        else:
            client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        app.extensions["redis"] = client

    @property
    def client(self) -> redis.Redis:
        return current_app.extensions["redis"]


db = SQLAlchemy(model_class=Base, session_options={"class_": AfterCommitSession})
migrate = Migrate(render_as_batch=True, compare_type=True)
jwt = JWTManager()
cors = CORS()


class StrideLimiter(Limiter):
    """flask-limiter whose `limit`/`shared_limit` decorators add to the default limit instead of replacing it.

    Every endpoint keeps RATELIMIT_DEFAULT per address; a decorated limit (per person, per account) comes on top.
    It also keeps the default on a view's other methods: flask-limiter applies a decorated method's limit inside
    the method, and once such a method has run it stops applying the default to its whole endpoint ("endpoint
    hints", kept for the life of the process) unless every decorated limit there sets override_defaults=False.
    Otherwise `GET /conversations/` would go unlimited after the first `POST /conversations/`."""

    def limit(self, limit_value, **options):
        options.setdefault("override_defaults", False)
        return super().limit(limit_value, **options)

    def shared_limit(self, limit_value, scope, **options):
        options.setdefault("override_defaults", False)
        return super().shared_limit(limit_value, scope, **options)


# The default limit is read per request, so every app (and every test's app) applies its own setting.
limiter = StrideLimiter(key_func=get_remote_address, default_limits=[lambda: current_app.config["RATELIMIT_DEFAULT"]])
api = StrideApi(limiter=limiter)  # completes the OpenAPI document from the views (app/openapi.py)
socketio = SocketIO()
redis_store = RedisConnection()
