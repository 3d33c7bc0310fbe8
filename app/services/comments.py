"""Comments on posts: a thread is seen by whoever may see the post, minus the comments of people blocked either way,
hidden comments (seen only by their author, marked, and by moderators) and those of inactive accounts.

Anyone who may see a post may comment on it; its author is told (never of their own comments). A comment is
edited only by its author and deleted by its author or by the post's author.
"""

from sqlalchemy import select

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Comment, NotificationType, Post, User
from app.models.base import utcnow
from app.services import notifications, posts, visibility
from app.services.notifications import Target
from app.transactions import lock_for_write


def list_comments(viewer: User, post_id: int, paginate: posts.Paginate) -> dict:
    """The thread of a post the viewer may see, as `paginate` pages it (`{items, next_cursor}`), as comment views."""
    post = posts.get_post_for(viewer, post_id)
    query = (
        select(Comment)
        .join(User, User.id == Comment.author_id)
        .where(Comment.post_id == post.id, posts.comments_seen_by(viewer))
    )
    page = paginate(query)
    return page | {"items": comment_views(page["items"])}


def comment_views(comments: list[Comment]) -> list[dict]:
    """Comments with their authors' cards (one query for the page)."""
    cards = posts.user_cards({comment.author_id for comment in comments})
    return [_view(comment, cards[comment.author_id]) for comment in comments]


def _view(comment: Comment, author: dict) -> dict:
    return {
        "id": comment.id,
        "post_id": comment.post_id,
        "author": author,
        "text": comment.text,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "is_hidden": comment.hidden_at is not None,
    }


def add_comment(author: User, post_id: int, data: dict) -> dict:
    post = posts.get_post_for(author, post_id)
    comment = Comment(post_id=post.id, author_id=author.id, text=data["text"])
    db.session.add(comment)
    db.session.flush()
    if post.author_id != author.id:
        notifications.notify(
            [post.author_id],
            NotificationType.COMMENT,
            f"{author.username} commented on your post.",
            actor_id=author.id,
            target=Target("post", post.id),
            data={"comment_id": comment.id},
        )
    db.session.commit()
    return comment_views([comment])[0]


def get_comment_for(viewer: User, comment_id: int, *, to_change: bool = False, lock: bool = False) -> Comment:
    """Fetch and authorise: a comment the viewer does not find in its thread is 404; `to_change` (edit): only its
    author, 403 for anyone else who sees it."""
    comment, _ = _fetch(viewer, comment_id, lock=lock)
    if to_change and comment.author_id != viewer.id:
        raise Forbidden("Only its author can edit a comment.")
    return comment


def _fetch(viewer: User, comment_id: int, *, lock: bool) -> tuple[Comment, Post]:
    if lock:
        lock_for_write(db.session)
    query = select(Comment, User).join(User, User.id == Comment.author_id).where(Comment.id == comment_id)
    found = db.session.execute(query.with_for_update(of=Comment) if lock else query).first()
    if found is None:
        raise NotFound("No such comment.")
    comment, author = found
    post = posts.get_post_for(viewer, comment.post_id)  # a comment on a post one may not see is not there either
    if not (
        author.is_active
        and visibility.can_see_hidden(viewer, comment.author_id, comment.hidden_at)
        and (author.id == viewer.id or not visibility.is_blocked_between(viewer.id, author.id))
    ):
        raise NotFound("No such comment.")
    return comment, post


def edit_comment(viewer: User, comment_id: int, data: dict) -> dict:
    comment = get_comment_for(viewer, comment_id, to_change=True, lock=True)
    if data["text"] != comment.text:
        comment.text = data["text"]
        comment.edited_at = utcnow()
    db.session.commit()
    return comment_views([comment])[0]


def delete_comment(viewer: User, comment_id: int) -> None:
    """By the comment's author or the post's author; 403 for anyone else who sees it."""
    comment, post = _fetch(viewer, comment_id, lock=True)
    if viewer.id not in (comment.author_id, post.author_id):
        raise Forbidden("Only the comment's author or the post's author can delete a comment.")
    db.session.delete(comment)
    db.session.commit()
