"""Groups and their members, made directly as rows (with the group's conversation, as the service makes it)."""

import factory

from app.extensions import db
from app.models import (
    Conversation,
    ConversationMember,
    Group,
    GroupJoinRequest,
    GroupMember,
    GroupRole,
    GroupVisibility,
)
from app.models.base import utcnow
from tests.factories.base import BaseFactory
from tests.factories.users import UserFactory


def make_group(
    admin_id: int, *, members: tuple[int, ...] = (), visibility: str = GroupVisibility.PUBLIC, name: str | None = None
) -> int:
    """A group with `admin_id` as its admin and `members` as members, each in its conversation (committed);
    returns its id. Members' home timelines are not backfilled: joining through the API does that."""
    now = utcnow()
    group = Group(
        name=name or f"Group of {admin_id}",
        description="",
        visibility=visibility,
        creator_id=admin_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(group)
    db.session.flush()
    conversation = Conversation(group_id=group.id, created_at=now)
    db.session.add(conversation)
    db.session.flush()
    for user_id, role in ((admin_id, GroupRole.ADMIN), *((m, GroupRole.MEMBER) for m in members)):
        db.session.add(GroupMember(group_id=group.id, user_id=user_id, role=role, joined_at=now))
        db.session.add(
            ConversationMember(conversation_id=conversation.id, user_id=user_id, joined_at=now, last_activity_at=now)
        )
    db.session.commit()
    return group.id


class GroupJoinRequestFactory(BaseFactory):
    """A request to join `group_id` (a new private group when not given) by `user_id` (a new person)."""

    class Meta:
        model = GroupJoinRequest

    group_id = factory.LazyFunction(lambda: make_group(UserFactory().id, visibility=GroupVisibility.PRIVATE))
    user_id = factory.LazyFunction(lambda: UserFactory().id)
