"""Posts and shares: create, read, edit and delete them, list a person's posts, and show each one as the viewer may
see it.

Privacy is decided only by `app/services/visibility.py`: a post is seen by whoever may see a thing of its author's
with the post's `visibility`, a hidden one only by its author and the moderators, and a post of an inactive account
by nobody. A post the viewer may not see does not exist for them (404).

A group's post (`group_id`) is written by a member and seen as the group decides (a public group's by everyone,
a private group's by its members: `visibility.can_see_in_group`); a private group's posts cannot be shared.

A share is a post with `is_share` and `shared_post_id`. Its `shared_post` is always the original as *the viewer*
may see it — a friends-only original stays with the original author's friends, whoever shared it — or a tombstone
(`{id: null, is_available: false}`) when it was deleted or the viewer may not see it. A share of a share shares the
original, so shares never nest.

A list of posts is shown in a constant number of statements: the page, then one query each for the shared
originals, authors, media, reaction counts, the viewer's reactions, comment counts and share counts of the whole
page (`post_views`).
"""

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from app.errors import Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.models import (
    Comment,
    Group,
    GroupVisibility,
    MediaAsset,
    NotificationType,
    Post,
    PostMedia,
    Privacy,
    Reaction,
    User,
)
from app.models.base import utcnow
from app.services import groups, media, notifications, timelines, visibility
from app.services.notifications import Target
from app.services.users import user_cards
from app.transactions import lock_for_write

MAX_TEXT = 5000
# From the most to the least visible: a share may be at most as visible as its original allows.
VISIBILITY_ORDER = (Privacy.PUBLIC, Privacy.FRIENDS, Privacy.PRIVATE)
TOMBSTONE = {"id": None, "is_available": False}
# Built once: an alias built per statement costs more than running it (it adapts its columns again each time).
_SHARE = aliased(Post, name="share")

Paginate = Callable[[Select], dict]


# --- what a viewer sees -------------------------------------------------------------------------------------


def seen_by(viewer: User, post=Post, author=User) -> ColumnElement[bool]:
    """SQL over `post` joined to its `author`: the posts the viewer may see (privacy or the group's rule, blocks,
    hidden, live authors). The SQL twin of `get_post_for`'s check."""
    return and_(
        or_(
            and_(
                post.group_id.is_(None),
                visibility.visible_to(viewer, owner_id=post.author_id, privacy=post.visibility),
            ),
            and_(
                post.group_id.is_not(None),
                visibility.visible_in_group_to(viewer, owner_id=post.author_id, group_id=post.group_id),
            ),
        ),
        visibility.not_hidden_from(viewer, post.hidden_at, post.author_id),
        author.is_active,
    )


def comments_seen_by(viewer: User) -> ColumnElement[bool]:
    """SQL over `Comment` joined to its author (`User`): the comments of a visible post the viewer sees — not a
    blocked person's (either way), not a hidden one unless theirs or they moderate, not an inactive account's."""
    return and_(
        visibility.not_blocked(viewer, Comment.author_id),
        visibility.not_hidden_from(viewer, Comment.hidden_at, Comment.author_id),
        User.is_active,
    )


def get_post_for(viewer: User, post_id: int, *, to_change: bool = False, lock: bool = False) -> Post:
    """Fetch and authorise: a post the viewer may not see is 404; `to_change` (edit, delete): only its author,
    403 for anyone else who sees it. `lock` takes the post's row lock."""
    if lock:
        lock_for_write(db.session)
    query = select(Post, User).join(User, User.id == Post.author_id).where(Post.id == post_id)
    found = db.session.execute(query.with_for_update(of=Post) if lock else query).first()
    if found is None:
        raise NotFound("No such post.")
    post, author = found
    if post.group_id is not None:
        is_seen = visibility.can_see_in_group(viewer, author.id, db.session.get(Group, post.group_id))
    else:
        is_seen = visibility.can_see(viewer, author, post.visibility)
    if not (author.is_active and is_seen and visibility.can_see_hidden(viewer, post.author_id, post.hidden_at)):
        raise NotFound("No such post.")
    if to_change and post.author_id != viewer.id:
        raise Forbidden("Only its author can change or delete a post.")
    return post


def read_post(viewer: User, post_id: int) -> dict:
    return post_view(viewer, get_post_for(viewer, post_id))


def post_view(viewer: User, post: Post) -> dict:
    return post_views(viewer, [post])[0]


def post_views(viewer: User, posts: list[Post]) -> list[dict]:
    """The posts as the viewer sees them (see the module's docstring), in a constant number of statements."""
    originals = _visible_originals(viewer, {post.shared_post_id for post in posts if post.shared_post_id})
    shown = {post.id: post for post in [*posts, *originals.values()]}
    ids = list(shown)
    facts = _Facts(
        authors=user_cards({post.author_id for post in shown.values()}),
        media=_media(ids),
        reactions=_reaction_counts(ids),
        mine=_my_reactions(viewer, ids),
        comments=_comment_counts(viewer, ids),
        shares=_share_counts(viewer, ids),
    )
    views = []
    for post in posts:
        view = facts.view(post)
        if post.is_share:
            original = originals.get(post.shared_post_id)
            view["shared_post"] = TOMBSTONE if original is None else facts.view(original) | {"is_available": True}
            view["shared_post_id"] = view["shared_post"]["id"]
        views.append(view)
    return views


