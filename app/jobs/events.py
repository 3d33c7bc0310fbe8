"""Event jobs."""

from app.jobs.periodic import periodic
from app.services import event_reminders


@periodic
def remind_events() -> int:
    """One reminder pass: every event reminder due now, once per person, reminder and start time (safe to run
    twice or concurrently)."""
    return event_reminders.remind_due_events()
