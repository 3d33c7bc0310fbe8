"""API10:2023 Unsafe Consumption of APIs.

Stride consumes Telegram's Bot API (app/integrations/telegram.py, and the updates of its webhook) and SMTP
(app/integrations/mail.py) without trusting them: an error, a malformed answer, a redirect, a refusal or silence fails
the RQ job for a retry, never counts as sent and never fails a request; an odd update is a 4xx or ignored, never a
500. Also tested in tests/telegram/test_telegram.py and tests/auth/test_email_flows.py."""

import json
import smtplib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from rq.job import JobStatus

from app.extensions import db
from app.integrations import mail, telegram
from app.jobs.email import send_email
from app.models import User
from app.queueing import get_queue
from tests.conftest import bearer, login
from tests.servers import free_port

API = "/api/v1"
TOKEN = "123456:TEST-TOKEN"
SECRET = "webhook-secret-api10"
OK = json.dumps({"ok": True, "result": {"message_id": 1}}).encode()


# --- stand-ins for the APIs Stride consumes ----------------------------------------------------------------


class Answering:
    """An HTTP server on loopback that records each request and gives the answer it is told to give."""

    def __init__(self, status=200, body=OK, content_type="application/json", delay=0.0, location=None):
        self.status, self.body, self.content_type = status, body, content_type
        self.delay, self.location = delay, location
        self.requests: list[tuple[str, str, bytes]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                api.requests.append((self.command, self.path, body))
                if api.delay:
                    time.sleep(api.delay)
                self.send_response(api.status)
                self.send_header("Content-Type", api.content_type)
                if api.location:
                    self.send_header("Location", api.location)
                self.send_header("Content-Length", str(len(api.body)))
                self.end_headers()
                self.wfile.write(api.body)

            do_GET = do_POST = _answer  # noqa: N815 - the http.server interface

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def answering():
    servers = []

    def start(**answer) -> Answering:
        servers.append(Answering(**answer))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


class Inbox:
    """An aiosmtpd handler: accepts every message, or refuses at RCPT or DATA with the reply it is given."""

    def __init__(self, rcpt_reply: str | None = None, data_reply: str | None = None):
        self.rcpt_reply, self.data_reply = rcpt_reply, data_reply
        self.accepted: list[bytes] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        if self.data_reply:
            return self.data_reply
        self.accepted.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    controllers = []

    def start(inbox: Inbox) -> int:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


class RawServer:
    """A TCP server that sends `greeting` (or nothing at all) to each connection and then keeps silent."""

    def __init__(self, greeting: bytes | None):
        self.greeting = greeting
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.connections: list[socket.socket] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)
            if self.greeting:
                conn.sendall(self.greeting)

    def stop(self) -> None:
        self.running = False
        self.thread.join(2)
        for conn in self.connections:
            conn.close()
        self.sock.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(greeting: bytes | None) -> RawServer:
        servers.append(RawServer(greeting))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


# --- helpers ------------------------------------------------------------------------------------------------


def queued_outcome(app, run_jobs) -> tuple[list, list[str]]:
    """Run the queued jobs as a worker does; the jobs waiting for a retry, and the ids of those that finished."""
    run_jobs(app, "CRITICAL")
    with app.app_context():
        queue = get_queue("high")
        retrying = [queue.fetch_job(job_id) for job_id in queue.scheduled_job_registry.get_job_ids()]
        return retrying, queue.finished_job_registry.get_job_ids()


def assert_retried_not_delivered(app, run_jobs) -> None:
    retrying, finished = queued_outcome(app, run_jobs)
    assert finished == [], "the job counted as done"
    assert len(retrying) == 1
    with app.app_context():
        assert retrying[0].get_status(refresh=True) == JobStatus.SCHEDULED
        assert retrying[0].retries_left == 2  # Retry(max=3): one attempt spent, two to come


def telegram_app(app_factory, api_url: str, **overrides):
    settings = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_TIMEOUT": 1,
    }
    return app_factory(**(settings | overrides))


