"""Friends fixtures: a few people and a small client of the friends API, by name."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Block, FriendRequest, Friendship, Notification, Role

API = "/api/v1"


class Social:
    """The friends API as people use it: `social.send("ann", "bob")` is ann asking bob."""

    def __init__(self, app, client, headers_of, ids: dict[str, int]):
        self.app, self.client, self.headers_of, self.ids = app, client, headers_of, ids

    def call(self, actor: str, method: str, path: str, json=None, **kwargs):
        return self.client.open(API + path, method=method, json=json, headers=self.headers_of(actor), **kwargs)

    def send(self, actor: str, other: str):
        return self.call(actor, "POST", "/friend-requests/", {"user_id": self.ids[other]})

    def answer(self, actor: str, request_id: int, verb: str):
        return self.call(actor, "POST", f"/friend-requests/{request_id}/{verb}/")

    def cancel(self, actor: str, request_id: int):
        return self.call(actor, "DELETE", f"/friend-requests/{request_id}/")

    def unfriend(self, actor: str, other: str):
        return self.call(actor, "DELETE", f"/friends/{self.ids[other]}/")

    def block(self, actor: str, other: str):
        return self.call(actor, "POST", "/blocks/", {"user_id": self.ids[other]})

    def unblock(self, actor: str, other: str):
        return self.call(actor, "DELETE", f"/blocks/{self.ids[other]}/")

    def names(self, actor: str, path: str) -> list[str]:
        response = self.call(actor, "GET", path)
        assert response.status_code == 200, response.json
        return [item["user"]["username"] for item in response.json]

    def friends(self, actor: str, whose: str | None = None) -> list[str]:
        return self.names(actor, "/friends/" + (f"?user_id={self.ids[whose]}" if whose else ""))

    def pending_id(self, sender: str, recipient: str) -> int | None:
        with self.app.app_context():
            query = select(FriendRequest.id).filter_by(sender_id=self.ids[sender], recipient_id=self.ids[recipient])
            return db.session.scalar(query)

    def befriend(self, one: str, other: str) -> None:
        assert self.send(one, other).status_code == 201
        assert self.answer(other, self.pending_id(one, other), "accept").status_code == 200

    def notifications(self, recipient: str) -> list[tuple[str, int | None]]:
        """(type, actor_id) of what `recipient` was told, oldest first."""
        with self.app.app_context():
            query = select(Notification.type, Notification.actor_id).filter_by(recipient_id=self.ids[recipient])
            return [tuple(row) for row in db.session.execute(query.order_by(Notification.id))]

    def pair_state(self, one: str, other: str) -> dict:
        """What the database holds between the two, by name."""
        a, b = self.ids[one], self.ids[other]
        by_id = {a: one, b: other}
        with self.app.app_context():
            requests = db.session.execute(
                select(FriendRequest.sender_id, FriendRequest.recipient_id).where(
                    FriendRequest.pair_low == min(a, b), FriendRequest.pair_high == max(a, b)
                )
            ).all()
            friendships = set(
                db.session.execute(
                    select(Friendship.user_id, Friendship.friend_id).where(Friendship.user_id.in_([a, b]))
                ).all()
            )
            blocks = db.session.execute(
                select(Block.blocker_id, Block.blocked_id).where(
                    Block.blocker_id.in_([a, b]), Block.blocked_id.in_([a, b])
                )
            ).all()
        assert friendships in (set(), {(a, b), (b, a)}), friendships  # both rows or none
        return {
            "pending": tuple(by_id[i] for i in requests[0]) if requests else None,
            "friends": bool(friendships),
            "blocks": frozenset((by_id[x], by_id[y]) for x, y in blocks),
        }


@pytest.fixture
def folk(make_user) -> dict[str, int]:
    """ann and bob (the pair most tests are about), cat and dan (others), root (an admin)."""
    names = ["ann", "bob", "cat", "dan"]
    ids = {name: make_user(username=name) for name in names}
    ids["root"] = make_user(username="root", role=Role.ADMIN)
    return ids


@pytest.fixture
def social(app, client, headers_of, folk) -> Social:
    return Social(app, client, headers_of, folk)
