"""Challenge jobs."""

from app.jobs.periodic import periodic
from app.services import challenge_closing


@periodic
def close_challenges() -> int:
    """Close every challenge whose end date has passed: final ranking, badges and notifications, once per challenge
    (safe to run twice or concurrently)."""
    return challenge_closing.close_due_challenges()
