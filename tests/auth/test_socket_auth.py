"""Socket.IO connections authenticate with `auth: {token}` and the same checks as REST."""

import pytest
from flask import request
from socketio.exceptions import ConnectionRefusedError as SocketConnectionRefused

from app.extensions import socketio
from app.security import authenticate_socket
from tests.conftest import bearer

CONNECTED: dict[str, str] = {}


@socketio.on("connect", namespace="/auth-probe")
def _probe_connect(auth=None):
    CONNECTED[request.sid] = authenticate_socket(auth).username


@pytest.fixture
def connect(app):
    def connector(auth):
        return socketio.test_client(app, namespace="/auth-probe", auth=auth)

    return connector


def test_a_valid_access_token_connects_as_its_user(connect, tokens):
    client = connect({"token": tokens["access_token"]})

    assert client.is_connected("/auth-probe")
    assert "alice" in CONNECTED.values()
    client.disconnect(namespace="/auth-probe")


@pytest.mark.parametrize("auth", [None, {}, {"token": "garbage"}, {"token": ""}])
def test_missing_or_malformed_tokens_are_refused(connect, auth):
    assert not connect(auth).is_connected("/auth-probe")


def test_refresh_tokens_and_revoked_tokens_are_refused(client, connect, tokens):
    assert not connect({"token": tokens["refresh_token"]}).is_connected("/auth-probe")

    client.post("/api/v1/logout/", headers=bearer(tokens["access_token"]))

    assert not connect({"token": tokens["access_token"]}).is_connected("/auth-probe")


def test_the_refusal_carries_a_clear_reason(app, tokens):
    with app.app_context(), pytest.raises(SocketConnectionRefused, match="refresh token"):
        authenticate_socket({"token": tokens["refresh_token"]})
