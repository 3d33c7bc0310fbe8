"""The for-you feed (`GET /feed/for-you/`): recent posts the caller may see, ranked by a documented formula.

Candidates. Posts of the last FOR_YOU_WINDOW_DAYS that are not the caller's, not hidden by a moderator, seen by
the caller under the one visibility rule (`posts.seen_by`), and not by someone the caller blocked or who blocked
the caller (not even for staff, who see past privacy: a feed recommends, it does not administer): the newest
4 x FOR_YOU_CANDIDATES of the caller's home timeline (their friends' posts) merged with as many of the newest public
posts overall, so a person without friends still gets a ranked feed of public posts. One statement finds them with
their reactions, comments (not hidden) and shares (not hidden) counted and whether the author is a friend; three
grouped statements over the candidates' authors add friend-of-friend, shared tags and affinity.

Score (a pure function, `score`; weights in FOR_YOU_WEIGHTS, half-life in FOR_YOU_HALF_LIFE_HOURS):

    score = (1 + w_engagement * ln(1 + reactions + 2 * comments + 3 * shares)
               + w_friend * friend                  # 1 when the author is the caller's friend
               + w_friend_of_friend * friend_of_friend  # 1 when a friend's friend (not a friend, not the caller)
               + w_shared_tag * shared_tags         # tags/interests the caller and the author both have
               + w_affinity * ln(1 + affinity))     # the caller's reactions on the author's posts, ever
            * 0.5 ** (age_hours / half_life)

Each signal raises a post by a multiple of its freshness, so a fresh post needs fewer signals than an old one to
rank first, and a post half a day older needs about 41% more (with a 24 h half-life). Ties go to the newer post.
A weight missing from FOR_YOU_WEIGHTS counts as 0; weights are meant to be non-negative.

Pages. The first page ranks the candidates and keeps the top FOR_YOU_CANDIDATES ids, in order, in Redis under a
random key for FOR_YOU_SNAPSHOT_TTL seconds (renewed by each page read); its `next_cursor` names that snapshot, an
offset and the caller. Later pages are slices of the snapshot, so they never repeat or skip a post however scores
change meanwhile; each slice is checked against the visibility rule again, so a post deleted, hidden, made less
visible or whose author blocked the caller since the ranking is left out, and the page reads on (up to twice
`limit` ids) to stay full: a page holds fewer than `limit` posts only when many left view at once, and the feed
ends when `next_cursor` is null. Nothing else imports this module.
"""

import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, union
from sqlalchemy.orm import aliased

from app.errors import RuleViolation
from app.extensions import db, redis_store
from app.models import Comment, FeedEntry, Friendship, Post, Privacy, Reaction, User, UserTag
from app.models.base import utcnow
from app.services import posts, visibility

WEIGHT_NAMES = ("engagement", "friend", "friend_of_friend", "shared_tag", "affinity")
SNAPSHOT_KEY = "for-you:{user_id}:{snapshot}"
# A page reads this many times `limit` ids of the snapshot, so it is still full when some left view since.
READ_AHEAD = 2
CANDIDATES_PER_SOURCE = 4  # x FOR_YOU_CANDIDATES: how many of the newest posts each source offers to the ranking
BAD_CURSOR = "Not a cursor this list gave out; start again without one."
EXPIRED = "This ranking has expired; start again without a cursor for a fresh one."
# Built once: an alias built per statement costs more than running it (it adapts its columns again each time).
_SHARE = aliased(Post, name="share")
_MY_FRIENDSHIP = aliased(Friendship, name="my_friendship")
_THEIR_FRIENDSHIP = aliased(Friendship, name="their_friendship")
_MY_TAG = aliased(UserTag, name="my_tag")
_THEIR_TAG = aliased(UserTag, name="their_tag")


@dataclass(frozen=True)
class SnapshotCursor:
    """Where the next page starts: `offset` into the caller's (`user_id`) ranking `snapshot`."""

    snapshot: str
    offset: int
    user_id: int


@dataclass(frozen=True)
class Signals:
    """What the ranking knows of one post, besides its age."""

    reactions: int = 0
    comments: int = 0
    shares: int = 0
    is_friend: bool = False
    is_friend_of_friend: bool = False
    shared_tags: int = 0
    affinity: int = 0


