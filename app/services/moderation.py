"""Moderation: people report posts and comments ("flags"); moderators (trainers and admins) read the reports,
hide and unhide content, and resolve the reports. Every moderator action is in the audit log.

Decisions:
- Reporting one's own post or comment is refused (422): hide or delete it instead.
- One open report per person and target (a partial unique index; a second is a 409). Once it is resolved, the same
  person may report the same content again.
- Hiding content resolves every open report of it: the moderator has answered them. Unhiding reopens nothing.
- Hiding hidden content (or unhiding visible content) changes nothing and records nothing: a no-op is no action.
- The author is told their content was hidden (a `system` notification, with the moderator's reason when one was
  given), but not by whom, nor the reporter's words: neither the moderator nor the reporter is exposed.
- Moderators read reported content through the report list only (an excerpt); acting on content by id answers its
  state, never its text, so moderation is no way around privacy.
"""

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DictBundle, aliased

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.models import AuditType, Comment, Flag, FlagStatus, FlagTarget, NotificationType, Post, User
from app.models.base import utcnow
from app.services import audit, comments, notifications, posts, visibility
from app.services.audit import ClientInfo
from app.services.notifications import Target
from app.transactions import lock_for_write

EXCERPT_LENGTH = 200
MODELS: dict[str, type[Post] | type[Comment]] = {FlagTarget.POST: Post, FlagTarget.COMMENT: Comment}


def _require_moderator(user: User) -> None:
    if not visibility.is_moderator(user):
        raise Forbidden("Only trainers and admins moderate content.")


# --- targets ------------------------------------------------------------------------------------------------


def _fetch_target(target_type: str, target_id: int, *, lock: bool = False) -> Post | Comment | None:
    model = MODELS[target_type]
    query = select(model).where(model.id == target_id)
    if lock:
        lock_for_write(db.session)
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _target_for(viewer: User, target_type: str, target_id: int) -> Post | Comment:
    """The post or comment as the viewer finds it (the posts and comments services' own rule), else 404."""
    if target_type == FlagTarget.POST:
        return posts.get_post_for(viewer, target_id)
    return comments.get_comment_for(viewer, target_id)


def get_target_for(moderator: User, target_type: str, target_id: int, *, lock: bool = False) -> Post | Comment:
    """Fetch and authorise a target to act on: moderators only (403), any post or comment that exists (else 404).
    `lock`: hold its row until the commit, so two moderators acting on it take turns."""
    _require_moderator(moderator)
    target = _fetch_target(target_type, target_id, lock=lock)
    if target is None:
        raise NotFound(f"No such {target_type}.")
    return target


def target_state(target: Post | Comment) -> dict:
    """What a moderator's action answers: the target's state, not its text."""
    return {
        "target_type": FlagTarget.POST if isinstance(target, Post) else FlagTarget.COMMENT,
        "target_id": target.id,
        "author_id": target.author_id,
        "is_hidden": target.hidden_at is not None,
        "hidden_at": target.hidden_at,
    }


# --- reports ------------------------------------------------------------------------------------------------


def create_flag(reporter: User, data: dict) -> Flag:
    """Report a post or comment the reporter can see (else 404), not their own (422), once while open (409)."""
    target = _target_for(reporter, data["target_type"], data["target_id"])
    if target.author_id == reporter.id:
        raise RuleViolation(f"You cannot report your own {data['target_type']}.", field="target_id")
    flag = Flag(
        reporter_id=reporter.id,
        target_type=data["target_type"],
        target_id=target.id,
        reason=data["reason"],
        status=FlagStatus.OPEN,
    )
    db.session.add(flag)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"You already reported this {data['target_type']}; a moderator will look at it.") from None
    return flag


def get_flag_for(moderator: User, flag_id: int, *, lock: bool = False) -> Flag:
    """Fetch and authorise a report: moderators only (403); 404 when there is none. `lock`: hold its row."""
    _require_moderator(moderator)
    query = select(Flag).where(Flag.id == flag_id)
    if lock:
        lock_for_write(db.session)
        query = query.with_for_update()
    flag = db.session.scalar(query.execution_options(populate_existing=True))
    if flag is None:
        raise NotFound("No such report.")
    return flag


_Reporter = aliased(User, name="reporter")
_Author = aliased(User, name="author")


def list_flags(moderator: User, *, status: str = FlagStatus.OPEN) -> Select:
    """Reports with their reporter and a summary of their target, in one query (a select, for pagination): open
    ones oldest first (a queue), resolved ones newest first (a history). The target is null once it is deleted."""
    _require_moderator(moderator)
    text = func.coalesce(Post.text, Comment.text)
    view = _FlagViews(
        "flag",
        *(getattr(Flag, key) for key in FLAG_FIELDS),
        _Reporter.username.label("reporter_username"),
        _Reporter.avatar.label("reporter_avatar"),
        _Author.id.label("author_id"),
        _Author.username.label("author_username"),
        _Author.avatar.label("author_avatar"),
        Comment.post_id.label("post_id"),
        func.substr(text, 1, EXCERPT_LENGTH).label("excerpt"),
        or_(Post.hidden_at.is_not(None), Comment.hidden_at.is_not(None)).label("is_hidden"),
    )
    query = (
        select(view)
        .join(_Reporter, _Reporter.id == Flag.reporter_id)
        .outerjoin(Post, and_(Flag.target_type == FlagTarget.POST, Post.id == Flag.target_id))
        .outerjoin(Comment, and_(Flag.target_type == FlagTarget.COMMENT, Comment.id == Flag.target_id))
        .outerjoin(_Author, _Author.id == func.coalesce(Post.author_id, Comment.author_id))
        .where(Flag.status == status)
    )
    return query.order_by(Flag.id.asc() if status == FlagStatus.OPEN else Flag.id.desc())


