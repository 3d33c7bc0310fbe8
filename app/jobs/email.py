"""Email delivery jobs."""

from rq import get_current_job

from app.integrations import mail


def send_email(email: dict) -> None:
    """Deliver one email; SMTP failures raise, and RQ retries with backoff. Its Message-ID is the job's, so a retry
    after a worker died mid-send is the same message, not a second one."""
    job = get_current_job()
    mail.deliver(mail.Email(**email), message_id=f"<{job.id}@stride>" if job else None)
