"""Chat over real HTTP: python-socketio clients against a `flask serve` subprocess (embedded mode), as the apps use
it — acknowledged messages, retries, a third person refused, history paged backwards, deletion, the offline
notification, blocks, and the official JavaScript client."""

import json
import os
import queue
import shutil
import subprocess
import threading

import pytest

from tests.chat.live import ChatClient, start_conversation
from tests.notifications.conftest import ROOT, LiveServer, start_embedded_server

JS_DIR = ROOT / "tests" / "js"
NODE = shutil.which("node")
QUIET = 1.0  # seconds to listen for something that must NOT arrive (after a positive control did arrive)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = start_embedded_server(tmp_path_factory.mktemp("live-chat"))
    yield server
    server.stop()


@pytest.fixture
def chat_client():
    clients: list[ChatClient] = []

    def make(server: LiveServer, token: str, transports: list[str] | None = None) -> ChatClient:
        client = ChatClient(transports).connect(server.url, token)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def pair(server) -> tuple[dict, dict, int]:
    """Two new people and their conversation: (alice, bob, conversation id); each is the register response."""
    alice, bob = server.register("alice"), server.register("bob")
    return alice, bob, start_conversation(server, alice["access_token"], bob["user"]["id"])


def history(server: LiveServer, token: str, conversation_id: int, **params) -> dict:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = server.get(f"/api/v1/conversations/{conversation_id}/messages/?{query}", token)
    assert response.status_code == 200, response.text
    return response.json()


def test_two_people_chat_and_the_ack_carries_the_stored_message(server, pair, chat_client):
    alice, bob, conversation = pair
    alices = chat_client(server, alice["access_token"], transports=["websocket"])
    bobs = chat_client(server, bob["access_token"])
    assert bobs.ask("join", {"conversation_id": conversation}) == {"ok": True, "conversation_id": conversation}

    ack = alices.say(conversation, "Morning run?", "a-1")

    assert ack["ok"] is True
    stored = ack["message"]
    assert isinstance(stored["id"], int)
    assert history(server, bob["access_token"], conversation)["items"] == [stored]
    assert bobs.wait_for("message") == stored

    reply = bobs.say(conversation, "6:30 at the park", "b-1")["message"]
    assert alices.wait_for("message", lambda m: m["id"] == reply["id"]) == reply


def test_a_retry_with_the_same_client_id_stores_one_message(server, pair, chat_client):
    alice, bob, conversation = pair
    alices = chat_client(server, alice["access_token"])
    bobs = chat_client(server, bob["access_token"])

    first = alices.say(conversation, "Did this arrive?", "flaky-1")
    retry = alices.say(conversation, "Did this arrive?", "flaky-1")

    assert retry == first
    assert len(history(server, alice["access_token"], conversation)["items"]) == 1
    assert bobs.wait_for("message") is not None
    bobs.wait_for("never", timeout=QUIET)
    assert len(bobs.received("message")) == 1


def test_a_third_person_cannot_join_send_or_read_the_history(server, pair, chat_client):
    alice, _bob, conversation = pair
    alices = chat_client(server, alice["access_token"])
    alices.say(conversation, "just us", "a-1")
    mallory = server.register("mallory")
    mallorys = chat_client(server, mallory["access_token"])

    assert mallorys.ask("join", {"conversation_id": conversation})["error"]["code"] == 404
    assert mallorys.say(conversation, "hi!", "m-1")["error"]["code"] == 404
    response = server.get(f"/api/v1/conversations/{conversation}/messages/", mallory["access_token"])
    assert response.status_code == 404
    mallorys.wait_for("message", timeout=QUIET)
    assert mallorys.received("message") == []


