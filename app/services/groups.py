"""Groups (SPEC §8): create, change and delete them, membership (join, requests, leave, removal, roles), and the
group's chat conversation.

Anyone signed in finds a group (its name, description and size). A public group is joined at once; joining a
private one is a request its admins accept or decline (the requester is told either way). Who reads a group's posts
and events is `visibility.reads_group`'s call: everyone for a public group, members for a private one.

Admins change the group, answer requests, remove members and promote or demote; anyone else is refused (403; a
group exists for everyone). The creator is its first admin. A group always has an admin: the last one can neither
leave nor be demoted (422) — they hand over first, or delete the group, which takes its posts, events and chat
with it. Every membership change takes the group's row lock first, so two admins leaving at once cannot both go.

A member is in the group's conversation (the chat domain, `Conversation.group_id`): joining adds them to it, leaving
or being removed takes them out (and closes its live room, so their open sockets stop hearing it). Joining copies
the group's recent posts into their home timeline; leaving removes them.
"""

from collections.abc import Callable

from sqlalchemy import Select, delete, exists, func, select

from app.errors import Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.lib.sql import insert_ignore
from app.models import (
    Conversation,
    ConversationMember,
    Group,
    GroupJoinRequest,
    GroupMember,
    GroupRole,
    GroupVisibility,
    NotificationType,
    User,
)
from app.models.base import utcnow
from app.queueing import Live, emit
from app.services import notifications, timelines, visibility
from app.services.notifications import Target
from app.services.users import user_cards
from app.transactions import lock_for_write

CHANGEABLE = ("name", "description", "visibility")

Paginate = Callable[[Select], dict]


# --- what a viewer sees -------------------------------------------------------------------------------------


def group_views(viewer: User, groups: list[Group]) -> list[dict]:
    """The groups as the viewer sees them, in a constant number of queries: how many (live) members, whether the
    viewer is one or an admin, whether they asked to join."""
    if not groups:
        return []
    ids = [group.id for group in groups]
    counts = dict(
        db.session.execute(
            select(GroupMember.group_id, func.count())
            .join(User, User.id == GroupMember.user_id)
            .where(GroupMember.group_id.in_(ids), User.is_active)
            .group_by(GroupMember.group_id)
        ).all()
    )
    roles = dict(
        db.session.execute(
            select(GroupMember.group_id, GroupMember.role).where(
                GroupMember.group_id.in_(ids), GroupMember.user_id == viewer.id
            )
        ).all()
    )
    asked = set(
        db.session.scalars(
            select(GroupJoinRequest.group_id).where(
                GroupJoinRequest.group_id.in_(ids), GroupJoinRequest.user_id == viewer.id
            )
        )
    )
    return [
        {
            "id": group.id,
            "name": group.name,
            "description": group.description,
            "visibility": group.visibility,
            "members_count": counts.get(group.id, 0),
            "is_member": group.id in roles,
            "is_admin": roles.get(group.id) == GroupRole.ADMIN,
            "has_requested": group.id in asked,
            "created_at": group.created_at,
        }
        for group in groups
    ]


def group_view(viewer: User, group: Group) -> dict:
    return group_views(viewer, [group])[0]


def get_group(group_id: int, *, lock: bool = False) -> Group:
    """A group (404 if there is none); `lock` takes its row lock (every membership change does)."""
    if lock:
        lock_for_write(db.session)
    query = select(Group).where(Group.id == group_id)
    group = db.session.scalar(query.with_for_update() if lock else query)
    if group is None:
        raise NotFound("No such group.")
    return group


def read_group(viewer: User, group_id: int) -> dict:
    return group_view(viewer, get_group(group_id))


def list_groups(viewer: User, paginate: Paginate, *, member: bool = False) -> dict:
    """Every group, newest first, or (`member`) the viewer's own, as `paginate` pages them (a keyset over
    `Group.id`)."""
    query = select(Group)
    if member:
        query = query.where(exists().where(GroupMember.group_id == Group.id, GroupMember.user_id == viewer.id))
    page = paginate(query)
    return page | {"items": group_views(viewer, page["items"])}


def require_reader(viewer: User, group: Group) -> None:
    """A private group's posts, events and members are its members' (403 for anyone else)."""
    if not visibility.reads_group(viewer, group):
        raise Forbidden("This group is private: only its members see what is in it.")


def require_member(user: User, group_id: int, *, field: str) -> Group:
    """The group `field` names, which `user` must be a member of to place something in it (a post, an event):
    no such group is a 422 naming the field, not a member a 403."""
    group = db.session.get(Group, group_id)
    if group is None:
        raise RuleViolation("No such group.", field=field)
    if not visibility.is_group_member(user.id, group.id):
        raise Forbidden("Only a group's members post or organise in it.")
    return group


def _require_admin(user: User, group: Group) -> None:
    if _role_of(user.id, group.id) != GroupRole.ADMIN:
        raise Forbidden("Only the group's admins can do this.")


