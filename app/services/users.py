"""People: one's own profile, finding others, and administering accounts."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, delete, func, literal_column, or_, select
from sqlalchemy.orm import DictBundle, aliased

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.lib.sql import search_order
from app.models import AuditType, Badge, BodyMetric, Friendship, Role, TokenPurpose, User, UserTag
from app.models.base import utcnow
from app.services import audit, mfa, visibility
from app.services.audit import ClientInfo
from app.services.auth import ensure_unique_identity, retire_one_time_tokens, revoke_all_sessions


@dataclass
class OwnProfile:
    """One's own account with what lives beside it (interests, how many friends, badges); reads through to the
    user."""

    user: User
    tags: list[str]
    friends_count: int
    badges: list[dict]

    def __getattr__(self, name: str):
        return getattr(self.user, name)


def own_profile(user: User) -> OwnProfile:
    """The caller's profile: the account, its tags, its friend count and its badges (two queries beside the
    account's)."""
    tags, count = db.session.execute(select(tags_of(User.id), friends_count(User.id)).where(User.id == user.id)).one()
    return OwnProfile(user, split_tags(tags), count, badges_of(user.id))


def update_profile(user: User, data: dict) -> OwnProfile:
    """Set the fields given (PUT's schema fills omitted optional fields with their defaults); `tags`, when
    given, replace the person's interests (already normalised by the schema)."""
    data = dict(data)
    tags = data.pop("tags", None)
    for field in ("username", "email"):
        if field in data:
            data[field] = data[field].lower()
    ensure_unique_identity(data.get("username"), data.get("email"), exclude_id=user.id)
    if "email" in data and data["email"] != user.email:
        user.email_verified_at = None  # a new address must be verified again,
        retire_one_time_tokens(user, TokenPurpose.EMAIL_VERIFICATION)  # and old links must not verify it
    if data.get("weight_kg") is not None and data["weight_kg"] != user.weight_kg:
        # The profile shows the latest weight; the history keeps every one.
        db.session.add(BodyMetric(user_id=user.id, weight_kg=data["weight_kg"], recorded_at=utcnow(), note="profile"))
    for field, value in data.items():
        setattr(user, field, value)
    if tags is not None:
        db.session.execute(delete(UserTag).where(UserTag.user_id == user.id))
        db.session.add_all(UserTag(user_id=user.id, tag=tag) for tag in tags)
    db.session.commit()
    return own_profile(user)


def delete_account(user: User, password: str, client: ClientInfo) -> None:
    """Soft delete, confirmed by password: the account disappears and every session ends."""
    if not user.check_password(password):
        raise RuleViolation("The password is wrong.", field="password")
    user.deleted_at = utcnow()
    revoke_all_sessions(user, "account_deleted")
    audit.record(AuditType.ACCOUNT_DELETED, user_id=user.id, client=client)
    db.session.commit()


# --- other people -------------------------------------------------------------------------------------------


# What of another person a viewer may see: their whole profile, or only its card (`is_limited`). A card also
# shows how many friends the viewer shares with them (the viewer's own friends, so nothing the privacy hides);
# the whole profile adds their interests and how many friends they have.
CARD_FIELDS = ("id", "username", "avatar", "privacy")
PROFILE_FIELDS = (*CARD_FIELDS, "first_name", "last_name", "bio", "location", "job", "background", "role", "created_at")
LIMITED_VIEW = (*CARD_FIELDS, "mutual_friends_count")
FULL_VIEW = (*PROFILE_FIELDS, "tags", "friends_count", "mutual_friends_count")
TAG_SEPARATOR = "\n"  # tags never hold one: the schema collapses every run of whitespace to a single space


def search_users(viewer: User, q: str | None) -> Select:
    """People the viewer may find (active, not private, not blocked either way; the viewer always finds themself)
    by the words of `q` (`where_name_matches`), in username order, as profile views: how much of each is shown,
    and the counts, are decided in the same query, never once per row."""
    query = _profiles(viewer).where(User.is_active, visibility.listed_to(viewer))
    return by_username(where_name_matches(query, q), q)


# Migration 0011's trigram indexes are built on `username` and on this expression (the same text, so the
# planner can use them: a bound parameter in its place would not match the index).
FULL_NAME = literal_column("lower(coalesce(users.first_name, '') || ' ' || coalesce(users.last_name, ''))")


def by_username(people: Select, q: str | None) -> Select:
    """A people list in username order; a search by the words of `q` in the order `search_order` finds cheapest."""
    return people.order_by(search_order(people, User.username) if (q or "").split() else User.username)


