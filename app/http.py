"""Per-request plumbing: request ids (echoed and logged; see app/logs.py), security headers."""

import base64
import hashlib
import re
import uuid

from flask import Flask, g, request

from app.logs import RequestIdMiddleware

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_DOCS_PATHS = ("/api/v1/docs", "/api/v1/redoc")
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def _is_docs_page(path: str) -> bool:
    return path.rstrip("/") in _DOCS_PATHS


def docs_csp(page: bytes) -> str:
    """The docs pages' policy: their scripts and styles from the app only (`app/static/vendor/`), each inline
    script allowed by its hash (Swagger UI's and ReDoc's set-up), the document fetched from the app, ReDoc's worker
    from a blob."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def assign_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def add_response_headers(response):
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)  # flask-limiter adds it to every response
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if _is_docs_page(request.path) and response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", docs_csp(response.get_data()))
    else:
        response.headers.setdefault("Content-Security-Policy", API_CSP)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register_request_hooks(app: Flask) -> None:
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # the server's access line is logged after the request
    app.before_request(assign_request_id)
    app.after_request(add_response_headers)
