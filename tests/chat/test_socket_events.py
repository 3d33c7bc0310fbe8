"""The /chat namespace through Flask-SocketIO's test client: joins, acknowledged messages, typing, receipts,
refusals in the one error shape, rate limits, revoked sessions and the offline notification (the live-server
tests in test_live_chat.py go over real HTTP)."""

import pytest
from sqlalchemy.exc import OperationalError

from app.extensions import socketio
from app.integrations.realtime import CHAT
from app.services import chat
from tests.conftest import bearer, login
from tests.factories.friends import block

MAX_TEXT = 4000


@pytest.fixture
def people(make_user) -> dict[str, int]:
    return {name: make_user(username=name) for name in ("alice", "bob", "carol")}


@pytest.fixture
def token_of(client):
    tokens = {}

    def get(name: str) -> str:
        if name not in tokens:
            tokens[name] = login(client, name)["access_token"]
        return tokens[name]

    return get


@pytest.fixture
def connect(app, token_of):
    sockets = []

    def connector(name: str | None = None, token: str | None = None, flask_app=None):
        token = token if token is not None else token_of(name)
        socket = socketio.test_client(flask_app or app, namespace=CHAT, auth={"token": token})
        sockets.append(socket)
        return socket

    yield connector
    for socket in sockets:
        if socket.is_connected(CHAT):
            socket.disconnect(namespace=CHAT)


@pytest.fixture
def conversation(client, people, token_of) -> int:
    """alice and bob's conversation, started by alice over REST."""
    response = client.post("/api/v1/conversations/", json={"user_id": people["bob"]}, headers=bearer(token_of("alice")))
    assert response.status_code == 201, response.json
    return response.json["id"]


def ask(socket, event: str, payload) -> dict:
    return socket.emit(event, payload, namespace=CHAT, callback=True)


def say(socket, conversation_id: int, text: str, client_id: str) -> dict:
    return ask(socket, "message", {"conversation_id": conversation_id, "client_id": client_id, "text": text})


def received(socket, name: str) -> list[dict]:
    events = [event for event in socket.get_received(CHAT) if event["name"] == name]
    # The test client records the `message` event (Socket.IO's default event name) with its payload unwrapped.
    return [event["args"] if name == "message" else event["args"][0] for event in events]


def history(client, token: str, conversation_id: int) -> list[dict]:
    response = client.get(f"/api/v1/conversations/{conversation_id}/messages/", headers=bearer(token))
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_joining_ones_own_conversation_is_acknowledged(connect, conversation):
    assert ask(connect("bob"), "join", {"conversation_id": conversation}) == {
        "ok": True,
        "conversation_id": conversation,
    }


@pytest.mark.parametrize("event", ["join", "typing"])
def test_a_third_person_cannot_join_or_type_in_a_conversation(connect, conversation, event):
    answer = ask(connect("carol"), event, {"conversation_id": conversation})

    assert answer["ok"] is False
    assert answer["error"]["code"] == 404


def test_a_conversation_that_does_not_exist_is_not_found(connect, conversation):
    assert ask(connect("alice"), "join", {"conversation_id": conversation + 1000})["error"]["code"] == 404


def test_a_message_is_acknowledged_with_the_stored_message_and_reaches_every_device_of_both(
    client, connect, conversation, people, token_of
):
    alice_phone, alice_laptop, bob = connect("alice"), connect("alice"), connect("bob")
    ask(alice_phone, "join", {"conversation_id": conversation})

    answer = say(alice_phone, conversation, "Run at 7?", "c-1")

    assert answer["ok"] is True
    message = answer["message"]
    assert message["text"] == "Run at 7?"
    assert message["client_id"] == "c-1"
    assert message["author_id"] == people["alice"]
    assert message["conversation_id"] == conversation
    assert message["is_deleted"] is False
    assert [m["id"] for m in history(client, token_of("bob"), conversation)] == [message["id"]]
    assert received(bob, "message") == [message]
    assert received(alice_laptop, "message") == [message]
    assert received(alice_phone, "message") == []  # the sender has it in the ack


