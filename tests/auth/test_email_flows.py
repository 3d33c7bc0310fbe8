"""Password reset and email verification, end to end: HTTP API → RQ job → a real SMTP server (aiosmtpd)."""

import email
import hashlib
import re
import smtplib
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from rq.job import JobStatus
from sqlalchemy import select, update

from app.extensions import db
from app.jobs.email import send_email
from app.models import OneTimeToken, TokenPurpose, User
from app.models.base import utcnow
from app.queueing import get_queue
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.servers import free_port

FRONTEND = "https://app.example"
RESET_LINK = re.compile(r"https://app\.example/reset-password\?token=([A-Za-z0-9_-]+)")
VERIFY_LINK = re.compile(r"https://app\.example/verify-email\?token=([A-Za-z0-9_-]+)")
NEW_PASSWORD = "a brand new passphrase"
RESET_ANSWER = {"message": "If that address has an account, a reset link is on its way."}


# --- a real SMTP server -------------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content()  # decoded: long lines travel quoted-printable ("token=" → "token=3D")


@dataclass
class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    port: int = 0
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def only(self, to: str) -> Received:
        assert len(self.messages) == 1, [m.message["Subject"] for m in self.messages]
        received = self.messages[0]
        assert received.rcpt_tos == [to]
        assert received.message["To"] == to
        return received