def score(signals: Signals, age_hours: float, weights: Mapping[str, float], half_life: float) -> float:
    """The post's rank (higher first); the formula is the module's docstring."""
    weight = {name: float(weights.get(name, 0.0)) for name in WEIGHT_NAMES}
    engagement = math.log1p(signals.reactions + 2 * signals.comments + 3 * signals.shares)
    boost = (
        1
        + weight["engagement"] * engagement
        + weight["friend"] * signals.is_friend
        + weight["friend_of_friend"] * signals.is_friend_of_friend
        + weight["shared_tag"] * signals.shared_tags
        + weight["affinity"] * math.log1p(signals.affinity)
    )
    return boost * 0.5 ** (max(age_hours, 0.0) / half_life)


def for_you_feed(
    viewer: User, limit: int, cursor: SnapshotCursor | None, sign: Callable[[SnapshotCursor], str]
) -> dict:
    """`{items, next_cursor}`: a ranked page of posts as the viewer sees them; `sign` makes a cursor a token."""
    if cursor is None:
        ranked, snapshot = _rank_and_keep(viewer, limit)
        offset, total, window = 0, len(ranked), ranked[: READ_AHEAD * limit]
    else:
        window, total = _snapshot_slice(viewer, cursor, READ_AHEAD * limit)
        snapshot, offset = cursor.snapshot, cursor.offset
    shown = _still_visible(viewer, window)[:limit]
    # Past the last post shown; when fewer than `limit` are still visible, past the whole window read.
    following = offset + (window.index(shown[-1].id) + 1 if len(shown) == limit else len(window))
    next_cursor = sign(SnapshotCursor(snapshot, following, viewer.id)) if snapshot and following < total else None
    return {"items": posts.post_views(viewer, shown), "next_cursor": next_cursor}


# --- ranking --------------------------------------------------------------------------------------------------


def _rank_and_keep(viewer: User, limit: int) -> tuple[list[int], str | None]:
    """The ranked ids (at most FOR_YOU_CANDIDATES), and the key of their snapshot when more than a page follows."""
    config = current_app.config
    now = utcnow()
    candidates = _candidates(viewer, now - timedelta(days=config["FOR_YOU_WINDOW_DAYS"]))
    if not candidates:
        return [], None
    authors = {row.author_id for row in candidates}
    friends_of_friends = _friends_of_friends(viewer, authors)
    tags = _shared_tags(viewer, authors)
    affinity = _affinity(viewer, authors)
    weights, half_life = config["FOR_YOU_WEIGHTS"], config["FOR_YOU_HALF_LIFE_HOURS"]

    def rank(row) -> tuple[float, int]:
        signals = Signals(
            reactions=row.reactions,
            comments=row.comments,
            shares=row.shares,
            is_friend=bool(row.is_friend),
            is_friend_of_friend=row.author_id in friends_of_friends,
            shared_tags=tags.get(row.author_id, 0),
            affinity=affinity.get(row.author_id, 0),
        )
        age_hours = (now - row.created_at).total_seconds() / 3600
        return score(signals, age_hours, weights, half_life), row.id

    ids = [row.id for row in sorted(candidates, key=rank, reverse=True)][: config["FOR_YOU_CANDIDATES"]]
    return ids, _keep(viewer, ids) if len(ids) > limit else None


def _candidates(viewer: User, since: datetime) -> list:
    """The posts the ranking considers (see the module's docstring), with their per-post signals."""
    bound = CANDIDATES_PER_SOURCE * current_app.config["FOR_YOU_CANDIDATES"]
    friends_posts = (
        select(FeedEntry.post_id.label("id"))
        .where(FeedEntry.owner_id == viewer.id, FeedEntry.created_at >= since, FeedEntry.author_id != viewer.id)
        .order_by(FeedEntry.created_at.desc(), FeedEntry.post_id.desc())
        .limit(bound)
        .subquery()
    )
    public_posts = (
        select(Post.id)
        .where(Post.created_at >= since, Post.visibility == Privacy.PUBLIC, Post.author_id != viewer.id)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(bound)
        .subquery()
    )
    offered = union(select(friends_posts.c.id), select(public_posts.c.id))
    share = _SHARE
    query = (
        select(
            Post.id,
            Post.author_id,
            Post.created_at,
            select(func.count()).where(Reaction.post_id == Post.id).scalar_subquery().label("reactions"),
            select(func.count())
            .where(Comment.post_id == Post.id, Comment.hidden_at.is_(None))
            .scalar_subquery()
            .label("comments"),
            select(func.count())
            .where(share.shared_post_id == Post.id, share.hidden_at.is_(None))
            .scalar_subquery()
            .label("shares"),
            visibility.is_friend_of(viewer, Post.author_id).label("is_friend"),
        )
        .join(User, User.id == Post.author_id)
        .where(
            Post.id.in_(offered),
            Post.author_id != viewer.id,
            Post.hidden_at.is_(None),
            posts.seen_by(viewer),
            visibility.not_blocked(viewer, Post.author_id),  # staff see past privacy, but are not offered a block
        )
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(bound)
    )
    return list(db.session.execute(query))


