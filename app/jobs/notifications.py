"""Notification jobs."""

from app.services import notifications


def announce(message: str, usernames: list[str] | None = None) -> int:
    """A system notification for the named people, or for everyone (one INSERT … SELECT, one broadcast)."""
    if usernames is None:
        return notifications.announce_to_all(message)
    return notifications.announce_to(usernames, message)
