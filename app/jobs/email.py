"""Email delivery jobs."""

from app.integrations import mail


def send_email(email: dict) -> None:
    """Deliver one email; SMTP failures raise, and RQ retries with backoff."""
    mail.deliver(mail.Email(**email))