def test_a_repeated_client_id_stores_nothing_new_and_acknowledges_the_first_message(
    client, connect, conversation, token_of
):
    alice, bob = connect("alice"), connect("bob")
    first = say(alice, conversation, "Run at 7?", "retry-1")["message"]

    again = say(alice, conversation, "Run at 7?", "retry-1")

    assert again == {"ok": True, "message": first}
    assert len(history(client, token_of("alice"), conversation)) == 1
    assert [m["id"] for m in received(bob, "message")] == [first["id"]]


@pytest.mark.parametrize("event", ["message", "read"])
def test_a_third_person_cannot_send_or_mark_read(connect, conversation, event):
    alices_message = say(connect("alice"), conversation, "hi", "c-1")["message"]
    payload = {"conversation_id": conversation, "client_id": "x", "text": "let me in"}
    if event == "read":
        payload = {"conversation_id": conversation, "message_id": alices_message["id"]}

    assert ask(connect("carol"), event, payload)["error"]["code"] == 404


def test_typing_reaches_the_other_person_and_is_not_stored(client, connect, conversation, people, token_of):
    alice, bob = connect("alice"), connect("bob")

    assert ask(alice, "typing", {"conversation_id": conversation}) == {"ok": True}

    assert received(bob, "typing") == [{"conversation_id": conversation, "user_id": people["alice"]}]
    assert received(alice, "typing") == []
    assert history(client, token_of("bob"), conversation) == []


def test_a_read_receipt_is_acknowledged_and_reaches_the_author(connect, conversation, people):
    alice, bob = connect("alice"), connect("bob")
    message = say(alice, conversation, "hi", "c-1")["message"]

    answer = ask(bob, "read", {"conversation_id": conversation, "message_id": message["id"]})

    assert answer == {
        "ok": True,
        "receipt": {"conversation_id": conversation, "last_read_message_id": message["id"], "unread_count": 0},
    }
    assert received(alice, "read") == [
        {"conversation_id": conversation, "user_id": people["bob"], "message_id": message["id"]}
    ]


def test_a_deletion_over_rest_reaches_both(client, connect, conversation, token_of):
    alice, bob = connect("alice"), connect("bob")
    message = say(alice, conversation, "oops", "c-1")["message"]
    bob.get_received(CHAT)

    response = client.delete(f"/api/v1/messages/{message['id']}/", headers=bearer(token_of("alice")))

    assert response.status_code == 204
    deleted = {"conversation_id": conversation, "message_id": message["id"]}
    assert received(bob, "deleted") == [deleted]
    assert received(alice, "deleted") == [deleted]


@pytest.mark.parametrize("blocker, blocked", [("alice", "bob"), ("bob", "alice")])
def test_a_block_either_way_stops_joining_and_sending(app, connect, conversation, people, blocker, blocked):
    with app.app_context():
        block(people[blocker], people[blocked])

    for name in ("alice", "bob"):
        socket = connect(name)
        assert ask(socket, "join", {"conversation_id": conversation})["error"]["code"] == 403
        assert say(socket, conversation, "still there?", f"{name}-1")["error"]["code"] == 403


NESTED: list = [1]
for _ in range(40):
    NESTED = [NESTED]

BAD_MESSAGES = {
    "not an object": "hello",
    "a list": [1, 2],
    "nothing": None,
    "missing text": {"conversation_id": 1, "client_id": "c"},
    "NUL in the text": {"conversation_id": 1, "client_id": "c", "text": "a\x00b"},
    "lone surrogate": {"conversation_id": 1, "client_id": "c", "text": "a\ud800b"},
    "NUL in a key": {"conversation_id": 1, "client_id": "c", "text": "t", "x\x00": 1},
    "huge id": {"conversation_id": 10**30, "client_id": "c", "text": "t"},
    "float id": {"conversation_id": 1.5, "client_id": "c", "text": "t"},
    "boolean id": {"conversation_id": True, "client_id": "c", "text": "t"},
    "id as text": {"conversation_id": "one", "client_id": "c", "text": "t"},
    "text too long": {"conversation_id": 1, "client_id": "c", "text": "x" * (MAX_TEXT + 1)},
    "blank text": {"conversation_id": 1, "client_id": "c", "text": "   "},
    "text not a string": {"conversation_id": 1, "client_id": "c", "text": {"a": 1}},
    "bad client id": {"conversation_id": 1, "client_id": "has spaces", "text": "t"},
    "long client id": {"conversation_id": 1, "client_id": "c" * 65, "text": "t"},
    "client id ending in a newline": {"conversation_id": 1, "client_id": "c\n", "text": "t"},
    "unknown field": {"conversation_id": 1, "client_id": "c", "text": "t", "author_id": 2},
    "deep nesting": {"conversation_id": 1, "client_id": "c", "text": "t", "x": NESTED},
}


