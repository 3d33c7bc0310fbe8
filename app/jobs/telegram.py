"""Telegram jobs."""

from app.integrations import telegram


def send_message(chat_id: str, text: str) -> None:
    """Send one message; failures raise so RQ retries with backoff."""
    telegram.send_message(chat_id, text)
