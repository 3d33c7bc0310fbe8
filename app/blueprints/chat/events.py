"""Socket.IO `/chat` (SPEC §7): connect with `auth: {token}` (or the access cookie in cookie mode), then

- `join` `{conversation_id}` → ack `{ok: true, conversation_id}`: the socket hears that conversation's room;
- `message` `{conversation_id, client_id, text}` → ack `{ok: true, message}` once the message is stored (the same
  `client_id` again stores nothing and acknowledges the first message);
- `typing` `{conversation_id}` → ack `{ok: true}` (not stored, rate-limited);
- `read` `{conversation_id, message_id}` → ack `{ok: true, receipt}`;
- `leave` `{conversation_id}` → ack `{ok: true}`.

A refusal is acknowledged `{ok: false, error}` with `error` in the API's one error shape (422 bad payload, 404 not a
member, 403 blocked, 429 too fast, 503 a service down). The server emits `message`, `typing`, `read` and `deleted`
to every chat socket of both people, across processes through the Redis message queue.
"""

import logging
from collections.abc import Callable
from functools import cache, wraps

import marshmallow as ma
from flask import current_app, request, session
from flask_socketio import join_room, leave_room
from limits import RateLimitItem, parse_many
from redis.exceptions import RedisError
from socketio.exceptions import ConnectionRefusedError as SocketConnectionRefused
from sqlalchemy.exc import SQLAlchemyError

from app import metrics
from app.blueprints.chat.schemas import ChatMessageSchema, SocketJoinSchema, SocketMessageSchema, SocketReadSchema
from app.errors import DomainError, error_body, outage_service, unavailable
from app.extensions import db, limiter, socketio
from app.input_guard import MAX_JSON_DEPTH, depth_exceeds, json_errors
from app.integrations import realtime
from app.models import User
from app.security import socket_identity
from app.services import chat

log = logging.getLogger(__name__)

CHAT = realtime.CHAT
_message_schema = ChatMessageSchema()


@socketio.on("connect", namespace=CHAT)
def on_connect(auth=None):
    """Refuse bad, expired or revoked tokens; the socket hears every conversation of its person."""
    try:
        user, claims = socket_identity(auth)
        session["chat_user_id"] = user.id
        join_room(realtime.user_room(user.id))
        realtime.track_socket(request.sid, claims["sid"], CHAT)
        realtime.mark_present(user.id, request.sid)
        metrics.socket_connected(CHAT)
    except (RedisError, SQLAlchemyError) as error:
        service = outage_service(error)
        if service is None:
            raise
        raise SocketConnectionRefused(unavailable(service, error)[0]["message"]) from None
    finally:
        db.session.remove()  # the connection outlives this handler; hold no database session


@socketio.on("disconnect", namespace=CHAT)
def on_disconnect(*_reason):
    metrics.socket_disconnected(CHAT)
    user_id = session.get("chat_user_id")
    try:
        realtime.forget_socket(request.sid, CHAT)
        if user_id is not None:
            realtime.mark_absent(user_id, request.sid)
    except RedisError as error:  # presence expires on its own; the revocation entry too
        log.warning("chat socket %s not forgotten: %s", request.sid, error)


def _refusal(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    return {"ok": False, "error": error_body(code, message, errors)}


@cache
def _rates(text: str) -> list[RateLimitItem]:
    return parse_many(text)


def _within_rate(setting: str, user_id: int) -> bool:
    """The configured rate (`RATELIMIT_*`) for this person on this socket event, counted in the limiter's storage."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    rates = _rates(current_app.config[setting])
    return all(limiter.limiter.hit(rate, "chat-socket", setting, str(user_id)) for rate in rates)


def _payload_errors(payload) -> dict | None:
    """What the API's input guard refuses in a body, for a socket payload (already parsed by Socket.IO)."""
    if not isinstance(payload, dict):
        return {"_schema": ["The payload must be a JSON object."]}
    if depth_exceeds(payload, MAX_JSON_DEPTH):
        return {"_schema": [f"The payload is nested more than {MAX_JSON_DEPTH} levels deep."]}
    return json_errors(payload)


def chat_event(schema: ma.Schema, *, rate: str | None = None) -> Callable:
    """A `/chat` event handler: `handler(user, data)` gets the signed-in person and the payload loaded by `schema`,
    and answers the ack's fields; every refusal becomes `{ok: false, error}`, never an unanswered ack."""

    def decorate(handler: Callable[[User, dict], dict]) -> Callable:
        @wraps(handler)
        def wrapper(payload=None, *_extra):
            try:
                errors = _payload_errors(payload)
                if errors:
                    return _refusal(422, "The payload is not valid.", errors)
                try:
                    data = schema.load(payload)
                except ma.ValidationError as error:
                    return _refusal(422, "The payload is not valid.", error.normalized_messages())
                user = db.session.get(User, session.get("chat_user_id"))
                if user is None or not user.is_active:
                    return _refusal(401, "Sign in again.")
                realtime.mark_present(user.id, request.sid)
                if rate and not _within_rate(rate, user.id):
                    return _refusal(429, "Too many requests; slow down.")
                return {"ok": True, **handler(user, data)}
            except DomainError as error:
                db.session.rollback()
                return _refusal(error.code, error.message, error.errors)
            except (RedisError, SQLAlchemyError) as error:
                service = outage_service(error)
                if service is None:
                    raise
                return {"ok": False, "error": unavailable(service, error)[0]}
            finally:
                db.session.remove()

        return wrapper

    return decorate


@socketio.on("join", namespace=CHAT)
@chat_event(SocketJoinSchema())
def on_join(user: User, data: dict) -> dict:
    joined = chat.join_conversation(user, data["conversation_id"])
    join_room(realtime.conversation_room(data["conversation_id"]))
    return joined


@socketio.on("leave", namespace=CHAT)
@chat_event(SocketJoinSchema())
def on_leave(_user: User, data: dict) -> dict:
    leave_room(realtime.conversation_room(data["conversation_id"]))
    return {"conversation_id": data["conversation_id"]}


@socketio.on("message", namespace=CHAT)
@chat_event(SocketMessageSchema(), rate="RATELIMIT_MESSAGES")
def on_message(user: User, data: dict) -> dict:
    message, _created = chat.send_message(
        user, data["conversation_id"], data["text"], data["client_id"], skip_sid=request.sid
    )
    return {"message": _message_schema.dump(message)}


@socketio.on("typing", namespace=CHAT)
@chat_event(SocketJoinSchema(), rate="RATELIMIT_TYPING")
def on_typing(user: User, data: dict) -> dict:
    chat.signal_typing(user, data["conversation_id"], skip_sid=request.sid)
    return {}


@socketio.on("read", namespace=CHAT)
@chat_event(SocketReadSchema())
def on_read(user: User, data: dict) -> dict:
    return {"receipt": chat.mark_read(user, data["conversation_id"], data["message_id"])}
