"""Posts, comments, reactions and the media and relations they need, made directly as rows (hidden content too:
hiding is the moderators' endpoint, not the posts service)."""

import factory

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
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class PostFactory(BaseFactory):
    class Meta:
        model = Post

    author_id = factory.LazyFunction(owner_id)
    text = factory.Sequence(lambda n: f"Post {n}")
    visibility = Privacy.PUBLIC


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
