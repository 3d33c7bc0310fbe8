"""The one place that emits Socket.IO events. Services call it after their commit.

In production every process (web or worker) emits through the Redis message queue, so a client
connected to any web process receives events produced anywhere; in embedded mode it is all one process.
"""

import logging

from app.extensions import redis_store, socketio

log = logging.getLogger(__name__)

NOTIFICATIONS = "/notifications"
EVERYONE = "everyone"
SOCKET_SESSION = "stride:socket:{}"  # socket id → auth session id
SESSION_SOCKETS = "stride:session-sockets:{}"  # auth session id → socket ids
TRACK_TTL = 31 * 24 * 3600


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_to_user(user_id: int, event: str, payload: dict) -> None:
    socketio.emit(event, payload, to=user_room(user_id), namespace=NOTIFICATIONS)


def broadcast(event: str, payload: dict) -> None:
    """One emit for every connected person (an announcement), whatever their number."""
    socketio.emit(event, payload, to=EVERYONE, namespace=NOTIFICATIONS)


def track_socket(socket_id: str, session_id: str) -> None:
    """Remember which login a socket belongs to, so revoking the login can disconnect it."""
    with redis_store.client.pipeline(transaction=False) as pipe:
        pipe.set(SOCKET_SESSION.format(socket_id), session_id, ex=TRACK_TTL)
        pipe.sadd(SESSION_SOCKETS.format(session_id), socket_id)
        pipe.expire(SESSION_SOCKETS.format(session_id), TRACK_TTL)
        pipe.execute()


def forget_socket(socket_id: str) -> None:
    client = redis_store.client
    session_id = client.getdel(SOCKET_SESSION.format(socket_id))
    if session_id:
        client.srem(SESSION_SOCKETS.format(session_id.decode()), socket_id)


def disconnect_sessions(session_ids: list[str]) -> None:
    """Disconnect every socket of these logins, on whichever process holds it."""
    client = redis_store.client
    for session_id in session_ids:
        for socket_id in client.smembers(SESSION_SOCKETS.format(session_id)):
            socketio.server.disconnect(socket_id.decode(), namespace=NOTIFICATIONS)
        client.delete(SESSION_SOCKETS.format(session_id))