def where_name_matches(query: Select, q: str | None) -> Select:
    """Narrow a query over people (`User`) to those whose username, first name or last name holds each word of `q`
    (in any case; `%` and `_` are plain characters): "ann lee" finds Ann Lee and the user "lee_ann". A word has
    no space, so it is in the first or the last name exactly when it is in "first last"."""
    for word in (q or "").lower().split():
        query = query.where(
            or_(User.username.contains(word, autoescape=True), FULL_NAME.contains(word, autoescape=True))
        )
    return query


def get_user_for(viewer: User, user_id: int, *, hide_blocked: bool = True) -> User:
    """Anyone active may be looked up, except (unless `hide_blocked` is off) someone the viewer blocked or who
    blocked the viewer: to each other they do not exist. What is shown of them is `get_profile_for`'s business."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("No such user.")
    if hide_blocked and user.id != viewer.id and visibility.is_blocked_between(viewer.id, user.id):
        raise NotFound("No such user.")
    return user


def get_profile_for(viewer: User, user_id: int) -> dict:
    """Someone's profile as the viewer may see it: all of it, or only its card when their privacy hides the rest;
    someone blocked either way does not exist (404). One query, by the same rule as the lists, and one more for the
    badges of a whole profile (a card shows none)."""
    query = _profiles(viewer).where(User.id == user_id, User.is_active, visibility.not_blocked(viewer, User.id))
    profile = db.session.scalar(query)
    if profile is None:
        raise NotFound("No such user.")
    if not profile["is_limited"]:
        profile["badges"] = badges_of(user_id)
    return profile


MAX_BADGES_SHOWN = 100  # a profile shows the newest ones

# Aliases are built once: building one per statement costs more than running the statement (each new alias adapts
# its columns again). Each belongs to one function, so no statement holds the same alias twice.
_COUNTED_FRIEND = aliased(User, name="counted_friend")
_THEIR_FRIENDSHIP = aliased(Friendship, name="their_friendship")
_MY_FRIENDSHIP = aliased(Friendship, name="my_friendship")
_MUTUAL_FRIEND = aliased(User, name="mutual_friend")


def badges_of(user_id: int) -> list[dict]:
    """A person's badges, newest first: `{kind, challenge_id, awarded_at}` (one query)."""
    rows = db.session.execute(
        select(Badge.kind, Badge.challenge_id, Badge.awarded_at)
        .where(Badge.user_id == user_id)
        .order_by(Badge.awarded_at.desc(), Badge.id.desc())
        .limit(MAX_BADGES_SHOWN)
    )
    return [row._asdict() for row in rows]


def _profiles(viewer: User) -> Select:
    """Profile views of people as `viewer` sees them (filter and order it)."""
    columns = [getattr(User, name) for name in PROFILE_FIELDS]
    is_limited = (~visibility.visible_to(viewer)).label("is_limited")
    extras = [
        tags_of(User.id).label("tags"),
        friends_count(User.id).label("friends_count"),
        mutual_friends_count(viewer, User.id).label("mutual_friends_count"),
    ]
    return select(_ProfileViews("profile", *columns, *extras, is_limited))


def friends_count(user_id: ColumnElement[int]) -> ColumnElement[int]:
    """SQL: how many active friends `user_id` has (a correlated subquery, for lists)."""
    friend = _COUNTED_FRIEND
    query = select(func.count()).select_from(Friendship).join(friend, friend.id == Friendship.friend_id)
    return query.where(Friendship.user_id == user_id, friend.is_active).scalar_subquery()


def mutual_friends_count(viewer: User, user_id: ColumnElement[int]) -> ColumnElement[int]:
    """SQL: how many of `user_id`'s active friends are also the viewer's friends."""
    theirs, mine, friend = _THEIR_FRIENDSHIP, _MY_FRIENDSHIP, _MUTUAL_FRIEND
    query = (
        select(func.count())
        .select_from(theirs)
        .join(mine, (mine.friend_id == theirs.friend_id) & (mine.user_id == viewer.id))
        .join(friend, friend.id == theirs.friend_id)
    )
    return query.where(theirs.user_id == user_id, friend.is_active).scalar_subquery()


def tags_of(user_id: ColumnElement[int]) -> ColumnElement[str]:
    """SQL: a person's tags as one string (`split_tags` reads it), so a list needs no query per row."""
    tags = select(func.aggregate_strings(UserTag.tag, TAG_SEPARATOR)).where(UserTag.user_id == user_id)
    return tags.scalar_subquery()


def split_tags(joined: str | None) -> list[str]:
    return sorted(joined.split(TAG_SEPARATOR)) if joined else []


class _ProfileViews(DictBundle):
    """Rows of a people list as profile views, each with the `is_limited` its query decided."""

    def create_row_processor(self, query, procs, labels):
        as_dict = super().create_row_processor(query, procs, labels)

        def view(row) -> dict:
            fields = as_dict(row)
            is_limited = bool(fields["is_limited"])
            fields["tags"] = split_tags(fields["tags"])
            shown = LIMITED_VIEW if is_limited else FULL_VIEW
            return {name: fields[name] for name in shown} | {"is_limited": is_limited}

        return view


