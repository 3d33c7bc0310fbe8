"""Per-request plumbing: request ids (echoed and logged; see app/logs.py), security headers."""

import re
import uuid

from flask import Flask, g, request

from app.logs import RequestIdMiddleware

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
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # the server's access line is logged after the request
    app.before_request(assign_request_id)
    app.after_request(add_response_headers)
