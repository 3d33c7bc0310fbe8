"""What moderation acts on, made as rows (not through the posts API): posts, comments, reports, and the friendships
and blocks that decide who sees them."""

import factory

from app.extensions import db
from app.models import Block, Comment, Flag, FlagStatus, FlagTarget, Friendship, Post, Privacy
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class PostFactory(BaseFactory):
    class Meta:
        model = Post

    author_id = factory.LazyFunction(owner_id)
    text = factory.Sequence(lambda n: f"Morning run number {n}")
    visibility = Privacy.PUBLIC


class CommentFactory(BaseFactory):
    class Meta:
        model = Comment

    post_id = factory.LazyFunction(lambda: PostFactory().id)
    author_id = factory.LazyFunction(owner_id)
    text = factory.Sequence(lambda n: f"Nice pace {n}")


class FlagFactory(BaseFactory):
    """A report of a post (a new public one unless `target_id` is given)."""

    class Meta:
        model = Flag

    reporter_id = factory.LazyFunction(owner_id)
    target_type = FlagTarget.POST
    target_id = factory.LazyFunction(lambda: PostFactory().id)
    reason = "Spam"
    status = FlagStatus.OPEN


def befriend(user_id: int, other_id: int) -> None:
    """A friendship is two rows, one each way."""
    db.session.add_all(
        [Friendship(user_id=user_id, friend_id=other_id), Friendship(user_id=other_id, friend_id=user_id)]
    )
    db.session.commit()


def block(blocker_id: int, blocked_id: int) -> None:
    db.session.add(Block(blocker_id=blocker_id, blocked_id=blocked_id))
    db.session.commit()
