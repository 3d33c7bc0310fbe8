"""Log lines that carry the request id: plain text in development, one JSON object per line in production.

Three kinds of line, one handler on the root logger:
- application lines inside a request read the id from `g` (set before the request runs);
- the development server's access line (werkzeug) is written after Flask has popped the request context,
  so `RequestIdMiddleware` keeps the id of the response in a context variable until the server has
  finished with the request;
- gunicorn's access line is gunicorn's own record, whose arguments hold the response headers
  (`{x-request-id}o`); gunicorn.conf.py sends it to the same handler (`gunicorn_logconfig`).
"""

import logging
import sys
from contextvars import ContextVar

from flask import Flask, g, has_request_context
from pythonjsonlogger.json import JsonFormatter

from config import ConfigError

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
GUNICORN_REQUEST_ID = "{x-request-id}o"  # gunicorn's atom for the X-Request-ID response header

_request_id: ContextVar[str | None] = ContextVar("stride_request_id", default=None)


def log_format(env_name: str, configured: str | None) -> str:
    """`LOG_FORMAT` when set (text or json); otherwise json in production and text elsewhere."""
    chosen = (configured or ("json" if env_name == "production" else "text")).lower()
    if chosen not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {configured!r}.")
    return chosen


def current_request_id(record: logging.LogRecord | None = None) -> str:
    if record is not None and record.name == "gunicorn.access" and isinstance(record.args, dict):
        return record.args.get(GUNICORN_REQUEST_ID) or "-"
    if has_request_context() and g.get("request_id"):
        return g.request_id
    return _request_id.get() or "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", "-") in (None, "-"):
            record.request_id = current_request_id(record)
        return True


class StrideJsonFormatter(JsonFormatter):
    """One JSON object a line: timestamp, level, logger, message, request_id (+ the request, on access lines)."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        super().add_fields(log_data, record, message_dict)
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            log_data.update(
                method=atoms["m"],
                path=atoms["U"],
                query=atoms["q"] or None,
                status=_int(atoms["s"]),
                bytes=_int(atoms["B"]),
                duration_ms=_int(atoms["M"]),
                remote_addr=atoms["h"],
                user_agent=atoms["a"],
            )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def build_handler(fmt: str = "text", stream=None) -> logging.Handler:
    """The one root handler (marked, so configuring twice replaces it instead of doubling every line)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(StrideJsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler._stride = True
    return handler


def install_root_handler(fmt: str, level: str) -> None:
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_stride", False)]
    root.addHandler(build_handler(fmt))
    root.setLevel(level)


def configure_logging(app: Flask) -> None:
    install_root_handler(log_format(app.config["ENV_NAME"], app.config.get("LOG_FORMAT")), app.config["LOG_LEVEL"])
    app.logger.handlers.clear()  # propagate to the root handler, which carries the request id


def gunicorn_logconfig(fmt: str, level: str = "INFO") -> dict:
    """gunicorn's `logconfig_dict`: its error and access lines go to the same root handler as the app's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": level, "handlers": ["stride"]},
        "loggers": {
            # no level: gunicorn's --log-level keeps deciding what its error log says
            "gunicorn.error": {"handlers": [], "propagate": True, "qualname": "gunicorn.error"},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True, "qualname": "gunicorn.access"},
        },
        "handlers": {"stride": {"()": "app.logs.build_handler", "fmt": fmt}},
        "formatters": {},
    }


class RequestIdMiddleware:
    """Keep the response's X-Request-ID current until the server has written (and logged) the response."""

    def __init__(self, wsgi_app, header: str = "X-Request-ID") -> None:
        self.wsgi_app = wsgi_app
        self.header = header.lower()

    def __call__(self, environ, start_response):
        _request_id.set(None)

        def start(status, headers, exc_info=None):
            for name, value in headers:
                if name.lower() == self.header:
                    _request_id.set(value)
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            _request_id.set(None)
            raise
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            _request_id.set(None)  # keep the server's sendfile path; its own access line reads the response header
            return body
        return _ClosingBody(body, lambda: _request_id.set(None))


class _ClosingBody:
    """The app's response body; on close, closes it and then forgets the request id."""

    def __init__(self, body, on_close) -> None:
        self.body = body
        self.on_close = on_close

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.on_close()
