"""The one place that emits Socket.IO events. Services call it after their commit.

In production every process (web or worker) emits through the Redis message queue, so a client
connected to any web process receives events produced anywhere; in embedded mode it is all one process.
"""

import logging
import time

import socketio as python_socketio
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from app.extensions import redis_store, socketio

log = logging.getLogger(__name__)

NOTIFICATIONS = "/notifications"
CHAT = "/chat"
EVERYONE = "everyone"
SOCKET_SESSION = "stride:socket:{}"  # "namespace socket id" → auth session id
SESSION_SOCKETS = "stride:session-sockets:{}"  # auth session id → "namespace socket id" entries
CHAT_PRESENCE = "stride:chat-presence:{}"  # user id → ZSET of their connected chat sockets, scored by expiry
TRACK_TTL = 31 * 24 * 3600
PRESENCE_TTL = 3600  # a chat socket counts as present this long after its last sign of life


class EmitFailed(RedisConnectionError):
    """The Socket.IO message queue refused an emit: the outbox keeps it for a later try."""


class MessageQueue(python_socketio.RedisManager):
    """python-socketio's Redis manager, except that an emit it cannot publish raises `EmitFailed` instead of being
    logged and dropped, so an emit made through the outbox (`app.queueing.emit`) is tried again later."""

    def _publish(self, data):
        for last_try in (False, True):  # a second try on a fresh connection, as the parent does
            try:
                if not self.connected:
                    self._redis_connect()
                return self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as error:
                self.connected = False
                if last_try:
                    raise EmitFailed(f"cannot publish to the Socket.IO message queue: {error}") from error


def message_queue(url: str | None, channel: str) -> MessageQueue | None:
    """The client manager every process emits through: Redis at `url`, or none (one process: in memory)."""
    return MessageQueue(url, channel=channel) if url else None


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_to_user(user_id: int, event: str, payload: dict) -> None:
    socketio.emit(event, payload, to=user_room(user_id), namespace=NOTIFICATIONS)


def broadcast(event: str, payload: dict) -> None:
    """One emit for every connected person (an announcement), whatever their number."""
    socketio.emit(event, payload, to=EVERYONE, namespace=NOTIFICATIONS)


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def emit_to_conversation(
    conversation_id: int, member_ids: list[int], event: str, payload: dict, *, skip_sid: str | None = None
) -> None:
    """One chat event for everyone in a conversation: the sockets that joined its room and every chat socket of
    its members (a device that has not joined yet still hears it), each once; `skip_sid` (the sender's socket,
    which has its acknowledgement) excepted."""
    rooms = [conversation_room(conversation_id), *(user_room(user_id) for user_id in member_ids)]
    socketio.emit(event, payload, to=rooms, namespace=CHAT, skip_sid=skip_sid)


def close_conversation_room(conversation_id: int) -> None:
    """Empty a conversation's room (someone left a group's conversation): the members' sockets still hear it
    through their own rooms, the one who left no longer does. Every process's sockets, through the queue."""
    socketio.close_room(conversation_room(conversation_id), namespace=CHAT)


def _entry(namespace: str, socket_id: str) -> str:
    return f"{namespace} {socket_id}"


def track_socket(socket_id: str, session_id: str, namespace: str = NOTIFICATIONS) -> None:
    """Remember which login a socket belongs to, so revoking the login can disconnect it."""
    entry = _entry(namespace, socket_id)
    with redis_store.client.pipeline(transaction=False) as pipe:
        pipe.set(SOCKET_SESSION.format(entry), session_id, ex=TRACK_TTL)
        pipe.sadd(SESSION_SOCKETS.format(session_id), entry)
        pipe.expire(SESSION_SOCKETS.format(session_id), TRACK_TTL)
        pipe.execute()


def forget_socket(socket_id: str, namespace: str = NOTIFICATIONS) -> None:
    client = redis_store.client
    entry = _entry(namespace, socket_id)
    session_id = client.getdel(SOCKET_SESSION.format(entry))
    if session_id:
        client.srem(SESSION_SOCKETS.format(session_id.decode()), entry)


def disconnect_sessions(session_ids: list[str]) -> None:
    """Disconnect every socket of these logins, in every namespace, on whichever process holds it."""
    client = redis_store.client
    for session_id in session_ids:
        for entry in client.smembers(SESSION_SOCKETS.format(session_id)):
            namespace, _, socket_id = entry.decode().rpartition(" ")
            socketio.server.disconnect(socket_id, namespace=namespace or NOTIFICATIONS)
        client.delete(SESSION_SOCKETS.format(session_id))


# --- who has a chat client open -------------------------------------------------------------------------------


def mark_present(user_id: int, socket_id: str) -> None:
    """A chat socket of this person is connected (refreshed on each of its events, so a process that died
    without saying goodbye leaves presence that expires)."""
    key = CHAT_PRESENCE.format(user_id)
    with redis_store.client.pipeline(transaction=False) as pipe:
        pipe.zadd(key, {socket_id: time.time() + PRESENCE_TTL})
        pipe.expire(key, PRESENCE_TTL)
        pipe.execute()


def mark_absent(user_id: int, socket_id: str) -> None:
    redis_store.client.zrem(CHAT_PRESENCE.format(user_id), socket_id)


def is_in_chat(user_id: int) -> bool:
    """Whether this person has a chat client connected now. Unknown (Redis unreachable) counts as no: a
    notification too many beats a message nobody hears of."""
    key = CHAT_PRESENCE.format(user_id)
    try:
        with redis_store.client.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.zcard(key)
            return pipe.execute()[1] > 0
    except RedisError as error:
        log.warning("chat presence unknown (%s); notifying", error)
        return False
