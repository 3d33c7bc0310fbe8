"""Reactions: one per person per post (like, love, haha, wow, sad, angry), set, changed or removed by that person on
a post they may see. The post's author is told once per person — not per change, nor again after a removal — and
never of their own reaction."""

from sqlalchemy import delete, update

from app.errors import NotFound
from app.extensions import db
from app.lib.sql import insert_ignore
from app.models import NotificationType, Reaction, ReactionNotice, User
from app.models.base import utcnow
from app.services import notifications, posts
from app.services.notifications import Target


def set_reaction(user: User, post_id: int, kind: str) -> dict:
    """Set or change the caller's reaction; answers the post as they now see it."""
    post = posts.get_post_for(user, post_id)
    now = utcnow()
    inserted = db.session.execute(
        insert_ignore(Reaction, conflict_on=["post_id", "user_id"])
        .values(post_id=post.id, user_id=user.id, kind=kind, created_at=now, updated_at=now)
        .returning(Reaction.post_id)
    ).first()
    if inserted is None:
        db.session.execute(
            update(Reaction)
            .where(Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind != kind)
            .values(kind=kind, updated_at=now)
        )
    if post.author_id != user.id:
        _tell_author_once(user, post.id, post.author_id, kind)
    db.session.commit()
    return posts.post_view(user, post)


def _tell_author_once(user: User, post_id: int, author_id: int, kind: str) -> None:
    first = db.session.execute(
        insert_ignore(ReactionNotice, conflict_on=["post_id", "user_id"])
        .values(post_id=post_id, user_id=user.id)
        .returning(ReactionNotice.post_id)
    ).first()
    if first is not None:
        notifications.notify(
            [author_id],
            NotificationType.REACTION,
            f"{user.username} reacted to your post.",
            actor_id=user.id,
            target=Target("post", post_id),
            data={"kind": kind},
        )


def remove_reaction(user: User, post_id: int) -> None:
    """Remove the caller's reaction; 404 when they have none on the post."""
    post = posts.get_post_for(user, post_id)
    removed = db.session.execute(delete(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == user.id))
    if removed.rowcount != 1:
        raise NotFound("You have no reaction on this post.")
    db.session.commit()
