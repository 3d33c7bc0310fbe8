"""Telegram: linking a person's chat with a one-time code sent to the bot (messages go through
`app.integrations.telegram`)."""

import hmac
import re
import secrets

from flask import current_app
from sqlalchemy import select

from app.errors import Conflict, NotFound, ServiceUnavailable
from app.extensions import db, redis_store
from app.integrations.telegram import send_after_commit
from app.models import User
from app.services import mfa

LINK_CODE = "stride:telegram:link:{}"
LINK_TTL = 10 * 60
_CODE_IN_TEXT = re.compile(r"(?:/start\s+)?([A-Z0-9]{8})\b")


def start_link(user: User) -> dict:
    """A one-time code the person sends to the bot (valid 10 minutes)."""
    require_configured()
    code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
    redis_store.client.set(LINK_CODE.format(code), user.id, ex=LINK_TTL)
    bot = current_app.config["TELEGRAM_BOT_USERNAME"]
    return {
        "code": code,
        "expires_in": LINK_TTL,
        "bot_url": f"https://t.me/{bot}?start={code}" if bot else None,
        "instructions": f"Send {code} to the Stride bot on Telegram within 10 minutes.",
    }


def unlink(user: User) -> None:
    if user.telegram_chat_id is None:
        raise NotFound("No Telegram chat is linked.")
    if "telegram" in mfa.methods_of(user):
        raise Conflict("The chat is your second factor: turn the second factor off first (DELETE /2fa/).")
    user.telegram_chat_id = None
    db.session.commit()


def is_genuine_webhook(path_secret: str, header_secret: str | None) -> bool:
    expected = current_app.config["TELEGRAM_WEBHOOK_SECRET"]
    if not expected:
        return False
    return hmac.compare_digest(path_secret, expected) and hmac.compare_digest(header_secret or "", expected)


def handle_update(update: dict) -> str:
    """Complete a link from the bot's chat: `/start CODE` or `CODE`. Returns what happened."""
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    text = message.get("text") if isinstance(message, dict) else None
    text = text.strip().upper() if isinstance(text, str) else ""
    if not _is_chat_id(chat_id):
        return "ignored"  # not a message from a chat as Telegram sends them: nothing to answer
    match = _CODE_IN_TEXT.search(text)
    user_id = redis_store.client.getdel(LINK_CODE.format(match.group(1))) if match else None
    user = db.session.get(User, int(user_id)) if user_id else None
    if user is None or not user.is_active:
        send_after_commit(str(chat_id), "That code is unknown or has expired. Ask Stride for a new one.")
        db.session.commit()
        return "unknown_code"
    taken = db.session.scalar(select(User).where(User.telegram_chat_id == str(chat_id), User.id != user.id))
    if taken is not None:
        taken.telegram_chat_id = None  # one chat, one account: the newest link wins
    user.telegram_chat_id = str(chat_id)
    send_after_commit(str(chat_id), f"Linked to Stride as {user.username}. Reminders will arrive here.")
    db.session.commit()
    return "linked"


def _is_chat_id(value) -> bool:
    """Telegram's chat ids are integers of at most 52 bits (negative for groups); anything else is not a chat."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53


def require_configured() -> None:
    if not current_app.config["TELEGRAM_BOT_TOKEN"]:
        raise ServiceUnavailable("Telegram is not configured on this server.")
