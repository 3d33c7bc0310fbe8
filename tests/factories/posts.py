"""Posts, comments, reactions and the media and relations they need, made directly as rows (hidden content too:
hiding is the moderators' endpoint, not the posts service)."""

import factory

from app.extensions import db
from app.models import (
    Comment,
    MediaAsset,
    MediaKind,
    MediaStatus,
    Post,
    PostMedia,
    Privacy,
    Reaction,
    ReactionKind,
)
from app.services import timelines
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class PostFactory(BaseFactory):
    """A post, offered to its author's and their friends' home feeds as posting it through the API does."""

    class Meta:
        model = Post

    author_id = factory.LazyFunction(owner_id)
    text = factory.Sequence(lambda n: f"Post {n}")
    visibility = Privacy.PUBLIC

    @factory.post_generation
    def in_feeds(post, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object first
        if create:
            timelines.fan_out(post)
            db.session.commit()


class ShareFactory(PostFactory):
    """A share of `shared_post_id` (a new public post when not given)."""

    text = factory.Sequence(lambda n: f"Share {n}")
    is_share = True
    shared_post_id = factory.LazyFunction(lambda: PostFactory().id)


class CommentFactory(BaseFactory):
    class Meta:
        model = Comment

    post_id = factory.LazyFunction(lambda: PostFactory().id)
    author_id = factory.LazyFunction(owner_id)
    text = factory.Sequence(lambda n: f"Comment {n}")


class ReactionFactory(BaseFactory):
    class Meta:
        model = Reaction

    post_id = factory.LazyFunction(lambda: PostFactory().id)
    user_id = factory.LazyFunction(owner_id)
    kind = ReactionKind.LIKE


class ReadyImageFactory(BaseFactory):
    """A processed image (its renditions are keys only: no file is stored, and none is read by a post's view)."""

    class Meta:
        model = MediaAsset

    owner_id = factory.LazyFunction(owner_id)
    kind = MediaKind.IMAGE
    status = MediaStatus.READY
    content_type = "image/jpeg"
    byte_size = 1000
    width = 48
    height = 32
    renditions = factory.LazyFunction(lambda: {"display": "k1", "thumb": "k2"})


class PostImageFactory(BaseFactory):
    """An image in a post, at `position`."""

    class Meta:
        model = PostMedia

    post_id = factory.LazyFunction(lambda: PostFactory().id)
    position = 0
    media_id = factory.LazyFunction(lambda: ReadyImageFactory().id)
