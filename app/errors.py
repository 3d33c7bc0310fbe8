"""Domain exceptions and the one JSON error format (`{code, status, message, errors?}`)."""

import logging
import threading
import time
from http import HTTPStatus

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A use case refused; services raise these, never `abort()`."""

    code = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str, errors: dict | None = None, *, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.extra = extra or {}


class NotFound(DomainError):
    code = HTTPStatus.NOT_FOUND


class Forbidden(DomainError):
    code = HTTPStatus.FORBIDDEN


class Unauthorized(DomainError):
    code = HTTPStatus.UNAUTHORIZED


class Conflict(DomainError):
    code = HTTPStatus.CONFLICT


class RuleViolation(DomainError):
    """A business rule failed; `errors` names the fields as `{"json": {field: [msg]}}`."""

    code = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(self, message: str, errors: dict | None = None, *, field: str | None = None):
        if field and errors is None:
            errors = {"json": {field: [message]}}
        super().__init__(message, errors)


class ServiceUnavailable(DomainError):
    code = HTTPStatus.SERVICE_UNAVAILABLE


def error_body(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    status = HTTPStatus(code)
    body = {"code": status.value, "status": status.phrase, "message": message or status.description}
    if errors:
        body["errors"] = errors
    return body


def http_error_response(error: HTTPException):
    """flask-smorest's format, but always with a message and keeping werkzeug's headers (Allow, Retry-After)."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or error.description
    if errors and not data.get("message"):
        message = "The request was not valid; see errors for each field."
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return error_body(error.code, message, errors), error.code, headers


def handle_domain_error(error: DomainError):
    db.session.rollback()
    return {**error_body(error.code, error.message, error.errors), **error.extra}, error.code


def handle_integrity_error(error: IntegrityError):
    db.session.rollback()
    log.info("integrity error answered as 409: %s", error.orig)
    return error_body(409, "That conflicts with something that already exists."), 409


class OutageLog:
    """One log line when a service goes down, one reminder a minute while it stays down, one when it is back:
    not a traceback per refused request."""

    REMIND_EVERY = 60.0

    def __init__(self):
        self._lock = threading.Lock()
        self._down: dict[str, list] = {}  # service -> [first seen, last logged, requests refused since]

    def down(self, service: str, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            state = self._down.get(service)
            if state is None:
                self._down[service] = [now, now, 0]
                log.error("%s unavailable, answering 503 until it is back: %s", service, _first_line(error))
                return
            state[2] += 1
            if now - state[1] < self.REMIND_EVERY:
                return
            state[1], refused = now, state[2]
            state[2] = 0
        log.error("%s still unavailable (%d more requests refused): %s", service, refused, _first_line(error))

    def up(self, service: str) -> None:
        with self._lock:
            state = self._down.pop(service, None)
        if state is not None:
            log.warning("%s is reachable again after %.0f s", service, time.monotonic() - state[0])

    def is_down(self, service: str) -> bool:
        return service in self._down


outages = OutageLog()


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"[:300]


@event.listens_for(Engine, "connect")
def _database_is_back(_dbapi_connection, _record) -> None:
    """A new connection succeeded: any database outage is over."""
    outages.up("database")


def outage_service(error: BaseException | None) -> str | None:
    """The service a failure comes from when it means "down, try again" (Redis, the database), else None."""
    if isinstance(error, RedisError):
        return "redis"
    if isinstance(error, OperationalError | InterfaceError):
        return "database"
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "database"
    return None


def unavailable(service: str, error: BaseException):
    """Fail closed as 503 with Retry-After, logged once per outage."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()  # the connection is already gone; nothing was written
    outages.down(service, error)
    message = f"A required service ({service}) is unavailable; try again shortly."
    return error_body(503, message), 503, {"Retry-After": "5"}


def handle_redis_error(error: RedisError):
    """Fail closed: without Redis nobody can tell a revoked token or an exhausted limit, so refuse."""
    return unavailable("redis", error)


def handle_database_down(error: DBAPIError):
    """The database refused or dropped the connection (at connect, in a query or at commit)."""
    return unavailable("database", error)


def handle_internal_error(error: InternalServerError):
    """Flask has already logged the traceback; the client learns nothing internal.

    An outage that surfaced outside a view (an after-request hook such as the limiter's headers) is a 503 too."""
    service = outage_service(error.original_exception)
    if service:
        return unavailable(service, error.original_exception)
    db.session.rollback()
    return error_body(500, "The server hit an unexpected error. It has been logged."), 500


class OutageTracebackFilter(logging.Filter):
    """Flask logs a traceback for an exception raised outside a view; an outage already has its one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return outage_service(error) is None


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(RedisError, handle_redis_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InterfaceError, handle_database_down)
    app.logger.addFilter(OutageTracebackFilter())
    app.register_error_handler(InternalServerError, handle_internal_error)
    # Every other HTTPException goes to StrideApi.handle_http_exception (app/openapi.py), flask-smorest's hook.