def queue_telegram(app, text: str = "Your code is 123456") -> None:
    with app.app_context():
        telegram.send_after_commit("555", text)
        db.session.commit()


def smtp_app(app_factory, port: int, **overrides):
    settings = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_TIMEOUT": 1,
    }
    return app_factory(**(settings | overrides))


def queue_email(app) -> None:
    with app.app_context():
        mail.send_after_commit(mail.Email(to="alice@example.com", subject="Hello", text="Hi Alice.\n"))
        db.session.commit()


def webhook(client, update, secret: str = SECRET):
    return client.post(
        f"{API}/telegram/webhook/{secret}", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
    )


# --- Telegram's answers -------------------------------------------------------------------------------------

TELEGRAM_FAILURES = {
    "500": {"status": 500, "body": json.dumps({"ok": False, "error_code": 500, "description": "Oops"}).encode()},
    "ok false": {"body": json.dumps({"ok": False, "error_code": 400, "description": "chat not found"}).encode()},
    "ok missing": {"body": json.dumps({"result": {"message_id": 1}}).encode()},
    "invalid json": {"body": b'{"ok": true, "result": '},
    "json array": {"body": b"[true]"},
    "json null": {"body": b"null"},
    "html 200": {"body": b"<html>ok</html>", "content_type": "text/html"},
    "html 502": {"status": 502, "body": b"<html>Bad Gateway</html>", "content_type": "text/html"},
    "empty 200": {"body": b"", "content_type": "application/json"},
    "timeout": {"delay": 2.5},  # over TELEGRAM_TIMEOUT=1
}


def test_a_proper_telegram_answer_finishes_the_job(app_factory, answering, run_jobs):
    """The control for the failures below: the same job, answered properly, is done and not retried."""
    api = answering()
    app = telegram_app(app_factory, api.url, JOBS_RUN_INLINE=False)
    queue_telegram(app)

    retrying, finished = queued_outcome(app, run_jobs)

    assert retrying == [] and len(finished) == 1
    assert [(method, path) for method, path, _ in api.requests] == [("POST", f"/bot{TOKEN}/sendMessage")]


@pytest.mark.parametrize("failure", TELEGRAM_FAILURES)
def test_a_telegram_answer_that_is_not_a_success_fails_the_job_for_a_retry(app_factory, answering, run_jobs, failure):
    api = answering(**TELEGRAM_FAILURES[failure])
    app = telegram_app(app_factory, api.url, JOBS_RUN_INLINE=False)
    queue_telegram(app)

    assert_retried_not_delivered(app, run_jobs)
    assert len(api.requests) == 1


@pytest.mark.parametrize("failure", TELEGRAM_FAILURES)
def test_the_telegram_integration_raises_on_every_failure(app_factory, answering, failure):
    api = answering(**TELEGRAM_FAILURES[failure])
    app = telegram_app(app_factory, api.url)

    with app.app_context(), pytest.raises(Exception):  # noqa: B017, PT011 - any exception makes RQ retry
        telegram.send_message("555", "hello")


def test_an_unreachable_telegram_fails_the_job_for_a_retry(app_factory, run_jobs):
    app = telegram_app(app_factory, f"http://127.0.0.1:{free_port()}", JOBS_RUN_INLINE=False)  # nothing listens
    queue_telegram(app)

    assert_retried_not_delivered(app, run_jobs)


@pytest.mark.parametrize("status", [302, 307, 308])
def test_a_redirect_from_telegram_is_not_followed(app_factory, answering, status):
    """OWASP API10: a redirect from the consumed API must not be followed blindly. Following it would send the
    message (a login code, say) to whatever host the answer names, and count that host's answer as Telegram's."""
    elsewhere = answering()
    api = answering(status=status, body=b"", location=f"{elsewhere.url}/collect")
    app = telegram_app(app_factory, api.url)

    with app.app_context(), pytest.raises(telegram.TelegramError):
        telegram.send_message("555", "Your Stride login code is 123456")

    assert len(api.requests) == 1
    assert elsewhere.requests == [], "the redirect was followed"


