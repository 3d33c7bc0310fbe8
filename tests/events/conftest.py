"""Events fixtures: a few people and a small client of the events API, by name."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import EventRsvp, Notification, NotificationType
from app.models.base import utcnow
from tests.factories.friends import block

API = "/api/v1"
NAMES = ("ann", "bob", "cat", "dan")


def later(**delta) -> str:
    """An instant from now, as a client sends it (ISO 8601 with its offset)."""
    return (utcnow().replace(microsecond=0) + timedelta(**delta)).isoformat()


def event_body(**fields) -> dict:
    return {"title": "Park run", "starts_at": later(days=2), "ends_at": later(days=2, hours=1)} | fields


class Events:
    """The events API as people use it: `events.create("ann", capacity=2)` is ann organising an event."""

    def __init__(self, app, client, headers_of, ids: dict[str, int]):
        self.app, self.client, self.headers_of, self.ids = app, client, headers_of, ids

    def call(self, actor: str, method: str, path: str, json=None, **kwargs):
        return self.client.open(API + path, method=method, json=json, headers=self.headers_of(actor), **kwargs)

    def create(self, actor: str, **fields) -> dict:
        response = self.call(actor, "POST", "/events/", event_body(**fields))
        assert response.status_code == 201, response.json
        return response.json

    def read(self, actor: str, event_id: int):
        return self.call(actor, "GET", f"/events/{event_id}/")

    def rsvp(self, actor: str, event_id: int, status: str = "going"):
        return self.call(actor, "PUT", f"/events/{event_id}/rsvp/", {"status": status})

    def answer(self, actor: str, event_id: int, status: str = "going") -> str:
        response = self.rsvp(actor, event_id, status)
        assert response.status_code == 200, response.json
        return response.json["status"]

    def withdraw(self, actor: str, event_id: int):
        return self.call(actor, "DELETE", f"/events/{event_id}/rsvp/")

    def block(self, blocker: str, blocked: str) -> None:
        with self.app.app_context():
            block(self.ids[blocker], self.ids[blocked])

    def statuses(self, event_id: int) -> dict[str, str]:
        """Everyone's stored answer, by name."""
        names = {user_id: name for name, user_id in self.ids.items()}
        with self.app.app_context():
            rows = db.session.execute(select(EventRsvp.user_id, EventRsvp.status).filter_by(event_id=event_id))
            return {names.get(user_id, user_id): status for user_id, status in rows}

    def event_notifications(self, recipient: str) -> list[str]:
        """The `event` notifications `recipient` got, oldest first."""
        with self.app.app_context():
            query = select(Notification.message).filter_by(
                recipient_id=self.ids[recipient], type=NotificationType.EVENT
            )
            return list(db.session.scalars(query.order_by(Notification.id)))


@pytest.fixture
def folk(make_user) -> dict[str, int]:
    """ann, bob, cat and dan, ids by name."""
    return {name: make_user(username=name) for name in NAMES}


@pytest.fixture
def events(app, client, headers_of, folk) -> Events:
    return Events(app, client, headers_of, folk)
