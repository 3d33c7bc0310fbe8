"""Email: composed by services, delivered by a background job through the configured backend.

Backends (`MAIL_BACKEND`): `smtp` (the default when `MAIL_SERVER` is set), `console` (logs the message;
the embedded default) and `file` (writes .eml files under `MAIL_FILE_DIR`).
"""

import logging
import os
import re
import smtplib
import ssl
import uuid
from dataclasses import asdict, dataclass
from email.message import EmailMessage

from flask import current_app

from app.queueing import JobName, enqueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str


def send_after_commit(email: Email) -> None:
    """Queue the email; it leaves only if the current transaction commits."""
    enqueue(JobName.SEND_EMAIL, asdict(email), queue="high")


def build_message(email: Email, *, readable: bool = False, message_id: str | None = None) -> EmailMessage:
    """The MIME message; `readable` keeps the body as plain UTF-8 text (8bit) instead of quoted-printable,
    so a link in a file or the log can be copied whole (used where no SMTP server sees it)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@stride>"
    fits_8bit = readable and all(len(line.encode()) <= 998 for line in email.text.splitlines())
    message.set_content(email.text, cte="8bit" if fits_8bit else None)
    return message


def as_text(message: EmailMessage) -> str:
    """Headers and the decoded body, as a person reads them: no quoted-printable `=3D` or soft line breaks."""
    headers = "".join(f"{name}: {value}\n" for name, value in message.items() if name != "Content-Transfer-Encoding")
    return f"{headers}\n{message.get_content()}"


def deliver(email: Email, message_id: str | None = None) -> None:
    """Send the email. A job passes a Message-ID of its own (`<job id@stride>`): a retry of a job that died after
    sending sends the same message again, which mail clients show once (and the file backend writes once)."""
    config = current_app.config
    backend = config.get("MAIL_BACKEND") or ("smtp" if config.get("MAIL_SERVER") else "console")
    message = build_message(email, readable=backend != "smtp", message_id=message_id)
    if backend == "smtp":
        _send_smtp(message)
    elif backend == "file":
        directory = config["MAIL_FILE_DIR"]
        os.makedirs(directory, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", message["Message-ID"].strip("<>"))
        path = os.path.join(directory, f"{name}.eml")
        with open(path, "wb") as handle:
            handle.write(bytes(message))
        log.info("email to %s written to %s", email.to, path)
    elif backend == "console":
        log.warning("email (console backend; set MAIL_SERVER to send it):\n%s", as_text(message))
    else:
        raise ValueError(f"unknown MAIL_BACKEND {backend!r}")


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    log.info("email %s sent to %s", message["Subject"], message["To"])