def test_telegram_being_down_never_fails_the_webhook_request(app_factory, answering, user):
    api = answering(status=500, body=b"down", content_type="text/plain")
    app = telegram_app(app_factory, api.url)
    client = app.test_client()
    alice = bearer(login(client, "alice")["access_token"])
    code = client.post(f"{API}/telegram/link/", headers=alice).json["code"]

    response = webhook(client, {"update_id": 1, "message": {"chat": {"id": 555}, "text": f"/start {code}"}})

    assert response.status_code == 200 and response.json == {"ok": True, "result": "linked"}
    assert len(api.requests) == 1  # the confirmation was tried (and failed) in a job, not in the request


# --- updates Telegram sends to the webhook ---------------------------------------------------------------

ODD_UPDATES = {
    "no message": {"update_id": 1},
    "other update kind": {"update_id": 1, "edited_message": {"chat": {"id": 555}, "text": "hi"}},
    "no chat": {"update_id": 1, "message": {"text": "hi"}},
    "chat null": {"update_id": 1, "message": {"chat": None, "text": "hi"}},
    "chat a string": {"update_id": 1, "message": {"chat": "555", "text": "hi"}},
    "chat a list": {"update_id": 1, "message": {"chat": [555], "text": "hi"}},
    "chat id an object": {"update_id": 1, "message": {"chat": {"id": {"nested": 1}}, "text": "hi"}},
    "text a number": {"update_id": 1, "message": {"chat": {"id": 555}, "text": 12345678}},
    "text an object": {"update_id": 1, "message": {"chat": {"id": 555}, "text": {"a": "b"}}},
    "text a list": {"update_id": 1, "message": {"chat": {"id": 555}, "text": ["/start", "ABCDEFGH"]}},
    "huge text": {"update_id": 1, "message": {"chat": {"id": 555}, "text": "A" * 2_000_000}},
    "message null": {"update_id": 1, "message": None},
    "message a string": {"update_id": 1, "message": "hi"},
    "update_id a string": {"update_id": "one", "message": {"chat": {"id": 555}, "text": "hi"}},
    "an array": [{"update_id": 1}],
    "a string": "update",
}


@pytest.mark.parametrize("shape", ODD_UPDATES)
def test_an_update_of_an_unexpected_shape_is_never_a_500(app_factory, bot, shape):
    client = telegram_app(app_factory, bot.url, PROPAGATE_EXCEPTIONS=False).test_client()

    response = webhook(client, ODD_UPDATES[shape])

    assert response.status_code in (200, 400, 413, 422), (shape, response.status_code, response.json)
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ('{"update_id": 1, "message": {"chat": {"id": 555}, "text": "a\\u0000b"}}', 422),
        ('{"update_id": 1, "message": {"chat": {"id": 555}, "text": "\\ud800"}}', 422),
        ('{"update_id": 1, "message": {"chat": {"id": 555}, "text": "hi"}', 400),
        ('{"update_id": 1, "message": ' + "[" * 100 + "]" * 100 + "}", 400),
        ('{"update_id": 1e400}', 400),
    ],
    ids=["nul", "lone surrogate", "truncated", "deep", "huge number"],
)
def test_an_update_that_is_not_clean_json_is_refused(app_factory, bot, raw, status):
    client = telegram_app(app_factory, bot.url, PROPAGATE_EXCEPTIONS=False).test_client()

    response = client.post(
        f"{API}/telegram/webhook/{SECRET}",
        data=raw,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )

    assert response.status_code == status, response.json
    assert bot.requests == []