class _Facts:
    """What a page of posts needs besides the rows, loaded once for all of them."""

    def __init__(self, *, authors, media, reactions, mine, comments, shares):
        self.authors, self.media, self.reactions, self.mine = authors, media, reactions, mine
        self.comments, self.shares = comments, shares

    def view(self, post: Post) -> dict:
        return {
            "id": post.id,
            "author": self.authors[post.author_id],
            "text": post.text,
            "visibility": post.visibility,
            "group_id": post.group_id,
            "media": self.media.get(post.id, []),
            "reactions": self.reactions.get(post.id, {}),
            "my_reaction": self.mine.get(post.id),
            "comments_count": self.comments.get(post.id, 0),
            "shares_count": self.shares.get(post.id, 0),
            "is_share": post.is_share,
            "shared_post_id": None,
            "shared_post": None,
            "created_at": post.created_at,
            "edited_at": post.edited_at,
            "is_hidden": post.hidden_at is not None,
        }


def _visible_originals(viewer: User, ids: set[int]) -> dict[int, Post]:
    if not ids:
        return {}
    query = select(Post).join(User, User.id == Post.author_id).where(Post.id.in_(ids), seen_by(viewer))
    return {post.id: post for post in db.session.scalars(query)}


def _media(post_ids: list[int]) -> dict[int, list[dict]]:
    query = (
        select(PostMedia.post_id, MediaAsset)
        .join(MediaAsset, MediaAsset.id == PostMedia.media_id)
        .where(PostMedia.post_id.in_(post_ids))
        .order_by(PostMedia.post_id, PostMedia.position)
    )
    found = defaultdict(list)
    for post_id, asset in db.session.execute(query):
        found[post_id].append(media.media_view(asset))
    return found


def _reaction_counts(post_ids: list[int]) -> dict[int, dict[str, int]]:
    query = (
        select(Reaction.post_id, Reaction.kind, func.count())
        .where(Reaction.post_id.in_(post_ids))
        .group_by(Reaction.post_id, Reaction.kind)
    )
    counts = defaultdict(dict)
    for post_id, kind, count in db.session.execute(query):
        counts[post_id][kind] = count
    return counts


def _my_reactions(viewer: User, post_ids: list[int]) -> dict[int, str]:
    query = select(Reaction.post_id, Reaction.kind).where(Reaction.post_id.in_(post_ids), Reaction.user_id == viewer.id)
    return {key: value for key, value in db.session.execute(query)}


def _comment_counts(viewer: User, post_ids: list[int]) -> dict[int, int]:
    """The comments the viewer would find in each post's thread."""
    query = (
        select(Comment.post_id, func.count())
        .join(User, User.id == Comment.author_id)
        .where(Comment.post_id.in_(post_ids), comments_seen_by(viewer))
        .group_by(Comment.post_id)
    )
    return {key: value for key, value in db.session.execute(query)}


def _share_counts(viewer: User, post_ids: list[int]) -> dict[int, int]:
    """How many times each post was shared (shares a moderator hid count only for their authors and moderators)."""
    share = _SHARE
    query = (
        select(share.shared_post_id, func.count())
        .where(share.shared_post_id.in_(post_ids), visibility.not_hidden_from(viewer, share.hidden_at, share.author_id))
        .group_by(share.shared_post_id)
    )
    return {key: value for key, value in db.session.execute(query)}


# --- a person's posts ---------------------------------------------------------------------------------------


def list_user_posts(viewer: User, user_id: int, paginate: Paginate) -> dict:
    """The person's posts the viewer may see, as `paginate` pages them (`{items, next_cursor}`), as post views.
    A person who does not exist, is inactive or is blocked either way is 404."""
    owner = db.session.get(User, user_id)
    if (
        owner is None
        or not owner.is_active
        or (
            owner.id != viewer.id
            and not visibility.is_staff(viewer)
            and visibility.is_blocked_between(viewer.id, owner.id)
        )
    ):
        raise NotFound("No such user.")
    query = select(Post).join(User, User.id == Post.author_id).where(Post.author_id == owner.id, seen_by(viewer))
    page = paginate(query)
    return page | {"items": post_views(viewer, page["items"])}


def list_group_posts(viewer: User, group_id: int, paginate: Paginate) -> dict:
    """A group's feed: its posts the viewer may see, newest first, as `paginate` pages them (a keyset over
    `Post.id`); a private group's to its members only (403), posts of people blocked either way left out."""
    group = groups.get_group(group_id)
    groups.require_reader(viewer, group)
    query = select(Post).join(User, User.id == Post.author_id).where(Post.group_id == group.id, seen_by(viewer))
    page = paginate(query)
    return page | {"items": post_views(viewer, page["items"])}


# --- writing ------------------------------------------------------------------------------------------------