@pytest.mark.parametrize("payload", BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_a_bad_message_payload_is_refused_with_422_and_nothing_is_stored(
    client, connect, conversation, token_of, payload
):
    if isinstance(payload, dict) and type(payload.get("conversation_id")) is int and payload["conversation_id"] == 1:
        payload = payload | {"conversation_id": conversation}

    answer = ask(connect("alice"), "message", payload)

    assert answer["ok"] is False
    assert answer["error"]["code"] == 422
    assert answer["error"]["status"] == "Unprocessable Entity"
    assert history(client, token_of("alice"), conversation) == []


def test_the_connection_survives_a_refused_payload(connect, conversation):
    alice = connect("alice")
    ask(alice, "message", {"conversation_id": conversation, "text": "a\x00b", "client_id": "c"})

    assert say(alice, conversation, "fine now", "c-2")["ok"] is True


@pytest.fixture
def limited(app_factory, people, conversation):
    """An app with rate limits on (the testing default turns them off), sharing the suite's database."""
    return app_factory(RATELIMIT_ENABLED=True, RATELIMIT_TYPING="2 per minute", RATELIMIT_MESSAGES="3 per minute")


def test_typing_is_rate_limited(limited, connect, conversation):
    alice = connect("alice", flask_app=limited)

    answers = [ask(alice, "typing", {"conversation_id": conversation}) for _ in range(3)]

    assert [a["ok"] for a in answers] == [True, True, False]
    assert answers[-1]["error"]["code"] == 429


def test_messages_are_rate_limited_per_person(limited, connect, conversation):
    alice = connect("alice", flask_app=limited)

    answers = [say(alice, conversation, f"message {n}", f"c-{n}") for n in range(4)]

    assert [a["ok"] for a in answers] == [True, True, True, False]
    assert answers[-1]["error"]["code"] == 429


@pytest.mark.parametrize("token", ["", "not-a-jwt"])
def test_bad_tokens_are_refused_at_connect(connect, people, token):
    assert not connect(token=token).is_connected(CHAT)


def test_a_revoked_token_is_refused_and_logging_out_disconnects_the_chat_socket(client, connect, people, token_of):
    socket = connect("alice")
    assert socket.is_connected(CHAT)

    assert client.post("/api/v1/logout/", headers=bearer(token_of("alice"))).status_code in (200, 204)

    assert not socket.is_connected(CHAT)
    assert not connect(token=token_of("alice")).is_connected(CHAT)


def message_notifications(client, token: str) -> list[dict]:
    response = client.get("/api/v1/notifications/", headers=bearer(token))
    assert response.status_code == 200
    return [n for n in response.json["items"] if n["type"] == "message"]


def test_an_offline_recipient_is_notified_once_until_they_read(client, connect, conversation, token_of):
    alice = connect("alice")
    say(alice, conversation, "one", "c-1")
    last = say(alice, conversation, "two", "c-2")["message"]

    assert len(message_notifications(client, token_of("bob"))) == 1

    bob = connect("bob")
    ask(bob, "read", {"conversation_id": conversation, "message_id": last["id"]})
    bob.disconnect(namespace=CHAT)
    say(alice, conversation, "three", "c-3")

    assert len(message_notifications(client, token_of("bob"))) == 2


def test_a_recipient_with_chat_open_is_not_notified_until_they_leave(client, connect, conversation, token_of):
    alice, bob = connect("alice"), connect("bob")
    say(alice, conversation, "you there?", "c-1")

    assert message_notifications(client, token_of("bob")) == []

    bob.disconnect(namespace=CHAT)
    say(alice, conversation, "guess not", "c-2")

    assert len(message_notifications(client, token_of("bob"))) == 1


def test_a_database_outage_is_acknowledged_as_503(monkeypatch, connect, conversation):
    alice = connect("alice")

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(chat, "send_message", down)

    answer = say(alice, conversation, "hello?", "c-1")

    assert answer["ok"] is False
    assert answer["error"]["code"] == 503
