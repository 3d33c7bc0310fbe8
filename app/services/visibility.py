"""The one privacy rule: what of whose a viewer may see.

Every privacy decision goes through here: `can_see` for one object, `visible_to` (its SQL twin) for lists, so a
single read and a list can never disagree, and a list decides in its own query instead of once per row.

The rule (SPEC §0, §6): a `public` thing is seen by everyone; one's own things are always seen; staff (admins, who
administer accounts) see past privacy; a `friends` thing by the owner's friends; a `private` thing by nobody else.
Friendships do not exist yet, so today nobody counts as a friend: `_are_friends` and `_is_friend_of` are the one
place the friendship check slots in (one look-up for one object, an EXISTS inside the list's own query for lists),
and nothing else changes.

Whether the owner's account is live (`User.is_active`) is not a privacy question: callers filter on it.
"""

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, or_, true

from app.models import Privacy, Role, User


def is_staff(viewer: User) -> bool:
    """Who sees past privacy: admins (trainers see their clients' training data, not more of a profile)."""
    return viewer.has_role(Role.ADMIN)


def can_see(viewer: User, owner: User, privacy: str) -> bool:
    """Whether the viewer sees a thing of `owner`'s (a profile, later a post) whose privacy is `privacy`."""
    if privacy == Privacy.PUBLIC or viewer.id == owner.id or is_staff(viewer):
        return True
    return privacy == Privacy.FRIENDS and _are_friends(viewer, owner)


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
        privacy == Privacy.PUBLIC,
        owner_id == viewer.id,
        and_(privacy == Privacy.FRIENDS, _is_friend_of(viewer, owner_id)),
    )


def listed_to(viewer: User) -> ColumnElement[bool]:
    """SQL: the people a viewer finds in people lists: everyone but private profiles (one's own is always found).
    How much of each is shown is `visible_to`'s call; a private profile's card is shown only when asked for by id."""
    return or_(User.privacy != Privacy.PRIVATE, User.id == viewer.id)


def _are_friends(viewer: User, owner: User) -> bool:
    """No friendships yet (§6): nobody is a friend. With them, one friendship look-up here."""
    return False


def _is_friend_of(viewer: User, owner_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """No friendships yet (§6): false. With them, EXISTS (a friendship of the viewer's with `owner_id`)."""
    return false()
