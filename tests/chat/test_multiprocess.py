"""Chat in the production topology: two web processes and one RQ worker on one PostgreSQL and one Redis.

Alice's socket is on web process 1, Bob's on web process 2: a message Alice sends over her socket is acknowledged
with the stored message and reaches Bob on the other process; Bob's reply over REST on web process 1 reaches Alice
and Bob's second device on web process 2; and a message to Bob while he has no chat socket open stores one
`message` notification for him. Socket.IO carries the events over the Redis message queue; runs only with
TEST_REDIS_URL and TEST_DATABASE_URL (the real-services run).
"""

import threading
import time
import uuid

import pytest
import redis
import socketio

from app.integrations import realtime
from tests.conftest import REAL_REDIS_URL, needs_real_redis
from tests.notifications.conftest import FRONTEND, WAIT, LiveServer, Process
from tests.notifications.test_multiprocess import production_like_env

SLOW = 20.0  # the worker may still be starting when its first job is queued

pytestmark = [needs_real_redis, pytest.mark.timeout(120)]


class ChatSocket:
    """A python-socketio client on /chat that records the `message` events it receives."""

    def __init__(self, name: str):
        self.name = name
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": FRONTEND})
        self.messages: list[dict] = []
        self._arrived = threading.Condition()
        self.sio.on("message", self._on_message, namespace=realtime.CHAT)

    def _on_message(self, payload):
        with self._arrived:
            self.messages.append(payload)
            self._arrived.notify_all()

    def connect(self, url: str, token: str) -> "ChatSocket":
        self.sio.connect(url, auth={"token": token}, namespaces=[realtime.CHAT], wait_timeout=WAIT)
        return self

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, namespace=realtime.CHAT, timeout=WAIT)

    def wait_for_message(self, message_id: int, timeout: float = WAIT) -> dict | None:
        """The `message` event carrying this stored id, received so far or within `timeout`."""
        with self._arrived:
            self._arrived.wait_for(lambda: any(m.get("id") == message_id for m in self.messages), timeout)
            return next((m for m in self.messages if m.get("id") == message_id), None)

    def received(self, message_id: int) -> int:
        with self._arrived:
            return sum(m.get("id") == message_id for m in self.messages)

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # best effort: it may already be disconnected
            pass
        self.sio.shutdown()


def test_chat_crosses_web_processes_and_notifies_a_person_without_a_chat_socket(app, database_url, tmp_path):
    env = production_like_env(database_url)
    # Pub/sub ignores Redis database numbers: a channel of its own keeps other runs on this Redis out of it.
    env["SOCKETIO_CHANNEL"] = f"stride-test-chat-{uuid.uuid4().hex[:8]}"
    processes: list[Process] = []
    sockets: list[ChatSocket] = []

    def logs() -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.output(2000)}" for p in processes)

    def chat_socket(name: str, server: LiveServer, token: str) -> ChatSocket:
        sockets.append(ChatSocket(name))
        return sockets[-1].connect(server.url, token)

    try:
        web1 = LiveServer(env, tmp_path / "web1.log")
        processes.append(web1)
        web2 = LiveServer(env, tmp_path / "web2.log")
        processes.append(web2)
        processes.append(Process(["worker", "--without-scheduler"], env, tmp_path / "worker.log"))

        alice_account, bob_account = web1.register("alice"), web2.register("bob")
        alice, bob = alice_account["access_token"], bob_account["access_token"]
        bob_id = bob_account["user"]["id"]
        started = web1.post("/api/v1/conversations/", alice, json={"user_id": bob_id})
        assert started.status_code in (200, 201), started.text
        conversation_id = started.json()["id"]

        alice_socket = chat_socket("alice", web1, alice)
        bob_socket = chat_socket("bob", web2, bob)
        for joining in (alice_socket, bob_socket):
            assert joining.call("join", {"conversation_id": conversation_id})["ok"] is True, logs()

        # (a) Alice sends over her socket on web 1: acknowledged with the stored message, delivered on web 2
        client_id = uuid.uuid4().hex
        ack = alice_socket.call("message", {"conversation_id": conversation_id, "client_id": client_id, "text": "Hi"})
        assert ack["ok"] is True, ack
        sent = ack["message"]
        assert (sent["conversation_id"], sent["client_id"], sent["text"]) == (conversation_id, client_id, "Hi")
        assert sent["author_id"] == alice_account["user"]["id"]
        delivered = bob_socket.wait_for_message(sent["id"])
        assert delivered == sent, f"Alice's message did not reach Bob on web process 2\n{logs()}"

        # the same client_id again (a retry after a lost ack) acknowledges the first message and stores nothing
        again = alice_socket.call("message", {"conversation_id": conversation_id, "client_id": client_id, "text": "Hi"})
        assert again["ok"] is True and again["message"]["id"] == sent["id"], again
        history = web2.get(f"/api/v1/conversations/{conversation_id}/messages/", bob)
        assert history.status_code == 200, history.text
        assert [m["id"] for m in history.json()["items"]] == [sent["id"]]

        # (b) Bob replies over REST on web 1: his second device on web 2 and Alice's socket on web 1 get it
        bob_phone = chat_socket("bob's phone", web2, bob)
        reply = web1.post(
            f"/api/v1/conversations/{conversation_id}/messages/",
            bob,
            json={"text": "Hello Alice", "client_id": uuid.uuid4().hex},
        )
        assert reply.status_code == 201, reply.text
        reply_id = reply.json()["id"]
        assert alice_socket.wait_for_message(reply_id) == reply.json(), f"the reply did not reach web 1\n{logs()}"
        assert bob_phone.wait_for_message(reply_id) == reply.json(), f"the reply did not reach web 2\n{logs()}"
        assert bob_socket.wait_for_message(reply_id) is not None
        # The reply was emitted after Alice's own message, through the same queue: had hers come back, it would be here.
        assert alice_socket.received(sent["id"]) == 0, "the sender's own socket got its message back"
        assert bob_socket.received(sent["id"]) == 1

        # (c) Bob closes his chat sockets; a message to him then stores one `message` notification
        for bobs in (bob_socket, bob_phone):
            bobs.close()
        wait_until(lambda: not _present(bob_id), WAIT, f"Bob's chat presence outlived his sockets\n{logs()}")
        ack = alice_socket.call(
            "message", {"conversation_id": conversation_id, "client_id": uuid.uuid4().hex, "text": "Are you there?"}
        )
        assert ack["ok"] is True, ack

        def message_notifications() -> list[dict]:
            response = web2.get("/api/v1/notifications/", bob)
            assert response.status_code == 200, response.text
            return [n for n in response.json()["items"] if n["type"] == "message"]

        wait_until(message_notifications, SLOW, f"no `message` notification for Bob\n{logs()}")
        time.sleep(1)  # a second one (a job run twice, a notice for an earlier message) would be stored by now
        assert len(message_notifications()) == 1, message_notifications()
    finally:
        for chat in sockets:
            chat.close()
        for process in reversed(processes):
            process.stop()


def _present(user_id: int) -> bool:
    client = redis.Redis.from_url(REAL_REDIS_URL)
    try:
        return client.zcard(realtime.CHAT_PRESENCE.format(user_id)) > 0
    finally:
        client.close()


def wait_until(condition, timeout: float, failure: str):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, failure
        time.sleep(0.1)
    return result