# --- administration -----------------------------------------------------------------------------------------


def _accounts_matching(query: Select, q: str | None, role: str | None) -> Select:
    """Narrow an account query to text in the username or email, and to a role."""
    if q:
        text = q.strip().lower()
        query = query.where(
            or_(User.username.contains(text, autoescape=True), User.email.contains(text, autoescape=True))
        )
    if role:
        query = query.where(User.role == role)
    return query


def admin_list_users(q: str | None, role: str | None, include_inactive: bool):
    query = select(User) if include_inactive else select(User).where(User.is_active)
    return _accounts_matching(query, q, role).order_by(User.id)


def get_account_for(admin: User, user_id: int) -> User:
    """Fetch and authorise: admins read and change any account not deleted (deactivated ones too); others are
    refused (403)."""
    if not admin.has_role(Role.ADMIN):
        raise Forbidden("Only admins administer accounts.")
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such user.")
    return user


def admin_update_user(admin: User, user_id: int, data: dict, client: ClientInfo) -> User:
    """Change a role or (de)activate an account; every change is audited."""
    user = get_account_for(admin, user_id)
    if "role" in data and data["role"] != user.role:
        if user.id == admin.id:
            raise Forbidden("Admins cannot change their own role.")
        previous, user.role = user.role, data["role"]
        changes = {"from": previous, "to": user.role}
        audit.record(AuditType.ROLE_CHANGED, user_id=user.id, actor_id=admin.id, client=client, **changes)
    if "is_active" in data and data["is_active"] != user.is_active:
        if user.id == admin.id:
            raise Forbidden("Admins cannot deactivate themselves.")
        if data["is_active"]:
            user.deactivated_at = None
            audit.record(AuditType.ACCOUNT_REACTIVATED, user_id=user.id, actor_id=admin.id, client=client)
        else:
            user.deactivated_at = utcnow()
            revoke_all_sessions(user, "deactivated")
            audit.record(AuditType.ACCOUNT_DEACTIVATED, user_id=user.id, actor_id=admin.id, client=client)
    db.session.commit()
    return user


def find_accounts(
    *, role: str | None = None, is_active: bool | None = None, q: str | None = None, limit: int | None = None
) -> tuple[list[User], int]:
    """Accounts not deleted, oldest first (operators): by role, active or deactivated, and text in the username
    or email. The first `limit` of them, and how many match in all."""
    query = _accounts_matching(select(User).where(User.deleted_at.is_(None)), q, role)
    if is_active is not None:
        query = query.where(User.is_active if is_active else ~User.is_active)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return list(db.session.scalars(query.order_by(User.id).limit(limit))), total


def _by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    return user


def set_role(username: str, role: Role, actor: str = "cli") -> User:
    user = _by_username(username)
    if user.role != role:
        audit.record(AuditType.ROLE_CHANGED, user_id=user.id, via=actor, **{"from": user.role, "to": str(role)})
        user.role = role
    db.session.commit()
    return user


def deactivate(username: str) -> User:
    user = _by_username(username)
    if user.deactivated_at is None:
        user.deactivated_at = utcnow()
        revoke_all_sessions(user, "deactivated")
        audit.record(AuditType.ACCOUNT_DEACTIVATED, user_id=user.id, via="cli")
    db.session.commit()
    return user


def activate(username: str) -> User:
    """Undo a deactivation: the account can log in again (sessions ended by the deactivation stay ended).
    A deleted account is not brought back: deletion is its owner's decision."""
    user = _by_username(username)
    if user.deleted_at is not None:
        raise Conflict(f"{user.username} deleted their account; it cannot be activated.")
    if user.deactivated_at is not None:
        user.deactivated_at = None
        audit.record(AuditType.ACCOUNT_REACTIVATED, user_id=user.id, via="cli")
    db.session.commit()
    return user


def reset_second_factor(username: str) -> User:
    """Operators: take every second factor off an account whose owner lost them all (and the recovery codes)."""
    user = _by_username(username)
    mfa.reset(user, actor="cli")
    return user


def user_cards(user_ids: Iterable[int], *, live_only: bool = False) -> dict[int, dict]:
    """Each person's card, `{id, username, avatar}`, by id (one query); `live_only`: deleted or deactivated
    accounts are left out."""
    query = select(User.id, User.username, User.avatar).where(User.id.in_(list(user_ids)))
    rows = db.session.execute(query.where(User.is_active) if live_only else query)
    return {row.id: {"id": row.id, "username": row.username, "avatar": row.avatar} for row in rows}
