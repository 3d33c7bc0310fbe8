"""Habit jobs."""

from app.jobs.periodic import periodic
from app.services import habits


@periodic
def remind_habits() -> int:
    """One reminder pass: every habit due now, once per due slot (safe to run twice or concurrently)."""
    return habits.remind_due_habits()