def _role_of(user_id: int, group_id: int) -> str | None:
    return db.session.scalar(
        select(GroupMember.role).where(GroupMember.group_id == group_id, GroupMember.user_id == user_id)
    )


# --- the group itself ---------------------------------------------------------------------------------------


def create_group(creator: User, data: dict) -> dict:
    """A group whose first admin (and member) is its creator, with its conversation."""
    now = utcnow()
    group = Group(
        name=data["name"],
        description=data.get("description", ""),
        visibility=data.get("visibility", GroupVisibility.PUBLIC),
        creator_id=creator.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(group)
    db.session.flush()
    db.session.add(Conversation(group_id=group.id, created_at=now))
    db.session.flush()
    _add_member(group, creator.id, GroupRole.ADMIN)
    view = group_view(creator, group)
    db.session.commit()
    return view


def update_group(viewer: User, group_id: int, data: dict) -> dict:
    """Admins change the name, description or visibility. Pending requests stay to be answered when a private
    group turns public (asking again then joins at once)."""
    group = get_group(group_id, lock=True)
    _require_admin(viewer, group)
    changed = {field: data[field] for field in CHANGEABLE if field in data and data[field] != getattr(group, field)}
    for field, value in changed.items():
        setattr(group, field, value)
    if changed:
        group.updated_at = utcnow()
        db.session.flush()
    view = group_view(viewer, group)
    db.session.commit()
    return view


def delete_group(viewer: User, group_id: int) -> None:
    """Admins delete the group with its memberships, requests, posts, events and conversation."""
    group = get_group(group_id, lock=True)
    _require_admin(viewer, group)
    conversation_id = _conversation_id(group.id)
    db.session.delete(group)
    if conversation_id is not None:
        emit(Live.CLOSE_CONVERSATION_ROOM, conversation_id)
    db.session.commit()


# --- joining and leaving ------------------------------------------------------------------------------------


def join_group(user: User, group_id: int) -> str:
    """Join a public group at once (`member`), or ask to join a private one (`requested`, its admins are told
    once); asking again, or joining as a member, changes nothing."""
    group = get_group(group_id, lock=True)
    if _role_of(user.id, group.id) is not None:
        db.session.commit()
        return "member"
    if group.visibility == GroupVisibility.PUBLIC:
        _add_member(group, user.id, GroupRole.MEMBER)
        _withdraw_request(group, user.id)
        db.session.commit()
        return "member"
    insert = insert_ignore(GroupJoinRequest, conflict_on=("group_id", "user_id"))
    created = db.session.scalar(
        insert.values(group_id=group.id, user_id=user.id, created_at=utcnow()).returning(GroupJoinRequest.id)
    )
    if created is not None:
        notifications.notify(
            _admin_ids(group.id),
            NotificationType.SYSTEM,
            f"{user.username} asked to join {group.name}.",
            actor_id=user.id,
            target=Target("group", group.id),
            data={"group_id": group.id, "request_id": created, "kind": "group_join_request"},
        )
    db.session.commit()
    return "requested"


def leave_group(user: User, group_id: int) -> None:
    """Leave a group, or withdraw one's request to join it; neither is a 404. The last admin cannot leave (422)."""
    group = get_group(group_id, lock=True)
    role = _role_of(user.id, group.id)
    if role is None:
        if not _withdraw_request(group, user.id):
            raise NotFound("You are not in this group and have not asked to join it.")
        db.session.commit()
        return
    if role == GroupRole.ADMIN:
        _check_not_last_admin(group, "leave")
    _remove_member(group, user.id)
    db.session.commit()


def list_members(viewer: User, group_id: int, paginate: Paginate) -> dict:
    """The group's (live) members, earliest first, each with their role; a private group's to members only."""
    group = get_group(group_id)
    require_reader(viewer, group)
    query = (
        select(GroupMember)
        .join(User, User.id == GroupMember.user_id)
        .where(GroupMember.group_id == group.id, User.is_active)
    )
    page = paginate(query)
    cards = user_cards({member.user_id for member in page["items"]})
    items = [
        {"user": cards[member.user_id], "role": member.role, "joined_at": member.joined_at} for member in page["items"]
    ]
    return page | {"items": items}


def remove_member(viewer: User, group_id: int, user_id: int) -> None:
    """Admins remove a member (oneself: as leaving); someone not in the group is a 404."""
    group = get_group(group_id, lock=True)
    _require_admin(viewer, group)
    role = _role_of(user_id, group.id)
    if role is None:
        raise NotFound("No such member.")
    if role == GroupRole.ADMIN:
        _check_not_last_admin(group, "leave")
    _remove_member(group, user_id)
    db.session.commit()


def set_role(viewer: User, group_id: int, user_id: int, role: str) -> dict:
    """Admins promote a member to admin or demote an admin; the last admin cannot be demoted (422)."""
    group = get_group(group_id, lock=True)
    _require_admin(viewer, group)
    member = db.session.get(GroupMember, (group.id, user_id))
    if member is None:
        raise NotFound("No such member.")
    if member.role == GroupRole.ADMIN and role != GroupRole.ADMIN:
        _check_not_last_admin(group, "be demoted")
    member.role = role
    db.session.flush()
    view = {"user": user_cards({user_id})[user_id], "role": member.role, "joined_at": member.joined_at}
    db.session.commit()
    return view


def _check_not_last_admin(group: Group, action: str) -> None:
    """Under the group's lock: another admin must remain."""
    admins = select(func.count()).where(GroupMember.group_id == group.id, GroupMember.role == GroupRole.ADMIN)
    if db.session.scalar(admins) <= 1:
        message = f"The last admin cannot {action}: make another member an admin first, or delete the group."
        raise RuleViolation(message, {"path": {"group_id": [message]}})


# --- requests to join ---------------------------------------------------------------------------------------


def list_requests(viewer: User, group_id: int, paginate: Paginate) -> dict:
    """Admins see the pending requests to join, oldest first (a keyset over `GroupJoinRequest.id`)."""
    group = get_group(group_id)
    _require_admin(viewer, group)
    query = (
        select(GroupJoinRequest)
        .join(User, User.id == GroupJoinRequest.user_id)
        .where(GroupJoinRequest.group_id == group.id, User.is_active)
    )
    page = paginate(query)
    cards = user_cards({request.user_id for request in page["items"]})
    items = [
        {"id": request.id, "user": cards[request.user_id], "created_at": request.created_at}
        for request in page["items"]
    ]
    return page | {"items": items}


def answer_request(viewer: User, group_id: int, request_id: int, *, accept: bool) -> dict:
    """Admins accept (the requester becomes a member) or decline a request; the requester is told either way.
    A request of another group, or already answered, is a 404."""
    group = get_group(group_id, lock=True)
    _require_admin(viewer, group)
    request = db.session.scalar(
        select(GroupJoinRequest).where(GroupJoinRequest.id == request_id, GroupJoinRequest.group_id == group.id)
    )
    if request is None:
        raise NotFound("No such request.")
    requester_id = request.user_id
    db.session.delete(request)
    if accept and _role_of(requester_id, group.id) is None:
        _add_member(group, requester_id, GroupRole.MEMBER)
    answer = "accepted" if accept else "declined"
    notifications.notify(
        [requester_id],
        NotificationType.SYSTEM,
        f"Your request to join {group.name} was {answer}.",
        actor_id=viewer.id,
        target=Target("group", group.id),
        data={"group_id": group.id, "kind": f"group_request_{answer}"},
    )
    db.session.commit()
    return {"status": "member" if accept else "declined"}


# --- membership underneath ----------------------------------------------------------------------------------


def _add_member(group: Group, user_id: int, role: str) -> None:
    """In the caller's transaction: a member, in the group's conversation, with its recent posts in their feed."""
    now = utcnow()
    db.session.add(GroupMember(group_id=group.id, user_id=user_id, role=role, joined_at=now))
    conversation_id = _conversation_id(group.id)
    if conversation_id is not None:
        insert = insert_ignore(ConversationMember, conflict_on=("conversation_id", "user_id"))
        db.session.execute(
            insert.values(conversation_id=conversation_id, user_id=user_id, joined_at=now, last_activity_at=now)
        )
    db.session.flush()
    timelines.backfill_group(user_id, group.id)


def _remove_member(group: Group, user_id: int) -> None:
    """In the caller's transaction: no longer a member, out of its conversation (and its live room, after the
    commit), its posts out of their feed."""
    db.session.execute(delete(GroupMember).where(GroupMember.group_id == group.id, GroupMember.user_id == user_id))
    conversation_id = _conversation_id(group.id)
    if conversation_id is not None:
        db.session.execute(
            delete(ConversationMember).where(
                ConversationMember.conversation_id == conversation_id, ConversationMember.user_id == user_id
            )
        )
        emit(Live.CLOSE_CONVERSATION_ROOM, conversation_id)
    timelines.remove_group(user_id, group.id)


def _withdraw_request(group: Group, user_id: int) -> bool:
    """Delete `user_id`'s request to join, if any; whether there was one."""
    query = delete(GroupJoinRequest).where(GroupJoinRequest.group_id == group.id, GroupJoinRequest.user_id == user_id)
    return db.session.execute(query).rowcount > 0


def _conversation_id(group_id: int) -> int | None:
    return db.session.scalar(select(Conversation.id).where(Conversation.group_id == group_id))


def _admin_ids(group_id: int) -> list[int]:
    query = select(GroupMember.user_id).where(GroupMember.group_id == group_id, GroupMember.role == GroupRole.ADMIN)
    return list(db.session.scalars(query))


def group_names(group_ids: set[int]) -> dict[int, dict]:
    """Each group's card, `{id, name, visibility}`, by id (one query)."""
    if not group_ids:
        return {}
    rows = db.session.execute(select(Group.id, Group.name, Group.visibility).where(Group.id.in_(list(group_ids))))
    return {row.id: {"id": row.id, "name": row.name, "visibility": row.visibility} for row in rows}
