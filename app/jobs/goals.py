"""Goal jobs."""

from app.jobs.periodic import periodic
from app.services import goals


@periodic
def expire_goals() -> int:
    """Deactivate goals whose end date has come (owners' timezones) and notify them; idempotent."""
    return goals.expire_due_goals()
