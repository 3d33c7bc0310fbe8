"""/notifications over real HTTP: the python-socketio client against a `flask serve` subprocess (embedded mode).

Everything a browser or app would see: token checks at connect, `unread_count` on connect, `notification`
events caused by REST calls (stored first, so REST already lists them), privacy between people, and live
sockets dropped when their login session ends.
"""

import time
import uuid

import jwt
import pytest
import requests
import socketio

from tests.notifications.conftest import JWT_SECRET, LiveServer

QUIET = 1.5  # seconds to listen for something that must NOT arrive (after a positive control did arrive)

pytestmark = pytest.mark.timeout(120)


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def inbox_ids(server: LiveServer, access: str) -> list[int]:
    response = server.get("/api/v1/notifications/", access)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_valid_token_connects_over_websocket_and_gets_the_unread_count(embedded_server, live_client):
    account = embedded_server.register()
    embedded_server.change_password(account["access_token"])  # one unread notice; this session stays logged in

    client = live_client(transports=["websocket"]).connect(embedded_server.url, account["access_token"])

    assert client.connected
    assert client.sio.transport() == "websocket"
    assert client.got_unread_count.wait(10), "no unread_count on connect"
    assert client.unread_counts[0] == {"count": 1}


def test_a_new_device_login_pushes_a_system_notification_that_rest_already_lists(embedded_server, live_client):
    account = embedded_server.register()
    user_id, access = account["user"]["id"], account["access_token"]
    seen_in_rest_on_arrival: list[list[int]] = []
    client = live_client(
        transports=["polling"],
        on_notification=lambda payload: seen_in_rest_on_arrival.append(inbox_ids(embedded_server, access)),
    ).connect(embedded_server.url, access)
    assert client.got_unread_count.wait(10)
    agent = f"StrideTestPhone/{uuid.uuid4().hex[:8]}"

    embedded_server.login(account["user"]["username"], user_agent=agent)

    payload = client.wait_for_notification()
    assert payload is not None, "no notification event for the new-device login"
    assert client.sio.transport() == "polling"
    assert {"id", "type", "message", "created_at", "recipient_id"} <= payload.keys()
    assert payload["type"] == "system"
    assert payload["recipient_id"] == user_id
    assert agent in payload["message"]
    assert payload["data"] == {"event": "new_device_login"}
    assert seen_in_rest_on_arrival[0][:1] == [payload["id"]], "the event arrived before REST could list it"
    assert inbox_ids(embedded_server, access) == [payload["id"]]
    deadline = time.monotonic() + 10
    while {"count": 1} not in client.unread_counts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.unread_counts[-1] == {"count": 1}


def test_a_password_change_pushes_a_system_notification_over_websocket(embedded_server, live_client):
    account = embedded_server.register()
    user_id, access = account["user"]["id"], account["access_token"]
    client = live_client(transports=["websocket"]).connect(embedded_server.url, access)

    embedded_server.change_password(access)

    payload = client.wait_for_notification()
    assert payload is not None, "no notification event for the password change"
    assert payload["type"] == "system"
    assert payload["recipient_id"] == user_id
    assert payload["message"] == "Your password was changed and your other sessions were ended."
    assert payload["is_read"] is False
    assert payload["created_at"]
    listed = embedded_server.get("/api/v1/notifications/", access).json()["items"]
    assert [(item["id"], item["message"]) for item in listed] == [(payload["id"], payload["message"])]


def _expired_but_well_signed(access: str) -> str:
    past = int(time.time()) - 3600
    return jwt.encode({**claims(access), "iat": past - 60, "nbf": past - 60, "exp": past}, JWT_SECRET, "HS256")


def _forged(access: str) -> str:
    return jwt.encode(
        {**claims(access), "exp": int(time.time()) + 600}, "not-the-server-secret-but-long-enough-for-hs256", "HS256"
    )


def _garbage_that_looks_expired(_access: str) -> str:
    header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}
    return f"{header}.eyJzdWIiOiIxIiwidHlwZSI6ImFjY2VzcyIsImV4cCI6MX0.not-a-signature"  # exp: 1970


BAD_TOKENS = {
    # name: (make the token from a valid access token, what the refusal should say)
    "missing": (lambda _access: None, "access token is required"),
    "garbage": (lambda _access: "garbage", "not valid"),
    "expired-looking garbage": (_garbage_that_looks_expired, "not valid"),
    "expired": (_expired_but_well_signed, "expired"),
    "forged signature": (_forged, "not valid"),
}


def _refused(server: LiveServer, live_client, token, transports=("polling",)):
    client = live_client(transports=list(transports))
    with pytest.raises(socketio.exceptions.ConnectionError, match="/notifications"):
        client.connect(server.url, token)
    assert not client.connected
    assert client.connect_errors, "the server sent no connect_error"
    assert not client.notifications and not client.unread_counts
    return client


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_bad_tokens_are_refused_at_connect(embedded_server, live_client, kind):
    account = embedded_server.register()
    make_token, _reason = BAD_TOKENS[kind]
    transports = ["websocket"] if kind == "garbage" else ["polling"]  # a refused WebSocket takes 3 s to close

    _refused(embedded_server, live_client, make_token(account["access_token"]), transports=transports)