def create_post(author: User, data: dict) -> dict:
    """A post of text and up to 10 images or one video (the author's unattached uploads, in the order given),
    visible as the author's profile by default; or (`group_id`) a post in a group the author is a member of,
    which the group's readers see (its `visibility` is `public`: the group decides)."""
    text = data.get("text", "")
    media_ids = data.get("media_ids", [])
    if not text.strip() and not media_ids:
        raise RuleViolation("A post needs text or media.", field="text")
    group_id = data.get("group_id")
    if group_id is not None:
        _check_group_visibility(data.get("visibility"))
        groups.require_member(author, group_id, field="group_id")
    if media_ids:
        lock_for_write(db.session)  # the uploads are read under a row lock, which SQLite does not take
    assets = media.claim_for_post(author, media_ids)
    chosen = Privacy.PUBLIC if group_id is not None else data.get("visibility", author.privacy)
    post = Post(author_id=author.id, text=text, visibility=chosen, group_id=group_id)
    db.session.add(post)
    db.session.flush()
    db.session.add_all(PostMedia(post_id=post.id, position=n, media_id=asset.id) for n, asset in enumerate(assets))
    timelines.fan_out(post)
    db.session.commit()
    return post_view(author, post)


def edit_post(viewer: User, post_id: int, data: dict) -> dict:
    """Change the text or the visibility (the media stay as posted); `edited_at` records that it changed."""
    post = get_post_for(viewer, post_id, to_change=True, lock=True)
    if "text" in data and not data["text"].strip() and not post.is_share and not _has_media(post.id):
        raise RuleViolation("A post needs text or media.", field="text")
    if "visibility" in data and post.group_id is not None:
        _check_group_visibility(data["visibility"])
    if "visibility" in data and post.is_share and post.shared_post_id is not None:
        _check_share_visibility(db.session.get(Post, post.shared_post_id), data["visibility"])
    changed = False
    for field in ("text", "visibility"):
        if field in data and data[field] != getattr(post, field):
            setattr(post, field, data[field])
            changed = True
    if changed:
        post.edited_at = utcnow()
    db.session.commit()
    return post_view(viewer, post)


def _check_group_visibility(chosen: str | None) -> None:
    if chosen not in (None, Privacy.PUBLIC):
        message = "A group's post is seen by the group's readers: its visibility can only be public."
        raise RuleViolation(message, field="visibility")


def _has_media(post_id: int) -> bool:
    return db.session.scalar(select(PostMedia.media_id).where(PostMedia.post_id == post_id).limit(1)) is not None


def delete_post(viewer: User, post_id: int) -> None:
    """Delete one's post with its reactions and comments; its shares stay, showing a tombstone. Its media are no
    longer used and the orphan pruner removes them."""
    post = get_post_for(viewer, post_id, to_change=True, lock=True)
    db.session.delete(post)
    db.session.commit()


# --- shares -------------------------------------------------------------------------------------------------


def share_post(sharer: User, post_id: int, data: dict) -> dict:
    """Share a post the sharer may see (of a share: its original) with a comment. A private post cannot be shared;
    a friends-only one may be shared only as friends-only or private. The original's author is told (not oneself)."""
    original = get_post_for(sharer, post_id)
    if original.is_share:
        if original.shared_post_id is None:
            raise NotFound("The shared post is no longer available.")
        original = get_post_for(sharer, original.shared_post_id)
    if original.visibility == Privacy.PRIVATE:
        raise _unshareable("A private post cannot be shared.")
    if original.group_id is not None and _is_private_group(original.group_id):
        raise _unshareable("A post of a private group cannot be shared: it stays with the group's members.")
    if original.hidden_at is not None:
        raise _unshareable("A post hidden by a moderator cannot be shared.")
    chosen = data.get("visibility") or _least_visible(sharer.privacy, original.visibility)
    _check_share_visibility(original, chosen)
    share = Post(
        author_id=sharer.id, text=data.get("text", ""), visibility=chosen, is_share=True, shared_post_id=original.id
    )
    db.session.add(share)
    db.session.flush()
    timelines.fan_out(share)
    if original.author_id != sharer.id:
        notifications.notify(
            [original.author_id],
            NotificationType.SHARE,
            f"{sharer.username} shared your post.",
            actor_id=sharer.id,
            target=Target("post", share.id),
            data={"shared_post_id": original.id},
        )
    db.session.commit()
    return post_view(sharer, share)


def _is_private_group(group_id: int) -> bool:
    return db.session.scalar(select(Group.visibility).where(Group.id == group_id)) == GroupVisibility.PRIVATE


def _unshareable(message: str) -> RuleViolation:
    return RuleViolation(message, {"path": {"post_id": [message]}})


def _least_visible(*choices: str) -> str:
    return max(choices, key=VISIBILITY_ORDER.index)


def _check_share_visibility(original: Post | None, chosen: str) -> None:
    if original is None:
        return
    if VISIBILITY_ORDER.index(chosen) < VISIBILITY_ORDER.index(original.visibility):
        allowed = ", ".join(VISIBILITY_ORDER[VISIBILITY_ORDER.index(original.visibility) :])
        raise RuleViolation(
            f"A share of a {original.visibility} post cannot be {chosen}; choose one of: {allowed}.",
            field="visibility",
        )
