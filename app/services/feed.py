"""The home feed (`GET /feed/`): the caller's own posts, their friends' and their groups', newest first.

A read model over the home timelines (app/models/timelines.py): a page is one range of the timeline's key
(owner, created_at, post id) joined to the posts it names, filtered by the one visibility rule, so what a
timeline offers is shown only while the caller may still see it. Posts a moderator hid never appear in the home
feed (their authors still find them on their own profile). Nothing else imports this module.
"""

from collections.abc import Callable

from sqlalchemy import Select, select

from app.models import FeedEntry, Post, User
from app.services import posts


def home_feed(viewer: User, paginate: Callable[[Select], dict]) -> dict:
    """The caller's home feed as `paginate` pages it (a keyset over `FeedEntry.created_at, FeedEntry.post_id`)."""
    query = (
        select(Post)
        .join(FeedEntry, FeedEntry.post_id == Post.id)
        .join(User, User.id == Post.author_id)
        .where(FeedEntry.owner_id == viewer.id, Post.hidden_at.is_(None), posts.seen_by(viewer))
    )
    page = paginate(query)
    return page | {"items": posts.post_views(viewer, page["items"])}
