"""The development mail backends (console, file) show the email as a person reads it: a reset link copied from
the log or the .eml file works (no quoted-printable `=3D`, no soft line breaks)."""

import logging
import re

from tests.conftest import login
from tests.factories import UserFactory

FRONTEND = "https://app.example"
RESET_LINK = re.compile(r"https://app\.example/reset-password\?token=([^\s]+)")
NEW_PASSWORD = "a brand new passphrase"


def request_reset_and_use_link(app, text: str) -> None:
    """Take the one reset link out of `text` as a person would copy it, and reset the password with it."""
    links = RESET_LINK.findall(text)
    assert len(links) == 1, text
    assert "=3D" not in text and "=\n" not in text, text
    client = app.test_client()
    response = client.post("/api/v1/password-reset/confirm/", json={"token": links[0], "new_password": NEW_PASSWORD})
    assert response.status_code == 200, response.json
    assert login(client, "alice", NEW_PASSWORD)["user"]["username"] == "alice"


def ask_for_reset(app) -> None:
    with app.app_context():
        UserFactory(username="alice", email="alice@example.com")
    response = app.test_client().post("/api/v1/password-reset/", json={"email": "alice@example.com"})
    assert response.status_code == 202, response.json


def test_console_email_logs_the_reset_link_whole(app_factory, caplog):
    app = app_factory(MAIL_BACKEND="console", FRONTEND_URL=FRONTEND)
    caplog.set_level(logging.WARNING, logger="app.integrations.mail")

    ask_for_reset(app)

    logged = "\n".join(record.getMessage() for record in caplog.records if record.name == "app.integrations.mail")
    assert "Subject: Reset your Stride password" in logged
    request_reset_and_use_link(app, logged)


def test_file_email_holds_the_reset_link_whole(app_factory, tmp_path):
    app = app_factory(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path), FRONTEND_URL=FRONTEND)

    ask_for_reset(app)

    [written] = tmp_path.glob("*.eml")
    raw = written.read_bytes().decode("utf-8")
    assert "Subject: Reset your Stride password" in raw
    request_reset_and_use_link(app, raw)


def test_a_retried_email_job_is_the_same_message_not_a_second_one(app_factory, tmp_path):
    """A worker killed after sending makes RQ run the job again: the retry carries the job's Message-ID, which mail
    clients show once, and the file backend writes once."""
    from dataclasses import asdict

    from app.integrations.mail import Email
    from app.queueing import JobName, JobRequest, enqueue_now

    app = app_factory(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path))
    email = asdict(Email("alice@example.com", "Hello", "Once."))
    with app.app_context():
        for _ in range(2):  # the same job, run twice
            enqueue_now(JobRequest(JobName.SEND_EMAIL, (email,), job_id="outbox-abc123"))
        enqueue_now(JobRequest(JobName.SEND_EMAIL, (email,), job_id="outbox-def456"))  # another email

    written = sorted(path.name for path in tmp_path.glob("*.eml"))
    assert written == ["outbox-abc123_stride.eml", "outbox-def456_stride.eml"]
    assert "Message-ID: <outbox-abc123@stride>" in (tmp_path / written[0]).read_text()
