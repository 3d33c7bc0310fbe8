"""Chat fixtures: a few people and a small client of the chat API, by name."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Message, Notification, NotificationType
from tests.conftest import bearer, login
from tests.factories.friends import block

API = "/api/v1"
NAMES = ("ann", "bob", "cat")


class Chat:
    """The chat API as people use it: `chat.start("ann", "bob")` is ann starting a conversation with bob."""

    def __init__(self, app, client, headers_of, ids: dict[str, int]):
        self.app, self.client, self.headers_of, self.ids = app, client, headers_of, ids
        self._sent = 0

    def call(self, actor: str, method: str, path: str, json=None, **kwargs):
        return self.client.open(API + path, method=method, json=json, headers=self.headers_of(actor), **kwargs)

    def start(self, actor: str, other: str):
        return self.call(actor, "POST", "/conversations/", {"user_id": self.ids[other]})

    def conversation(self, actor: str, other: str) -> int:
        response = self.start(actor, other)
        assert response.status_code in (200, 201), response.json
        return response.json["id"]

    def send(self, actor: str, conversation_id: int, text: str = "hi", client_id: str | None = None):
        if client_id is None:
            self._sent += 1
            client_id = f"{actor}-{self._sent}"
        body = {"text": text, "client_id": client_id}
        return self.call(actor, "POST", f"/conversations/{conversation_id}/messages/", body)

    def say(self, actor: str, conversation_id: int, text: str = "hi") -> dict:
        response = self.send(actor, conversation_id, text)
        assert response.status_code == 201, response.json
        return response.json

    def history(self, actor: str, conversation_id: int, query: str = "") -> dict:
        response = self.call(actor, "GET", f"/conversations/{conversation_id}/messages/{query}")
        assert response.status_code == 200, response.json
        return response.json

    def conversations(self, actor: str, query: str = "") -> dict:
        response = self.call(actor, "GET", f"/conversations/{query}")
        assert response.status_code == 200, response.json
        return response.json

    def read(self, actor: str, conversation_id: int, message_id: int):
        return self.call(actor, "POST", f"/conversations/{conversation_id}/read/", {"message_id": message_id})

    def delete(self, actor: str, message_id: int):
        return self.call(actor, "DELETE", f"/messages/{message_id}/")

    def block(self, blocker: str, blocked: str) -> None:
        with self.app.app_context():
            block(self.ids[blocker], self.ids[blocked])

    def message_notifications(self, recipient: str) -> list[str]:
        """The `message` notifications `recipient` got, oldest first."""
        with self.app.app_context():
            query = select(Notification.message).filter_by(
                recipient_id=self.ids[recipient], type=NotificationType.MESSAGE
            )
            return list(db.session.scalars(query.order_by(Notification.id)))

    def stored_messages(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Message))


@pytest.fixture
def folk(make_user) -> dict[str, int]:
    """ann, bob and cat, ids by name."""
    return {name: make_user(username=name) for name in NAMES}


@pytest.fixture
def chat(app, client, headers_of, folk) -> Chat:
    return Chat(app, client, headers_of, folk)


@pytest.fixture
def limited_chat(app_factory, folk):
    """The chat API of an app with limits on: `limits` sets RATELIMIT_* (e.g. `RATELIMIT_MESSAGES="2 per minute"`)."""

    def build(**limits) -> Chat:
        app = app_factory(RATELIMIT_ENABLED=True, **limits)
        client = app.test_client()
        cache = {}

        def headers_of(name: str) -> dict:
            if name not in cache:
                cache[name] = bearer(login(client, name)["access_token"])
            return cache[name]

        return Chat(app, client, headers_of, folk)

    return build


@pytest.fixture
def presence(monkeypatch) -> set[int]:
    """Who has a chat client open: add a user id to the set to make them present."""
    present: set[int] = set()
    monkeypatch.setattr("app.integrations.realtime.is_in_chat", lambda user_id: user_id in present)
    return present
