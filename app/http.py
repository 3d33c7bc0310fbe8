"""Per-request plumbing: request ids (echoed and logged), security headers, logging setup."""

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_DOCS_PATHS = ("/api/v1/docs", "/api/v1/redoc")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_stride", False)]
    handler._stride = True
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers.clear()  # propagate to the root handler, which carries the request id


def assign_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def add_response_headers(response):
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)  # flask-limiter adds it to every response
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith(_DOCS_PATHS):
        response.headers.setdefault("Content-Security-Policy", API_CSP)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register_request_hooks(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.after_request(add_response_headers)
