"""The moderation tests' world: the cast (alice and mallory are users, coach and stranger trainers, root an admin),
their content as rows, and short ways to call the moderation API."""

import pytest

from app.extensions import db
from app.models import AuditEvent, Notification
from tests.factories.posts import CommentFactory, PostFactory

API = "/api/v1/moderation"


@pytest.fixture
def make_post(app):
    """A post (committed) by one of the cast; returns its id."""

    def make(author_id: int, **fields) -> int:
        with app.app_context():
            return PostFactory(author_id=author_id, **fields).id

    return make


@pytest.fixture
def make_comment(app):
    def make(post_id: int, author_id: int, **fields) -> int:
        with app.app_context():
            return CommentFactory(post_id=post_id, author_id=author_id, **fields).id

    return make


@pytest.fixture
def report(client, headers_of):
    """POST a report as `username`; returns the response."""

    def send(username: str, target_id, target_type="post", reason="Spam", **extra):
        body = {"target_type": target_type, "target_id": target_id, "reason": reason, **extra}
        return client.post(f"{API}/flags/", json=body, headers=headers_of(username))

    return send


@pytest.fixture
def act(client, headers_of):
    """A moderator's action as `username`: `act("coach", "hide", "post", 7, json={...})`."""

    def send(username: str, action: str, target_type: str, target_id, **kwargs):
        url = f"{API}/{target_type}/{target_id}/{action}/"
        return client.post(url, headers=headers_of(username), **kwargs)

    return send


def audit_events(app, type: str) -> list[dict]:
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.type == type).order_by(AuditEvent.id))
        return [dict(user_id=e.user_id, actor_id=e.actor_id, details=e.details) for e in events]


def notifications_of(app, user_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(db.select(Notification).where(Notification.recipient_id == user_id))
        return [
            dict(type=n.type, message=n.message, data=n.data, target=(n.target_type, n.target_id), actor=n.actor_id)
            for n in rows
        ]
