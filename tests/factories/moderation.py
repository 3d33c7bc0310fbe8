"""Reports of content (flags); the posts and comments they report come from tests/factories/posts.py."""

import factory

from app.models import Flag, FlagStatus, FlagTarget
from tests.factories.base import BaseFactory
from tests.factories.posts import PostFactory
from tests.factories.users import owner_id


class FlagFactory(BaseFactory):
    """A report of a post (a new public one unless `target_id` is given)."""

    class Meta:
        model = Flag

    reporter_id = factory.LazyFunction(owner_id)
    target_type = FlagTarget.POST
    target_id = factory.LazyFunction(lambda: PostFactory().id)
    reason = "Spam"
    status = FlagStatus.OPEN
