"""Domain exceptions and the one JSON error format (`{code, status, message, errors?}`)."""

import logging
from http import HTTPStatus

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
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


def handle_http_exception(error: HTTPException):
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


def handle_redis_error(error: RedisError):
    """Fail closed: without Redis nobody can tell a revoked token or an exhausted limit, so refuse."""
    db.session.rollback()
    log.error("redis unavailable: %s", error)
    return error_body(503, "A required service is unavailable; try again shortly."), 503, {"Retry-After": "5"}


def handle_internal_error(error: InternalServerError):
    """Flask has already logged the traceback; the client learns nothing internal."""
    db.session.rollback()
    return error_body(500, "The server hit an unexpected error. It has been logged."), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(RedisError, handle_redis_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
    # Registered after api.init_app, so it replaces flask-smorest's own HTTPException handler.
    app.register_error_handler(HTTPException, handle_http_exception)
