"""Friend requests, friendships (both rows at once) and blocks."""

import factory

from app.extensions import db
from app.models import Block, FriendRequest, Friendship
from app.services import timelines
from tests.factories.base import BaseFactory
from tests.factories.users import UserFactory


class FriendRequestFactory(BaseFactory):
    """A pending request; pass `sender_id` and `recipient_id` (the pair columns follow)."""

    class Meta:
        model = FriendRequest

    sender_id = factory.LazyFunction(lambda: UserFactory().id)
    recipient_id = factory.LazyFunction(lambda: UserFactory().id)
    pair_low = factory.LazyAttribute(lambda request: min(request.sender_id, request.recipient_id))
    pair_high = factory.LazyAttribute(lambda request: max(request.sender_id, request.recipient_id))


class BlockFactory(BaseFactory):
    class Meta:
        model = Block

    blocker_id = factory.LazyFunction(lambda: UserFactory().id)
    blocked_id = factory.LazyFunction(lambda: UserFactory().id)


def befriend(user_id: int, other_id: int) -> None:
    """Make the two friends, as accepting a request does: one row each way, and each one's posts in the other's
    home feed."""
    db.session.add_all(
        [Friendship(user_id=user_id, friend_id=other_id), Friendship(user_id=other_id, friend_id=user_id)]
    )
    timelines.backfill_between(user_id, other_id)
    db.session.commit()


def block(blocker_id: int, blocked_id: int) -> None:
    """`blocker_id` blocks `blocked_id`, committed."""
    db.session.add(Block(blocker_id=blocker_id, blocked_id=blocked_id))
    db.session.commit()
