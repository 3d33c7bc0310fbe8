"""The HTTP servers' own refusals in the one JSON error shape.

gunicorn and Werkzeug's development server refuse some requests before the app sees them (a request line
over the limit: 414; too many or too large headers: 431; a malformed request line: 400) and answer with an
HTML page of their own. Both are taught here to answer `{code, status, message}` like everything else.
"""

import json
from http import HTTPStatus

from gunicorn import util as gunicorn_util
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.serving import WSGIRequestHandler


def error_json(status_code: int) -> bytes:
    """The one error shape, saying nothing about the refused input (it may be huge or hostile)."""
    try:
        status = HTTPStatus(status_code)
        phrase, description = status.phrase, status.description
    except ValueError:
        phrase = description = "Error"
    body = {"code": status_code, "status": phrase, "message": description}
    return json.dumps(body).encode()


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's `util.write_error`, with a JSON body instead of an HTML page."""
    body = error_json(status_int)
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn_util.write_nonblock(sock, head.encode("latin1") + body)


class JsonErrorThreadWorker(ThreadWorker):
    """gunicorn's threaded worker (what `--threads` selects) whose own 400/414/431 answers are JSON."""

    def handle_error(self, req, client, addr, exc):
        gunicorn_util.write_error = write_json_error  # read by the base class at call time; same for every thread
        super().handle_error(req, client, addr, exc)


class JsonErrorRequestHandler(WSGIRequestHandler):
    """Werkzeug's development server handler, answering its own refusals (414, 431, 400) as JSON."""

    error_content_type = "application/json"
    error_message_format = '{"code": %(code)d, "status": "%(message)s", "message": "%(explain)s"}'
