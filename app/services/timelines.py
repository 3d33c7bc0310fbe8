"""The write side of home timelines (app/models/timelines.py): what `GET /feed/` offers each person.

Each function adds to the caller's transaction and never commits; the use case that calls it (a post, an
acceptance, an unfriend, a block) commits once, so a timeline never disagrees with the post or friendship it
reflects. Every statement is set-based: a post by someone with 500 friends is one INSERT … SELECT of 501 rows.
"""

from flask import current_app
from sqlalchemy import and_, delete, literal, or_, select, true, union_all

from app.extensions import db
from app.lib.sql import insert_ignore
from app.models import FeedEntry, Friendship, GroupMember, Post

COLUMNS = ("owner_id", "created_at", "post_id", "author_id")


def fan_out(post: Post) -> None:
    """Offer a new post (or share) to its author's timeline and each of their friends'; a group's post to its
    members' (the author is one)."""
    if post.group_id is not None:
        owners = select(GroupMember.user_id.label("owner_id")).where(GroupMember.group_id == post.group_id).subquery()
    else:
        owners = union_all(
            select(literal(post.author_id).label("owner_id")),
            select(Friendship.friend_id).where(Friendship.user_id == post.author_id),
        ).subquery()
    rows = select(
        owners.c.owner_id,
        literal(post.created_at, FeedEntry.created_at.type),
        literal(post.id),
        literal(post.author_id),
    ).where(true())  # SQLite parses INSERT … SELECT … ON CONFLICT only when the SELECT has a WHERE
    db.session.execute(_insert().from_select(COLUMNS, rows))


def backfill_between(user_id: int, friend_id: int) -> None:
    """New friends: each one's latest posts (FEED_BACKFILL_POSTS) join the other's timeline."""
    for owner_id, author_id in ((user_id, friend_id), (friend_id, user_id)):
        _backfill(owner_id, Post.author_id == author_id, Post.group_id.is_(None))  # groups' come with membership


def remove_between(user_id: int, other_id: int, *, keep_groups: bool = False) -> None:
    """No longer friends (unfriended, blocked): each one's posts leave the other's timeline; `keep_groups` (an
    unfriending) keeps those of groups both are in, which came with the group, not the friendship."""
    pairs = or_(
        and_(FeedEntry.owner_id == user_id, FeedEntry.author_id == other_id),
        and_(FeedEntry.owner_id == other_id, FeedEntry.author_id == user_id),
    )
    if keep_groups:
        in_groups = select(Post.id).where(Post.author_id.in_((user_id, other_id)), Post.group_id.is_not(None))
        pairs = and_(pairs, FeedEntry.post_id.not_in(in_groups))
    db.session.execute(delete(FeedEntry).where(pairs))


def backfill_group(user_id: int, group_id: int) -> None:
    """A new member: the group's latest posts (FEED_BACKFILL_POSTS) join their timeline."""
    _backfill(user_id, Post.group_id == group_id)


def _backfill(owner_id: int, *which) -> None:
    """The latest FEED_BACKFILL_POSTS posts `which` selects join `owner_id`'s timeline (one INSERT … SELECT)."""
    latest = (
        select(literal(owner_id), Post.created_at, Post.id, Post.author_id)
        .where(*which)
        .order_by(Post.id.desc())
        .limit(current_app.config["FEED_BACKFILL_POSTS"])
    )
    db.session.execute(_insert().from_select(COLUMNS, latest))


def remove_group(user_id: int, group_id: int) -> None:
    """No longer a member: the group's posts leave their timeline."""
    in_group = select(Post.id).where(Post.group_id == group_id)
    db.session.execute(delete(FeedEntry).where(FeedEntry.owner_id == user_id, FeedEntry.post_id.in_(in_group)))


def _insert():
    return insert_ignore(FeedEntry, conflict_on=("owner_id", "created_at", "post_id"))