@pytest.fixture
def inbox():
    handler = Inbox(port=free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def mail_app_factory(app_factory, inbox):
    """Apps that deliver over SMTP to `inbox`; keyword arguments override further settings."""

    def factory(**overrides):
        settings = {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": inbox.port,
            "MAIL_USE_TLS": False,
            "MAIL_TIMEOUT": 5,
            "FRONTEND_URL": FRONTEND,
        }
        return app_factory(**{**settings, **overrides})

    return factory


@pytest.fixture
def mail_app(mail_app_factory):
    return mail_app_factory()


@pytest.fixture
def mail_client(mail_app):
    return mail_app.test_client()


def make_alice(app) -> int:
    with app.app_context():
        return UserFactory(username="alice").id


@pytest.fixture
def alice(mail_app):
    return make_alice(mail_app)


# --- helpers ------------------------------------------------------------------------------------------------


def assert_error(response, status: int, field_name: str | None = None) -> dict:
    assert response.status_code == status, response.json
    body = response.json
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    if field_name is not None:
        assert field_name in body["errors"]["json"], body
    return body


def token_from(received: Received, pattern: re.Pattern) -> str:
    matches = pattern.findall(received.body)
    assert len(matches) == 1, received.body
    return matches[0]


def request_reset(client, address: str = "alice@example.com"):
    response = client.post("/api/v1/password-reset/", json={"email": address})
    assert response.status_code == 202, response.json
    assert response.json == RESET_ANSWER
    return response


def confirm_reset(client, token: str, password: str = NEW_PASSWORD):
    return client.post("/api/v1/password-reset/confirm/", json={"token": token, "new_password": password})


def login_response(client, password: str):
    return client.post("/api/v1/login/", json={"username": "alice", "password": password})


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def tokens_of(app, user_id: int, purpose: TokenPurpose) -> list[OneTimeToken]:
    with app.app_context():
        query = select(OneTimeToken).where(OneTimeToken.user_id == user_id, OneTimeToken.purpose == purpose)
        rows = list(db.session.scalars(query.order_by(OneTimeToken.id)))
        db.session.expunge_all()
        return rows


# --- password reset -----------------------------------------------------------------------------------------


def test_password_reset_end_to_end(mail_client, alice, inbox):
    before = login(mail_client, "alice")
    other_device = login(mail_client, "alice")

    request_reset(mail_client)

    received = inbox.only("alice@example.com")
    assert received.rcpt_tos == ["alice@example.com"]
    assert received.message["Subject"] == "Reset your Stride password"
    assert "no-reply@stride.local" in received.message["From"]
    token = token_from(received, RESET_LINK)

    response = confirm_reset(mail_client, token)
    assert response.status_code == 200, response.json
    assert response.json["message"]

    assert_error(login_response(mail_client, DEFAULT_PASSWORD), 401)
    assert login(mail_client, "alice", NEW_PASSWORD)["user"]["username"] == "alice"

    # Every session that existed before the reset is over: access and refresh tokens alike.
    for session in (before, other_device):
        assert_error(mail_client.get("/api/v1/profile/", headers=bearer(session["access_token"])), 401)
        refreshed = mail_client.post("/api/v1/token/refresh/", json={"refresh_token": session["refresh_token"]})
        assert_error(refreshed, 401)

    # The link works once.
    assert_error(confirm_reset(mail_client, token, "yet another passphrase"), 422, "token")
    assert login(mail_client, "alice", NEW_PASSWORD)["access_token"]
    assert len(inbox.messages) == 1


def test_unknown_email_gets_the_same_answer_and_no_mail(mail_app, mail_client, alice, inbox):
    unknown = request_reset(mail_client, "nobody@example.com")

    assert inbox.messages == []
    with mail_app.app_context():
        assert db.session.scalars(select(OneTimeToken)).all() == []

    known = request_reset(mail_client, "alice@example.com")
    assert unknown.json == known.json
    assert inbox.only("alice@example.com")


def test_email_matching_ignores_case(mail_client, alice, inbox):
    request_reset(mail_client, "ALICE@Example.com")

    token = token_from(inbox.only("alice@example.com"), RESET_LINK)
    assert confirm_reset(mail_client, token).status_code == 200
    assert login(mail_client, "alice", NEW_PASSWORD)


def test_inactive_account_gets_no_mail(mail_app, mail_client, alice, inbox):
    with mail_app.app_context():
        db.session.execute(update(User).where(User.id == alice).values(deactivated_at=utcnow()))
        db.session.commit()

    request_reset(mail_client)

    assert inbox.messages == []


def test_a_new_request_retires_the_earlier_link(mail_client, alice, inbox):
    request_reset(mail_client)
    request_reset(mail_client)

    assert len(inbox.messages) == 2
    first, second = (token_from(received, RESET_LINK) for received in inbox.messages)
    assert first != second

    assert_error(confirm_reset(mail_client, first), 422, "token")
    assert login(mail_client, "alice")  # the failed attempt changed nothing

    assert confirm_reset(mail_client, second).status_code == 200
    assert login(mail_client, "alice", NEW_PASSWORD)


def test_an_expired_reset_link_fails(mail_app_factory, inbox):
    app = mail_app_factory(PASSWORD_RESET_TTL=-1)
    make_alice(app)
    client = app.test_client()

    request_reset(client)
    token = token_from(inbox.only("alice@example.com"), RESET_LINK)

    body = assert_error(confirm_reset(client, token), 422, "token")
    assert "expired" in body["message"]
    assert login(client, "alice")  # the old password still works


def test_a_reset_link_that_expired_in_the_database_fails(mail_app, mail_client, alice, inbox):
    request_reset(mail_client)
    token = token_from(inbox.only("alice@example.com"), RESET_LINK)
    with mail_app.app_context():
        db.session.execute(update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    assert_error(confirm_reset(mail_client, token), 422, "token")
    assert login(mail_client, "alice")


def test_invalid_reset_requests_are_rejected(mail_client, alice, inbox):
    assert_error(confirm_reset(mail_client, "not-a-real-token"), 422, "token")
    assert_error(mail_client.post("/api/v1/password-reset/", json={"email": "not-an-address"}), 422, "email")

    request_reset(mail_client)
    token = token_from(inbox.only("alice@example.com"), RESET_LINK)
    assert_error(confirm_reset(mail_client, token, "short"), 422, "new_password")
    assert confirm_reset(mail_client, token).status_code == 200  # a rejected body did not spend the token


def test_only_the_hash_of_a_token_is_stored(mail_app, mail_client, alice, inbox):
    request_reset(mail_client)
    token = token_from(inbox.only("alice@example.com"), RESET_LINK)

    (row,) = tokens_of(mail_app, alice, TokenPurpose.PASSWORD_RESET)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.used_at is None
    with mail_app.app_context():
        table = OneTimeToken.__table__
        stored = db.session.execute(select(table)).mappings().one()
        assert token not in {str(value) for value in stored.values()}

    assert confirm_reset(mail_client, token).status_code == 200
    (row,) = tokens_of(mail_app, alice, TokenPurpose.PASSWORD_RESET)
    assert row.used_at is not None


# --- email verification -------------------------------------------------------------------------------------


def test_email_verification_end_to_end(mail_app, mail_client, alice, inbox):
    headers = bearer(login(mail_client, "alice")["access_token"])
    assert mail_client.get("/api/v1/profile/", headers=headers).json["email_verified_at"] is None

    response = mail_client.post("/api/v1/verify-email/", headers=headers)
    assert response.status_code == 202, response.json
    assert response.json["message"]

    received = inbox.only("alice@example.com")
    assert received.message["Subject"] == "Confirm your email for Stride"
    token = token_from(received, VERIFY_LINK)
    (row,) = tokens_of(mail_app, alice, TokenPurpose.EMAIL_VERIFICATION)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()

    confirmed = mail_client.post("/api/v1/verify-email/confirm/", json={"token": token})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["id"] == alice
    assert confirmed.json["email"] == "alice@example.com"
    assert confirmed.json["email_verified_at"] is not None
    assert mail_client.get("/api/v1/profile/", headers=headers).json["email_verified_at"] is not None

    again = mail_client.post("/api/v1/verify-email/confirm/", json={"token": token})
    assert_error(again, 422, "token")
    assert_error(mail_client.post("/api/v1/verify-email/", headers=headers), 409)
    assert len(inbox.messages) == 1


def test_verification_needs_authentication(mail_client, alice, inbox):
    assert_error(mail_client.post("/api/v1/verify-email/"), 401)
    assert inbox.messages == []


def test_a_verification_token_is_not_a_reset_token(mail_client, alice, inbox):
    headers = bearer(login(mail_client, "alice")["access_token"])
    mail_client.post("/api/v1/verify-email/", headers=headers)
    token = token_from(inbox.only("alice@example.com"), VERIFY_LINK)

    assert_error(confirm_reset(mail_client, token), 422, "token")
    assert login(mail_client, "alice")  # the password did not change
    assert mail_client.post("/api/v1/verify-email/confirm/", json={"token": token}).status_code == 200


def test_an_expired_verification_link_fails(mail_app, mail_client, alice, inbox):
    headers = bearer(login(mail_client, "alice")["access_token"])
    mail_client.post("/api/v1/verify-email/", headers=headers)
    token = token_from(inbox.only("alice@example.com"), VERIFY_LINK)
    with mail_app.app_context():
        db.session.execute(update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    assert_error(mail_client.post("/api/v1/verify-email/confirm/", json={"token": token}), 422, "token")
    assert mail_client.get("/api/v1/profile/", headers=headers).json["email_verified_at"] is None


def test_changing_the_email_clears_verification(mail_client, alice, inbox):
    headers = bearer(login(mail_client, "alice")["access_token"])
    mail_client.post("/api/v1/verify-email/", headers=headers)
    token = token_from(inbox.only("alice@example.com"), VERIFY_LINK)
    assert mail_client.post("/api/v1/verify-email/confirm/", json={"token": token}).status_code == 200

    changed = mail_client.patch("/api/v1/profile/", json={"email": "new@example.com"}, headers=headers)

    assert changed.status_code == 200, changed.json
    assert changed.json["email"] == "new@example.com"
    assert changed.json["email_verified_at"] is None
    assert mail_client.get("/api/v1/profile/", headers=headers).json["email_verified_at"] is None

    # The new address can be verified, and the link goes to it.
    assert mail_client.post("/api/v1/verify-email/", headers=headers).status_code == 202
    assert len(inbox.messages) == 2
    assert inbox.messages[1].rcpt_tos == ["new@example.com"]


# --- delivery happens in a job ------------------------------------------------------------------------------


def test_mail_leaves_only_when_a_worker_runs_the_job(mail_app_factory, inbox, run_jobs):
    app = mail_app_factory(JOBS_RUN_INLINE=False)
    make_alice(app)
    client = app.test_client()

    request_reset(client)

    assert inbox.messages == []
    with app.app_context():
        queue = get_queue("high")
        assert queue.count == 1
        (job,) = queue.get_jobs()
        # The request only queues the look-up: neither its answer nor its timing reveals the account.
        assert job.func_name == "app.jobs.auth.send_password_reset"
        assert job.args[0] == "alice@example.com"

    run_jobs(app, "WARNING")
    assert len(inbox.messages) == 1

    token = token_from(inbox.only("alice@example.com"), RESET_LINK)
    with app.app_context():
        assert job.get_status(refresh=True) == JobStatus.FINISHED
        assert get_queue("high").count == 0
    assert confirm_reset(client, token).status_code == 200


def test_an_smtp_outage_fails_the_job_so_rq_retries_it(mail_app_factory, inbox, run_jobs):
    app = mail_app_factory(JOBS_RUN_INLINE=False, MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nothing listens there
    make_alice(app)
    client = app.test_client()

    request_reset(client)  # the request itself does not care
    with app.app_context():
        (job,) = get_queue("high").get_jobs()

    def retry_scheduled() -> bool:
        with app.app_context():
            return job.get_status(refresh=True) == JobStatus.SCHEDULED

    run_jobs(app, "WARNING")
    assert retry_scheduled()
    with app.app_context():
        job.refresh()
        assert job.retries_left == 2  # Retry(max=3): one attempt spent
        assert job.id in get_queue("high").scheduled_job_registry.get_job_ids()
    assert inbox.messages == []


def test_an_email_whose_retries_smtp_refused_all_shows_as_failed_in_jobs_status(mail_app_factory, inbox, run_jobs):
    app = mail_app_factory(JOBS_RUN_INLINE=False, MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nothing listens there
    make_alice(app)
    request_reset(app.test_client())
    with app.app_context():
        (job,) = get_queue("high").get_jobs()
        job.retries_left = 0  # its earlier tries were refused too
        job.save()

    run_jobs(app, "CRITICAL")

    status = app.test_cli_runner().invoke(args=["jobs", "status"]).output
    assert "queue high     queued=0 started=0 scheduled=0 failed=1" in status
    assert f"failed {job.id}: app.jobs.auth.send_password_reset ConnectionRefusedError" in status
    assert inbox.messages == []


def test_unknown_addresses_queue_the_same_job_as_known_ones(mail_app_factory, inbox):
    app = mail_app_factory(JOBS_RUN_INLINE=False)
    make_alice(app)
    client = app.test_client()

    known = request_reset(client)
    unknown = client.post("/api/v1/password-reset/", json={"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.json == unknown.json
    with app.app_context():
        assert [job.func_name for job in get_queue("high").get_jobs()] == ["app.jobs.auth.send_password_reset"] * 2


def test_a_password_change_retires_an_outstanding_reset_link(mail_client, alice, inbox):
    request_reset(mail_client)
    token = token_from(inbox.only("alice@example.com"), RESET_LINK)
    access = login(mail_client, "alice")["access_token"]
    mail_client.put(
        "/api/v1/change-password/",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "changed it myself"},
        headers=bearer(access),
    )

    response = confirm_reset(mail_client, token)

    assert response.status_code == 422


def test_a_verification_link_dies_when_the_email_changes(mail_client, alice, inbox):
    access = bearer(login(mail_client, "alice")["access_token"])
    mail_client.post("/api/v1/verify-email/", headers=access)
    token = token_from(inbox.only("alice@example.com"), VERIFY_LINK)
    mail_client.patch("/api/v1/profile/", json={"email": "other@example.com"}, headers=access)

    response = mail_client.post("/api/v1/verify-email/confirm/", json={"token": token})

    assert response.status_code == 422
    assert mail_client.get("/api/v1/profile/", headers=access).json["email_verified_at"] is None


def test_send_email_raises_when_smtp_is_down(mail_app_factory):
    app = mail_app_factory(MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    email_dict = {"to": "alice@example.com", "subject": "Hello", "text": "Hi."}

    with app.app_context(), pytest.raises((ConnectionRefusedError, OSError, smtplib.SMTPException)):
        send_email(email_dict)


def test_send_email_delivers_over_smtp(mail_app, inbox):
    with mail_app.app_context():
        send_email({"to": "bob@example.com", "subject": "Hello", "text": "Hi Bob.\n"})

    received = inbox.only("bob@example.com")
    assert received.message["Subject"] == "Hello"
    assert received.body.splitlines() == ["Hi Bob."]
    assert received.message["Message-ID"]
