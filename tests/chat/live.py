"""A python-socketio client on `/chat` over real HTTP, as a mobile or SPA client uses it: `ask` emits and waits
for the acknowledgement, and every event the server pushes is recorded to be waited on."""

import threading
import time

import socketio

from tests.notifications.conftest import FRONTEND, WAIT, LiveServer

CHAT = "/chat"


class ChatClient:
    def __init__(self, transports: list[str] | None = None):
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": FRONTEND})
        self.transports = transports
        self.events: list[tuple[str, dict]] = []
        self.connect_errors: list = []
        self._arrived = threading.Condition()
        for name in ("message", "typing", "read", "deleted"):
            self.sio.on(name, self._recorder(name), namespace=CHAT)
        self.sio.on("connect_error", self.connect_errors.append, namespace=CHAT)

    def _recorder(self, name: str):
        def record(payload):
            with self._arrived:
                self.events.append((name, payload))
                self._arrived.notify_all()

        return record

    def connect(self, url: str, token: str) -> "ChatClient":
        self.sio.connect(url, auth={"token": token}, namespaces=[CHAT], transports=self.transports, wait_timeout=WAIT)
        return self

    @property
    def connected(self) -> bool:
        return self.sio.connected and CHAT in self.sio.namespaces

    def ask(self, event: str, payload) -> dict:
        return self.sio.call(event, payload, namespace=CHAT, timeout=WAIT)

    def say(self, conversation_id: int, text: str, client_id: str) -> dict:
        return self.ask("message", {"conversation_id": conversation_id, "client_id": client_id, "text": text})

    def wait_for(self, name: str, predicate=lambda payload: True, timeout: float = WAIT) -> dict | None:
        """The first `name` event received so far or within `timeout` that satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for event, payload in self.events:
                    if event == name and predicate(payload):
                        return payload
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._arrived.wait(left)

    def received(self, name: str) -> list[dict]:
        with self._arrived:
            return [payload for event, payload in self.events if event == name]

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # best effort: it may already be disconnected
            pass
        self.sio.shutdown()


def start_conversation(server: LiveServer, token: str, other_id: int) -> int:
    response = server.post("/api/v1/conversations/", token, json={"user_id": other_id})
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]
