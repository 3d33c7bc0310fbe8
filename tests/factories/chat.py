"""Conversations between two people, and their messages, made directly as rows."""

from itertools import count

import factory

from app.extensions import db
from app.models import Conversation, ConversationMember, Message
from app.models.base import utcnow
from tests.factories.base import BaseFactory
from tests.factories.users import UserFactory

_client_ids = count(1)


def conversation_between(user_id: int, other_id: int) -> int:
    """The two people's conversation, made with both as members (committed); returns its id."""
    now = utcnow()
    conversation = Conversation(direct_key=Conversation.direct_key_of(user_id, other_id), created_at=now)
    db.session.add(conversation)
    db.session.flush()
    db.session.add_all(
        ConversationMember(conversation_id=conversation.id, user_id=member_id, joined_at=now, last_activity_at=now)
        for member_id in (user_id, other_id)
    )
    db.session.commit()
    return conversation.id


class MessageFactory(BaseFactory):
    """A message in `conversation_id` by `author_id` (a new conversation with a new person when not given). It
    moves neither the conversation's activity nor anyone's read mark: sending through the API does."""

    class Meta:
        model = Message

    author_id = factory.LazyFunction(lambda: UserFactory().id)
    conversation_id = factory.LazyAttribute(lambda m: conversation_between(m.author_id, UserFactory().id))
    client_id = factory.LazyFunction(lambda: f"factory-{next(_client_ids)}")
    text = factory.Sequence(lambda n: f"Message {n}")
