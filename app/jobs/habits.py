"""Habit jobs."""

from app.services import habits


def remind_habits() -> int:
    """One reminder pass: every habit due now, once per due slot (safe to run twice or concurrently)."""
    return habits.remind_due_habits()