FLAG_FIELDS = (
    "id",
    "reporter_id",
    "target_type",
    "target_id",
    "reason",
    "status",
    "created_at",
    "resolved_at",
    "resolved_by_id",
)


class _FlagViews(DictBundle):
    """Rows of the report list as nested views: the report, its reporter's card and its target's summary."""

    def create_row_processor(self, query, procs, labels):
        as_dict = super().create_row_processor(query, procs, labels)

        def view(row) -> dict:
            fields = as_dict(row)
            shown = {key: fields[key] for key in FLAG_FIELDS}
            shown["reporter"] = {
                "id": fields["reporter_id"],
                "username": fields["reporter_username"],
                "avatar": fields["reporter_avatar"],
            }
            shown["target"] = None
            if fields["author_id"] is not None:
                shown["target"] = {
                    "type": fields["target_type"],
                    "id": fields["target_id"],
                    "post_id": fields["post_id"],
                    "author": {
                        "id": fields["author_id"],
                        "username": fields["author_username"],
                        "avatar": fields["author_avatar"],
                    },
                    "excerpt": fields["excerpt"] or "",
                    "is_hidden": bool(fields["is_hidden"]),
                }
            return shown

        return view


# --- moderators' actions ------------------------------------------------------------------------------------


def hide_content(
    moderator: User, target_type: str, target_id: int, *, reason: str | None = None, client: ClientInfo | None = None
) -> dict:
    """Hide a post or comment from everyone but its author and the moderators; its open reports are resolved and
    its author is notified. Hiding it again changes nothing."""
    target = get_target_for(moderator, target_type, target_id, lock=True)
    _hide(moderator, target, reason=reason, client=client)
    db.session.commit()
    return target_state(target)


def unhide_content(moderator: User, target_type: str, target_id: int, *, client: ClientInfo | None = None) -> dict:
    """Show hidden content again. Unhiding visible content changes nothing."""
    target = get_target_for(moderator, target_type, target_id, lock=True)
    if target.hidden_at is not None:
        target.hidden_at = target.hidden_by_id = None
        _record(AuditType.CONTENT_UNHIDDEN, moderator, target, client)
        db.session.commit()
    return target_state(target)


def resolve_flag(
    moderator: User, flag_id: int, *, hide: bool = False, note: str | None = None, client: ClientInfo | None = None
) -> Flag:
    """Resolve a report (409 when it already is), and hide its target if asked, in one transaction."""
    flag = get_flag_for(moderator, flag_id)
    # The target's row is locked before the report's, in the same order as hiding takes them: no deadlock.
    target = _fetch_target(flag.target_type, flag.target_id, lock=True) if hide else None
    flag = get_flag_for(moderator, flag_id, lock=True)
    if flag.status == FlagStatus.RESOLVED:
        raise Conflict("This report is already resolved.")
    _resolve(flag, moderator, client, note=note, is_hidden=hide and target is not None)
    if target is not None:  # content deleted meanwhile has nothing left to hide
        _hide(moderator, target, client=client)
    db.session.commit()
    return flag


def _hide(moderator: User, target: Post | Comment, *, reason: str | None = None, client: ClientInfo | None) -> None:
    if target.hidden_at is not None:
        return
    target.hidden_at, target.hidden_by_id = utcnow(), moderator.id
    state = target_state(target)
    _record(AuditType.CONTENT_HIDDEN, moderator, target, client, **({"reason": reason} if reason else {}))
    open_flags = select(Flag).where(
        Flag.target_type == state["target_type"], Flag.target_id == target.id, Flag.status == FlagStatus.OPEN
    )
    for flag in db.session.scalars(open_flags.with_for_update()):
        _resolve(flag, moderator, client, is_hidden=True)
    if target.author_id != moderator.id:
        _notify_hidden(target, state["target_type"], reason)


def _resolve(flag: Flag, moderator: User, client: ClientInfo | None, *, note: str | None = None, is_hidden: bool):
    flag.status, flag.resolved_at, flag.resolved_by_id = FlagStatus.RESOLVED, utcnow(), moderator.id
    details = {"flag_id": flag.id, "target_type": flag.target_type, "target_id": flag.target_id, "hidden": is_hidden}
    audit.record(
        AuditType.FLAG_RESOLVED,
        user_id=flag.reporter_id,
        actor_id=moderator.id,
        client=client,
        actor=_card(moderator),
        **details,
        **({"note": note} if note else {}),
    )


def _record(type: AuditType, moderator: User, target: Post | Comment, client: ClientInfo | None, **details) -> None:
    state = target_state(target)
    audit.record(
        type,
        user_id=target.author_id,
        actor_id=moderator.id,
        client=client,
        actor=_card(moderator),
        target_type=state["target_type"],
        target_id=target.id,
        **details,
    )


def _card(user: User) -> dict:
    return {"id": user.id, "username": user.username}


def _notify_hidden(target: Post | Comment, target_type: str, reason: str | None) -> None:
    message = f"A moderator hid your {target_type}" + (f": {reason}" if reason else ".")
    data = {"event": "content_hidden", "target_type": target_type, "target_id": target.id}
    if isinstance(target, Comment):
        data["post_id"] = target.post_id
    if reason:
        data["reason"] = reason
    notifications.notify(
        [target.author_id],
        NotificationType.SYSTEM,
        message,
        target=Target(target_type, target.id),
        data=data,
    )
