"""Telegram's Bot API: sendMessage.

Messages leave from an RQ job (`app.jobs.telegram.send_message`): a timeout or an error from Telegram
raises, the job is retried with backoff, and other messages are unaffected.
"""

import logging

import requests
from flask import current_app

from app.queueing import JobName, enqueue

log = logging.getLogger(__name__)


class TelegramError(RuntimeError):
    """Telegram did not accept a message (network failure, timeout or an error answer)."""


def send_message(chat_id: str, text: str) -> None:
    config = current_app.config
    token = config["TELEGRAM_BOT_TOKEN"]
    if not token:
        raise TelegramError("TELEGRAM_BOT_TOKEN is not set")
    url = f"{config['TELEGRAM_API_URL'].rstrip('/')}/bot{token}/sendMessage"
    try:
        # No redirects: a redirect would carry the message (a login code, say) to whatever host it names.
        response = requests.post(
            url, json={"chat_id": chat_id, "text": text}, timeout=config["TELEGRAM_TIMEOUT"], allow_redirects=False
        )
    except requests.RequestException as exc:
        log.warning("telegram: sending to chat %s failed: %s", chat_id, type(exc).__name__)
        raise TelegramError(f"request failed: {type(exc).__name__}") from exc
    try:
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
    except ValueError:  # not JSON, whatever its Content-Type says
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status_code != 200 or not body.get("ok"):
        log.warning("telegram: chat %s answered %s %s", chat_id, response.status_code, body.get("description"))
        raise TelegramError(f"Telegram answered {response.status_code}: {body.get('description', '')}")


def send_after_commit(chat_id: str, text: str) -> None:
    enqueue(JobName.SEND_TELEGRAM, chat_id, text, queue="high")
