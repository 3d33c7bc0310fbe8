"""Socket.IO `/notifications`: connect with `auth: {token}`; receive `notification` and `unread_count`."""

from flask import request
from flask_socketio import emit, join_room
from socketio.exceptions import ConnectionRefusedError as SocketConnectionRefused

from app import metrics
from app.extensions import db, socketio
from app.integrations import realtime
from app.security import socket_identity
from app.services import notifications


@socketio.on("connect")
def on_connect_to_root(_auth=None):
    """Nothing is served on the root namespace: refuse every connection there, with or without a token."""
    raise SocketConnectionRefused(f"Connect to the {realtime.NOTIFICATIONS} namespace.")


@socketio.on("connect", namespace=realtime.NOTIFICATIONS)
def on_connect(auth=None):
    """Refuse bad, expired or revoked tokens; join the person's private room and the broadcast room."""
    user, claims = socket_identity(auth)
    join_room(realtime.user_room(user.id))
    join_room(realtime.EVERYONE)
    realtime.track_socket(request.sid, claims["sid"])
    emit("unread_count", {"count": notifications.unread_count(user)})
    metrics.socket_connected(realtime.NOTIFICATIONS)
    db.session.remove()  # the connection outlives this handler; hold no database session


@socketio.on("disconnect", namespace=realtime.NOTIFICATIONS)
def on_disconnect(*_reason):
    metrics.socket_disconnected(realtime.NOTIFICATIONS)
    realtime.forget_socket(request.sid)