def test_a_refresh_token_is_refused_at_connect(embedded_server, live_client):
    account = embedded_server.register()

    _refused(embedded_server, live_client, account["refresh_token"])


def test_a_revoked_token_is_refused_after_logout(embedded_server, live_client):
    account = embedded_server.register()
    access = account["access_token"]
    accepted = live_client(transports=["polling"]).connect(embedded_server.url, access)
    assert accepted.connected  # control: the same token worked before

    assert embedded_server.post("/api/v1/logout/", access).status_code == 204

    _refused(embedded_server, live_client, access)


@pytest.mark.parametrize("kind", ["garbage", "expired", "refresh", "revoked"])
def test_the_refusal_tells_the_client_why(embedded_server, live_client, kind):
    account = embedded_server.register()
    access = account["access_token"]
    if kind == "refresh":
        token, reason = account["refresh_token"], "refresh token"
    elif kind == "revoked":
        assert embedded_server.post("/api/v1/logout/", access).status_code == 204
        token, reason = access, "revoked"
    else:
        make_token, reason = BAD_TOKENS[kind]
        token = make_token(access)

    client = _refused(embedded_server, live_client, token)

    message = client.connect_errors[0].get("message", "") if isinstance(client.connect_errors[0], dict) else ""
    assert reason in message, f"refusal said {client.connect_errors[0]!r}"


def test_a_person_never_receives_another_persons_notifications(embedded_server, live_client):
    alice, bob = embedded_server.register("alice"), embedded_server.register("bob")
    alice_client = live_client(transports=["websocket"]).connect(embedded_server.url, alice["access_token"])
    bob_client = live_client(transports=["polling"]).connect(embedded_server.url, bob["access_token"])
    assert alice_client.got_unread_count.wait(10) and bob_client.got_unread_count.wait(10)

    embedded_server.login(bob["user"]["username"], user_agent="BobTablet/1")
    embedded_server.change_password(bob["access_token"])

    assert bob_client.wait_for_notification(lambda p: p["data"].get("event") == "password_changed") is not None
    assert [p["recipient_id"] for p in bob_client.notifications] == [bob["user"]["id"]] * 2
    time.sleep(QUIET)
    assert alice_client.notifications == []
    assert alice_client.unread_counts == [{"count": 0}]
    assert alice_client.connected


def test_logging_out_disconnects_that_sessions_live_socket(embedded_server, live_client):
    account = embedded_server.register()
    client = live_client(transports=["websocket"]).connect(embedded_server.url, account["access_token"])
    assert client.connected

    assert embedded_server.post("/api/v1/logout/", account["access_token"]).status_code == 204

    assert client.disconnected.wait(10), "the socket of the logged-out session stayed connected"
    assert not client.connected


def test_revoking_a_session_from_another_disconnects_only_that_sessions_socket(embedded_server, live_client):
    account = embedded_server.register()
    phone = embedded_server.login(account["user"]["username"], user_agent="stride-tests/register")  # same device
    laptop_socket = live_client(transports=["websocket"]).connect(embedded_server.url, account["access_token"])
    phone_socket = live_client(transports=["polling"]).connect(embedded_server.url, phone["access_token"])
    assert laptop_socket.connected and phone_socket.connected
    sessions = embedded_server.get("/api/v1/sessions/", phone["access_token"]).json()
    laptop_sid = claims(account["access_token"])["sid"]
    assert {s["id"] for s in sessions} == {laptop_sid, claims(phone["access_token"])["sid"]}

    response = embedded_server.delete(f"/api/v1/sessions/{laptop_sid}/", phone["access_token"])

    assert response.status_code == 204, response.text
    assert laptop_socket.disconnected.wait(10), "the revoked session's socket stayed connected"
    assert not laptop_socket.connected
    time.sleep(QUIET)
    assert phone_socket.connected and not phone_socket.disconnected.is_set()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_python_client_with_its_default_origin_connects_to_the_same_origin_server(embedded_server, transport):
    """websocket-client sends `Origin: <the server's url>`, which is not in CORS_ORIGINS: same-origin is accepted."""
    account = embedded_server.register()
    client = socketio.Client(reconnection=False)
    try:
        client.connect(
            embedded_server.url,
            auth={"token": account["access_token"]},
            namespaces=["/notifications"],
            transports=[transport],
            # websocket-client adds the Origin itself (a second one would make the handshake invalid); requests does not
            headers={"Origin": embedded_server.url} if transport == "polling" else {},
            wait_timeout=10,
        )
        assert client.connected and "/notifications" in client.namespaces
    finally:
        client.disconnect()
        client.shutdown()


def test_a_foreign_origin_is_refused_over_real_http(embedded_server):
    response = requests.get(
        embedded_server.url + "/socket.io/?EIO=4&transport=polling",
        headers={"Origin": "http://evil.example", "X-Forwarded-Host": "evil.example"},
        timeout=10,
    )

    assert response.status_code == 400