def test_a_chat_id_that_cannot_be_telegrams_is_not_linked(app_factory, bot, user):
    """Telegram's chat ids fit in 52 bits; the column holds 32 characters. A longer one must be refused or ignored:
    stored as is it overflows the column (PostgreSQL: an error, a 500)."""
    app = telegram_app(app_factory, bot.url, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    alice = bearer(login(client, "alice")["access_token"])
    code = client.post(f"{API}/telegram/link/", headers=alice).json["code"]

    response = webhook(client, {"update_id": 1, "message": {"chat": {"id": 10**40}, "text": f"/start {code}"}})

    assert response.status_code < 500, response.json
    with app.app_context():
        stored = db.session.scalar(db.select(User.telegram_chat_id).where(User.id == user))
    assert stored is None or len(stored) <= 32, stored


# --- the SMTP server's answers ----------------------------------------------------------------------------


def test_an_accepting_smtp_server_finishes_the_job(app_factory, smtp_server, run_jobs):
    """The control for the refusals below."""
    inbox = Inbox()
    app = smtp_app(app_factory, smtp_server(inbox), JOBS_RUN_INLINE=False)
    queue_email(app)

    retrying, finished = queued_outcome(app, run_jobs)

    assert retrying == [] and len(finished) == 1
    assert len(inbox.accepted) == 1


@pytest.mark.parametrize(
    "refusal",
    [
        {"rcpt_reply": "550 5.1.1 Mailbox unavailable"},
        {"rcpt_reply": "451 4.3.0 Try again later"},
        {"data_reply": "554 5.7.1 Message rejected as spam"},
        {"data_reply": "452 4.3.1 Insufficient system storage"},
    ],
    ids=["rcpt 550", "rcpt 451", "data 554", "data 452"],
)
def test_an_smtp_refusal_fails_the_job_for_a_retry(app_factory, smtp_server, run_jobs, refusal):
    inbox = Inbox(**refusal)
    app = smtp_app(app_factory, smtp_server(inbox), JOBS_RUN_INLINE=False)
    queue_email(app)

    assert_retried_not_delivered(app, run_jobs)
    assert inbox.accepted == []


@pytest.mark.parametrize(
    "greeting", [b"554 5.3.2 No service for you\r\n", b"421 4.3.2 Shutting down\r\n", None, b"garbage\r\n"]
)
def test_an_smtp_server_that_refuses_garbles_or_keeps_silent_fails_the_job_for_a_retry(
    app_factory, raw_server, run_jobs, greeting
):
    app = smtp_app(app_factory, raw_server(greeting).port, JOBS_RUN_INLINE=False)
    queue_email(app)
    started = time.monotonic()

    assert_retried_not_delivered(app, run_jobs)
    assert time.monotonic() - started < 15  # MAIL_TIMEOUT=1: a silent server does not hold the worker


def test_an_unreachable_smtp_server_fails_the_send(app_factory):
    app = smtp_app(app_factory, free_port())  # nothing listens there

    with app.app_context(), pytest.raises((smtplib.SMTPException, OSError)):
        send_email({"to": "alice@example.com", "subject": "Hello", "text": "Hi."})


def test_a_server_without_starttls_gets_nothing_in_plain_text(app_factory, smtp_server):
    """MAIL_USE_TLS (the default) means STARTTLS or nothing: no falling back to a plain-text session."""
    inbox = Inbox()
    app = smtp_app(app_factory, smtp_server(inbox), MAIL_USE_TLS=True)

    with app.app_context(), pytest.raises(smtplib.SMTPNotSupportedError):
        send_email({"to": "alice@example.com", "subject": "Hello", "text": "Hi."})

    assert inbox.accepted == []


def test_an_smtp_refusal_never_fails_the_request_that_queued_the_mail(app_factory, smtp_server, make_user):
    make_user(username="alice", email="alice@example.com")
    inbox = Inbox(data_reply="554 5.7.1 Rejected")
    client = smtp_app(app_factory, smtp_server(inbox)).test_client()  # jobs run at once, as in the tests' default

    response = client.post(f"{API}/password-reset/", json={"email": "alice@example.com"})

    assert response.status_code == 202
    assert response.json == {"message": "If that address has an account, a reset link is on its way."}
    assert inbox.accepted == []