def test_history_pages_backwards_without_gaps_while_messages_arrive(server, pair, chat_client):
    alice, bob, conversation = pair
    alices = chat_client(server, alice["access_token"])
    sent = [alices.say(conversation, f"message {n}", f"a-{n}")["message"]["id"] for n in range(7)]

    first = history(server, bob["access_token"], conversation, limit=3)
    alices.say(conversation, "arrives while paging", "a-late")
    pages = [first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = history(server, bob["access_token"], conversation, limit=3, cursor=cursor)
        pages.append(page["items"])
        cursor = page["next_cursor"]

    seen = [message["id"] for page in pages for message in page]
    assert seen == sorted(sent, reverse=True)
    before = history(server, bob["access_token"], conversation, before=sent[3])["items"]
    assert [message["id"] for message in before] == sorted(sent[:3], reverse=True)


def test_a_deletion_reaches_both_and_leaves_a_tombstone(server, pair, chat_client):
    alice, bob, conversation = pair
    alices = chat_client(server, alice["access_token"])
    bobs = chat_client(server, bob["access_token"])
    message = alices.say(conversation, "wrong chat, sorry", "a-1")["message"]

    response = server.delete(f"/api/v1/messages/{message['id']}/", alice["access_token"])

    assert response.status_code == 204
    deleted = {"conversation_id": conversation, "message_id": message["id"]}
    assert bobs.wait_for("deleted") == deleted
    assert alices.wait_for("deleted") == deleted
    (tombstone,) = history(server, bob["access_token"], conversation)["items"]
    assert tombstone["id"] == message["id"]
    assert tombstone["is_deleted"] is True
    assert tombstone["text"] is None


def test_an_offline_recipient_is_notified_and_finds_the_history_after_reconnecting(server, pair, chat_client):
    alice, bob, conversation = pair
    alices = chat_client(server, alice["access_token"])

    sent = [alices.say(conversation, text, f"a-{n}")["message"] for n, text in enumerate(["You up?", "Gym at 8"])]

    inbox = server.get("/api/v1/notifications/", bob["access_token"]).json()["items"]
    assert [n["type"] for n in inbox if n["type"] == "message"] == ["message"]  # one, however many messages
    bobs = chat_client(server, bob["access_token"])
    assert bobs.ask("join", {"conversation_id": conversation})["ok"] is True
    assert history(server, bob["access_token"], conversation)["items"] == sent[::-1]
    receipt = bobs.ask("read", {"conversation_id": conversation, "message_id": sent[-1]["id"]})
    assert receipt["receipt"]["unread_count"] == 0
    assert alices.wait_for("read") == {
        "conversation_id": conversation,
        "user_id": bob["user"]["id"],
        "message_id": sent[-1]["id"],
    }


def test_a_blocked_person_cannot_start_join_or_send(server, pair, chat_client):
    alice, bob, conversation = pair
    response = server.post("/api/v1/blocks/", alice["access_token"], json={"user_id": bob["user"]["id"]})
    assert response.status_code in (200, 201), response.text
    bobs = chat_client(server, bob["access_token"])

    assert bobs.ask("join", {"conversation_id": conversation})["error"]["code"] == 403
    assert bobs.say(conversation, "why?", "b-1")["error"]["code"] == 403
    again = server.post("/api/v1/conversations/", bob["access_token"], json={"user_id": alice["user"]["id"]})
    assert again.status_code == 404


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)


@pytest.mark.skipif(NODE is None, reason="node is not on PATH (install Node.js to run the JavaScript client test)")
@pytest.mark.skipif(
    not (JS_DIR / "node_modules" / "socket.io-client").is_dir(),
    reason="tests/js/node_modules is missing: run `npm ci --prefix tests/js` (make test does it when npm exists)",
)
def test_the_javascript_client_chats_over_websocket(server, pair):
    alice, bob, conversation = pair
    env = {
        **os.environ,
        "STRIDE_URL": server.url,
        "STRIDE_TOKEN": alice["access_token"],
        "STRIDE_CONVERSATION": str(conversation),
    }
    node = subprocess.Popen(
        [NODE, str(JS_DIR / "chat.mjs")], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(node.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        output.append(str(lines.get(timeout=30)))
        assert output[0].startswith("ack "), output
        ack = json.loads(output[0].removeprefix("ack "))
        assert ack["text"] == "Hello from JavaScript"
        assert ack["author_id"] == alice["user"]["id"]

        response = server.post(
            f"/api/v1/conversations/{conversation}/messages/",
            bob["access_token"],
            json={"text": "Hello from Python", "client_id": "py-1"},
        )
        assert response.status_code == 201, response.text

        output.append(str(lines.get(timeout=30)))
        assert node.wait(timeout=20) == 0, output
    finally:
        if node.poll() is None:
            node.kill()
            node.wait(timeout=10)
        node.stdout.close()

    assert output[-1].startswith("message "), output
    assert json.loads(output[-1].removeprefix("message ")) == response.json()
