"""The /notifications namespace, through Flask-SocketIO's test client (the live-server tests use real HTTP)."""

import pytest

from app.extensions import db, socketio
from app.integrations.realtime import NOTIFICATIONS
from app.models import NotificationType
from app.services import notifications
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def connect(app):
    clients = []

    def connector(token):
        client = socketio.test_client(app, namespace=NOTIFICATIONS, auth={"token": token})
        clients.append(client)
        return client

    yield connector
    for client in clients:
        if client.is_connected(NOTIFICATIONS):
            client.disconnect(namespace=NOTIFICATIONS)


def events(client, name):
    return [event["args"][0] for event in client.get_received(NOTIFICATIONS) if event["name"] == name]


def send(app, user_id, message):
    with app.app_context():
        notifications.notify([user_id], NotificationType.SYSTEM, message)
        db.session.commit()


def test_connecting_reports_the_unread_count(app, connect, tokens, user):
    send(app, user, "waiting for you")

    client = connect(tokens["access_token"])

    assert client.is_connected(NOTIFICATIONS)
    assert events(client, "unread_count") == [{"count": 1}]


def test_a_connected_person_receives_their_notifications_live(app, connect, tokens, user):
    client = connect(tokens["access_token"])
    client.get_received(NOTIFICATIONS)

    send(app, user, "live!")

    received = client.get_received(NOTIFICATIONS)
    assert [e["name"] for e in received] == ["notification", "unread_count"]
    assert received[0]["args"][0]["message"] == "live!"
    assert received[1]["args"][0] == {"count": 1}


def test_nobody_receives_another_persons_notifications(app, client, connect, tokens, make_user):
    bob = make_user(username="bob")
    bobs = connect(login(client, "bob")["access_token"])
    alices = connect(tokens["access_token"])
    alices.get_received(NOTIFICATIONS)

    send(app, bob, "for bob only")

    assert events(alices, "notification") == []
    assert [n["message"] for n in events(bobs, "notification")] == ["for bob only"]


@pytest.mark.parametrize("token", [None, "", "not-a-jwt"])
def test_bad_tokens_are_refused_at_connect(connect, token):
    assert not connect(token).is_connected(NOTIFICATIONS)


def test_refresh_and_revoked_tokens_are_refused_at_connect(client, connect, tokens, auth_headers):
    assert not connect(tokens["refresh_token"]).is_connected(NOTIFICATIONS)
    client.post("/api/v1/logout/", headers=auth_headers)
    assert not connect(tokens["access_token"]).is_connected(NOTIFICATIONS)


def test_revoking_a_session_disconnects_its_sockets_only(client, connect, tokens, auth_headers):
    other = login(client, "alice")
    this_socket = connect(tokens["access_token"])
    other_socket = connect(other["access_token"])

    client.post("/api/v1/logout/", headers=bearer(other["access_token"]))

    assert this_socket.is_connected(NOTIFICATIONS)
    assert not other_socket.is_connected(NOTIFICATIONS)


def test_logout_everywhere_disconnects_every_socket(client, connect, tokens, auth_headers):
    sockets = [connect(tokens["access_token"]), connect(login(client, "alice")["access_token"])]

    client.post("/api/v1/logout-all/", headers=auth_headers)

    assert [s.is_connected(NOTIFICATIONS) for s in sockets] == [False, False]


def test_marking_read_pushes_the_new_unread_count(app, client, connect, tokens, auth_headers, user):
    send(app, user, "one")
    socket = connect(tokens["access_token"])
    socket.get_received(NOTIFICATIONS)

    client.post("/api/v1/notifications/read/", json={"all": True}, headers=auth_headers)

    assert events(socket, "unread_count") == [{"count": 0}]


def test_a_new_device_login_is_notified_live_and_stored(client, connect, tokens, auth_headers):
    socket = connect(tokens["access_token"])
    socket.get_received(NOTIFICATIONS)

    login(client, "alice", **{"User-Agent": "NewPhone/1.0"})

    live = events(socket, "notification")
    stored = client.get("/api/v1/notifications/", headers=auth_headers).json["items"]
    assert len(live) == 1 and "NewPhone/1.0" in live[0]["message"]
    assert live[0]["data"] == {"event": "new_device_login"}
    assert [n["id"] for n in stored] == [live[0]["id"]]


def test_a_known_device_and_a_first_login_are_not_news(client, make_user, auth_headers):
    make_user(username="newbie")
    first = login(client, "newbie")
    login(client, "newbie")  # the same device again

    inbox = client.get("/api/v1/notifications/", headers=bearer(first["access_token"])).json["items"]

    assert inbox == []


def test_a_password_change_and_a_refresh_reuse_are_notified(client, tokens, auth_headers):
    client.put(
        "/api/v1/change-password/",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "another long one"},
        headers=auth_headers,
    )
    fresh = login(client, "alice", "another long one")
    client.post("/api/v1/token/refresh/", headers=bearer(fresh["refresh_token"]))
    client.post("/api/v1/token/refresh/", headers=bearer(fresh["refresh_token"]))

    inbox = client.get("/api/v1/notifications/", headers=auth_headers).json["items"]

    assert [n["data"]["event"] for n in inbox] == ["refresh_reuse", "password_changed"]