def _friends_of_friends(viewer: User, authors: set[int]) -> set[int]:
    """The authors who are a friend's friend, neither a friend nor the viewer."""
    mine, theirs = _MY_FRIENDSHIP, _THEIR_FRIENDSHIP
    query = (
        select(theirs.friend_id)
        .select_from(mine)
        .join(theirs, theirs.user_id == mine.friend_id)
        .where(
            mine.user_id == viewer.id,
            theirs.friend_id.in_(authors),
            theirs.friend_id != viewer.id,
            ~visibility.is_friend_of(viewer, theirs.friend_id),
        )
        .distinct()
    )
    return set(db.session.scalars(query))


def _shared_tags(viewer: User, authors: set[int]) -> dict[int, int]:
    """How many of the viewer's tags each author has too."""
    mine, theirs = _MY_TAG, _THEIR_TAG
    query = (
        select(theirs.user_id, func.count())
        .select_from(mine)
        .join(theirs, theirs.tag == mine.tag)
        .where(mine.user_id == viewer.id, theirs.user_id.in_(authors))
        .group_by(theirs.user_id)
    )
    return {key: count for key, count in db.session.execute(query)}


def _affinity(viewer: User, authors: set[int]) -> dict[int, int]:
    """How many of each author's posts the viewer reacted to."""
    query = (
        select(Post.author_id, func.count())
        .select_from(Reaction)
        .join(Post, Post.id == Reaction.post_id)
        .where(Reaction.user_id == viewer.id, Post.author_id.in_(authors))
        .group_by(Post.author_id)
    )
    return {key: count for key, count in db.session.execute(query)}


# --- the snapshot ---------------------------------------------------------------------------------------------


def _keep(viewer: User, ids: list[int]) -> str:
    """Store a ranking for the pages that follow; its key's random part."""
    snapshot = secrets.token_urlsafe(12)
    key = SNAPSHOT_KEY.format(user_id=viewer.id, snapshot=snapshot)
    with redis_store.client.pipeline() as pipe:
        pipe.rpush(key, *ids)
        pipe.expire(key, current_app.config["FOR_YOU_SNAPSHOT_TTL"])
        pipe.execute()
    return snapshot


def _snapshot_slice(viewer: User, cursor: SnapshotCursor, count: int) -> tuple[list[int], int]:
    """The snapshot's ids from the cursor's offset (up to `count`) and its length; renews its time to live."""
    if cursor.user_id != viewer.id:
        raise _bad_cursor(BAD_CURSOR)
    key = SNAPSHOT_KEY.format(user_id=viewer.id, snapshot=cursor.snapshot)
    with redis_store.client.pipeline() as pipe:
        pipe.expire(key, current_app.config["FOR_YOU_SNAPSHOT_TTL"])
        pipe.lrange(key, cursor.offset, cursor.offset + count - 1)
        pipe.llen(key)
        is_alive, ids, total = pipe.execute()
    if not is_alive:
        raise _bad_cursor(EXPIRED)
    return [int(post_id) for post_id in ids], total


def _bad_cursor(message: str) -> RuleViolation:
    return RuleViolation(message, {"query": {"cursor": [message]}})


def _still_visible(viewer: User, ids: Iterable[int]) -> list[Post]:
    """The posts of `ids` the viewer may still see, in the order of `ids`."""
    ids = list(ids)
    if not ids:
        return []
    query = (
        select(Post)
        .join(User, User.id == Post.author_id)
        .where(
            Post.id.in_(ids),
            Post.hidden_at.is_(None),
            posts.seen_by(viewer),
            visibility.not_blocked(viewer, Post.author_id),
        )
    )
    found = {post.id: post for post in db.session.scalars(query)}
    return [found[post_id] for post_id in ids if post_id in found]
