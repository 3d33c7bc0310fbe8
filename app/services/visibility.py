"""The one privacy rule: what of whose a viewer may see.

Every privacy decision goes through here: `can_see` for one object, `visible_to` (its SQL twin) for lists, so a
single read and a list can never disagree, and a list decides in its own query instead of once per row.

The rule (SPEC §0, §6): one's own things are always seen; staff (admins, who administer accounts) see past
privacy; two people of whom one blocked the other see nothing of each other, both ways; otherwise a `public` thing
is seen by everyone, a `friends` thing by the owner's friends and a `private` thing by nobody else. For one object
that is one look-up (a friendship, a block); for a list it is an EXISTS inside the list's own query.

Whether the owner's account is live (`User.is_active`) is not a privacy question: callers filter on it.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, or_, select, true

from app.extensions import db
from app.models import Block, Friendship, Privacy, Role, User


def is_staff(viewer: User) -> bool:
    """Who sees past privacy: admins (trainers see their clients' training data, not more of a profile)."""
    return viewer.has_role(Role.ADMIN)


def can_see(viewer: User, owner: User, privacy: str) -> bool:
    """Whether the viewer sees a thing of `owner`'s (a profile, later a post) whose privacy is `privacy`."""
    if viewer.id == owner.id or is_staff(viewer):
        return True
    if privacy == Privacy.PRIVATE or is_blocked_between(viewer.id, owner.id):
        return False
    return privacy == Privacy.PUBLIC or are_friends(viewer.id, owner.id)


def visible_to(
    viewer: User,
    *,
    owner_id: SQLColumnExpression[int] = User.id,
    privacy: SQLColumnExpression[str] = User.privacy,
) -> ColumnElement[bool]:
    """SQL: true on the rows the viewer sees, by the same rule as `can_see`. Over `User` columns by default (a
    profile); pass another table's owner and privacy columns (a post's author and visibility) for its lists."""
    if is_staff(viewer):
        return true()
    return or_(
        owner_id == viewer.id,
        and_(
            not_blocked(viewer, owner_id),
            or_(privacy == Privacy.PUBLIC, and_(privacy == Privacy.FRIENDS, is_friend_of(viewer, owner_id))),
        ),
    )


def listed_to(viewer: User) -> ColumnElement[bool]:
    """SQL: the people a viewer finds in people lists: everyone but private profiles (one's own is always found).
    How much of each is shown is `visible_to`'s call; a private profile's card is shown only when asked for by id."""
    return or_(User.id == viewer.id, and_(User.privacy != Privacy.PRIVATE, not_blocked(viewer, User.id)))


def are_friends(user_id: int, other_id: int) -> bool:
    return db.session.get(Friendship, (user_id, other_id)) is not None


def is_friend_of(viewer: User, owner_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """SQL: `owner_id` is one of the viewer's friends."""
    return exists().where(Friendship.user_id == viewer.id, Friendship.friend_id == owner_id)


def is_blocked_between(user_id: int, other_id: int) -> bool:
    """Whether either of the two blocked the other."""
    pairs = [(user_id, other_id), (other_id, user_id)]
    query = select(Block.blocker_id).where(or_(*(and_(Block.blocker_id == a, Block.blocked_id == b) for a, b in pairs)))
    return db.session.scalar(query.limit(1)) is not None


def not_blocked(viewer: User, owner_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """SQL: neither the viewer nor `owner_id` blocked the other (blocks hide people both ways)."""
    return not_blocked_between(viewer.id, owner_id)


def not_blocked_between(
    user_id: int | SQLColumnExpression[int], other_id: int | SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """SQL: neither of two people, each an id or a column (a recipient and an organizer), blocked the other."""
    return ~exists().where(
        or_(
            and_(Block.blocker_id == user_id, Block.blocked_id == other_id),
            and_(Block.blocker_id == other_id, Block.blocked_id == user_id),
        )
    )


# --- moderation ---------------------------------------------------------------------------------------------
# Hidden content (a moderator's call) disappears for everyone but its author, who sees it marked hidden, and the
# moderators. It is not a privacy setting: it applies on top of `can_see` / `visible_to`.


def is_moderator(viewer: User) -> bool:
    """Trainers and admins moderate (SPEC §6)."""
    return viewer.has_role(Role.TRAINER)


def can_see_hidden(viewer: User, author_id: int, hidden_at: datetime | None) -> bool:
    return hidden_at is None or viewer.id == author_id or is_moderator(viewer)


def not_hidden_from(
    viewer: User, hidden_at: SQLColumnExpression[datetime], author_id: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """SQL twin of `can_see_hidden`."""
    if is_moderator(viewer):
        return true()
    return or_(hidden_at.is_(None), author_id == viewer.id)
