"""Chat (SPEC §7): 1:1 conversations, their messages, deletions, read receipts and typing signals; a group's
conversation (SPEC §8) is kept by the groups service (its members are the group's) and works the same way.

A pair of people has one conversation (a unique `direct_key`), started by either, with anyone active who has not
blocked the other either way (no friendship needed). A conversation exists only for its members: to anyone else it
is "no such conversation" (404), whether it exists or not. Once one of the two blocked the other, neither may
write in it (403), while both still read its history. Blocks between members of a group do not close its
conversation.

Sending is idempotent per sender and `client_id`: the same one again answers the first message and stores nothing.
A recipient who has no chat client open is notified of new messages, once per conversation until they read it.
Every emit to the conversation's Socket.IO room waits for the commit (`typing`, which stores nothing, excepted).
The REST routes and the Socket.IO handlers call the same functions.
"""

from collections.abc import Callable

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.orm import aliased

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.extensions import db
from app.integrations import realtime
from app.lib.sql import insert_ignore
from app.models import Conversation, ConversationMember, Message, NotificationType, User
from app.models.base import utcnow
from app.queueing import Live, emit
from app.services import notifications, visibility
from app.services.groups import group_names
from app.services.notifications import Target
from app.services.users import get_user_for, user_cards
from app.transactions import lock_for_write

MAX_TEXT = 4000
PREVIEW = 80  # characters of a message a notification quotes

Paginate = Callable[[Select], dict]
_CALLER = aliased(ConversationMember, name="caller")  # built once: an alias is costly to build per statement


# --- what a member sees -------------------------------------------------------------------------------------


def message_payload(message: Message) -> dict:
    """A message as both sides see it (a deleted one is a tombstone: `text` null, `is_deleted` true)."""
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "author_id": message.author_id,
        "client_id": message.client_id,
        "text": message.text,
        "created_at": message.created_at,
        "is_deleted": message.deleted_at is not None,
    }


def conversation_views(user: User, members: list[ConversationMember]) -> list[dict]:
    """The caller's conversations (their own member rows) as they see them, in a constant number of queries: the
    other person's card (a group's: the group's), the last message (or null), how many of the others' messages
    they have not read."""
    ids = [member.conversation_id for member in members]
    if not ids:
        return []
    conversations = {c.id: c for c in db.session.scalars(select(Conversation).where(Conversation.id.in_(ids)))}
    direct = [c.id for c in conversations.values() if c.group_id is None]
    others = _other_members(user.id, direct) if direct else {}
    cards = user_cards(set(others.values()))
    group_cards = group_names({c.group_id for c in conversations.values() if c.group_id is not None})
    last = _last_messages(ids)
    unread = _unread_counts(user.id, ids)
    return [
        {
            "id": member.conversation_id,
            "other": cards.get(others.get(member.conversation_id)),
            "group": group_cards.get(conversations[member.conversation_id].group_id),
            "last_message": last.get(member.conversation_id),
            "unread_count": unread.get(member.conversation_id, 0),
            "last_activity_at": member.last_activity_at,
            "created_at": conversations[member.conversation_id].created_at,
        }
        for member in members
    ]


def _other_members(user_id: int, conversation_ids: list[int]) -> dict[int, int]:
    query = select(ConversationMember.conversation_id, ConversationMember.user_id).where(
        ConversationMember.conversation_id.in_(conversation_ids), ConversationMember.user_id != user_id
    )
    return {conversation_id: other_id for conversation_id, other_id in db.session.execute(query)}


def _last_messages(conversation_ids: list[int]) -> dict[int, dict]:
    latest = (
        select(func.max(Message.id))
        .where(Message.conversation_id.in_(conversation_ids))
        .group_by(Message.conversation_id)
        .scalar_subquery()
    )
    return {
        m.conversation_id: message_payload(m) for m in db.session.scalars(select(Message).where(Message.id.in_(latest)))
    }


def _unread_counts(user_id: int, conversation_ids: list[int]) -> dict[int, int]:
    """Per conversation: the others' messages, not deleted, past the caller's last read one."""
    me = ConversationMember
    query = (
        select(Message.conversation_id, func.count())
        .join(me, (me.conversation_id == Message.conversation_id) & (me.user_id == user_id))
        .where(
            Message.conversation_id.in_(conversation_ids),
            Message.author_id != user_id,
            Message.deleted_at.is_(None),
            Message.id > func.coalesce(me.last_read_message_id, 0),
        )
        .group_by(Message.conversation_id)
    )
    return {conversation_id: count for conversation_id, count in db.session.execute(query)}


def _view(user: User, conversation_id: int) -> dict:
    member = db.session.get(ConversationMember, (conversation_id, user.id))
    return conversation_views(user, [member])[0]


# --- conversations ------------------------------------------------------------------------------------------


def start_conversation(user: User, other_id: int) -> tuple[dict, bool]:
    """The caller's conversation with `other_id`, started now unless the two already have one; returns it and
    whether it is new. Oneself is a 422; someone absent, inactive or blocked either way is "no such user" (404)."""
    if other_id == user.id:
        raise RuleViolation("You cannot start a conversation with yourself.", field="user_id")
    other = get_user_for(user, other_id)
    key = Conversation.direct_key_of(user.id, other.id)
    conversation_id = db.session.scalar(select(Conversation.id).where(Conversation.direct_key == key))
    is_new = False
    if conversation_id is None:
        now = utcnow()
        insert = insert_ignore(Conversation, conflict_on=("direct_key",))
        conversation_id = db.session.scalar(insert.values(direct_key=key, created_at=now).returning(Conversation.id))
        if conversation_id is None:
            # The other started it at the same moment: the pair's one conversation is theirs, committed (with its
            # members) while our insert waited on the unique key.
            conversation_id = db.session.scalar(select(Conversation.id).where(Conversation.direct_key == key))
        else:
            is_new = True
            db.session.add_all(
                ConversationMember(
                    conversation_id=conversation_id, user_id=member_id, joined_at=now, last_activity_at=now
                )
                for member_id in (user.id, other.id)
            )
            db.session.flush()
    view = _view(user, conversation_id)
    db.session.commit()
    return view, is_new


def get_conversation_for(user: User, conversation_id: int, *, lock: bool = False) -> Conversation:
    """Fetch and authorise: a conversation the caller is not in does not exist for them (404)."""
    if lock:
        lock_for_write(db.session)
    query = (
        select(Conversation)
        .join(ConversationMember, ConversationMember.conversation_id == Conversation.id)
        .where(Conversation.id == conversation_id, ConversationMember.user_id == user.id)
    )
    conversation = db.session.scalar(query.with_for_update(of=Conversation) if lock else query)
    if conversation is None:
        raise NotFound("No such conversation.")
    return conversation


def join_conversation(user: User, conversation_id: int) -> dict:
    """May the caller follow this conversation live (the socket `join`)? A member, not blocked either way."""
    _writable(user, conversation_id)
    return {"conversation_id": conversation_id}


def list_conversations(user: User, paginate: Paginate) -> dict:
    """The caller's conversations, latest activity first, as `paginate` pages them (a keyset over
    `ConversationMember.last_activity_at, ConversationMember.conversation_id`)."""
    query = select(ConversationMember).where(ConversationMember.user_id == user.id)
    page = paginate(query)
    return page | {"items": conversation_views(user, page["items"])}


# --- messages -----------------------------------------------------------------------------------------------


def list_messages(user: User, conversation_id: int, paginate: Paginate, *, before: int | None = None) -> dict:
    """A conversation's history, newest first, as `paginate` pages it (a keyset over `Message.id`); `before`
    starts past a message the client has. Deleted messages are tombstones."""
    get_conversation_for(user, conversation_id)
    query = select(Message).where(Message.conversation_id == conversation_id)
    if before is not None:
        query = query.where(Message.id < before)
    page = paginate(query)
    return page | {"items": [message_payload(message) for message in page["items"]]}


def send_message(
    user: User, conversation_id: int, text: str, client_id: str, *, skip_sid: str | None = None
) -> tuple[dict, bool]:
    """Store a message and tell the conversation (after the commit); returns it and whether it is new. The same
    `client_id` again answers the first message, stored once (a 409 if that one is in another conversation)."""
    member_ids = _writable(user, conversation_id)
    now = utcnow()
    insert = insert_ignore(Message, conflict_on=("author_id", "client_id")).values(
        conversation_id=conversation_id, author_id=user.id, client_id=client_id, text=text, created_at=now
    )
    message = db.session.scalar(insert.returning(Message))
    if message is None:  # this client_id was sent before (a retry, or the same message twice at the same moment)
        return _repeat(_sent_before(user, client_id), conversation_id)
    # Both members' activity moves (the list's order); the sender has read up to their own message.
    mine = ConversationMember.user_id == user.id
    db.session.execute(
        update(ConversationMember)
        .where(ConversationMember.conversation_id == conversation_id)
        .values(
            last_activity_at=now,
            last_read_message_id=case((mine, message.id), else_=ConversationMember.last_read_message_id),
        )
    )
    _notify_absent(user, conversation_id, [m for m in member_ids if m != user.id], text)
    payload = message_payload(message)
    wire = payload | {"created_at": payload["created_at"].isoformat()}  # as the REST and the ack render it
    emit(Live.TO_CONVERSATION, conversation_id, member_ids, "message", wire, skip_sid=skip_sid)
    db.session.commit()
    return payload, True


def _sent_before(user: User, client_id: str) -> Message | None:
    return db.session.scalar(select(Message).where(Message.author_id == user.id, Message.client_id == client_id))


def _repeat(first: Message, conversation_id: int) -> tuple[dict, bool]:
    if first.conversation_id != conversation_id:
        message = "You already used this client_id for a message in another conversation."
        raise Conflict(message, {"json": {"client_id": [message]}})
    payload = message_payload(first)
    db.session.commit()  # ends the read-only transaction
    return payload, False


def _notify_absent(sender: User, conversation_id: int, recipient_ids: list[int], text: str) -> None:
    """Tell the recipients without a chat client open, unless told already since they last read: the claim of
    `is_notified` is one conditional UPDATE, so messages arriving together notify once."""
    absent = [recipient_id for recipient_id in recipient_ids if not realtime.is_in_chat(recipient_id)]
    if not absent:
        return
    claim = (
        update(ConversationMember)
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.user_id.in_(absent),
            ConversationMember.is_notified.is_(False),
        )
        .values(is_notified=True)
        .returning(ConversationMember.user_id)
    )
    claimed = list(db.session.scalars(claim))
    if claimed:
        preview = text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"
        notifications.notify(
            claimed,
            NotificationType.MESSAGE,
            f"{sender.username}: {preview}",
            actor_id=sender.id,
            target=Target("conversation", conversation_id),
        )


def delete_message(user: User, message_id: int) -> None:
    """Delete one's own message for both sides (a tombstone stays); again is a no-op. Another member's message is
    a 403; a message of a conversation the caller is not in does not exist (404)."""
    query = (
        select(Message)
        .join(ConversationMember, ConversationMember.conversation_id == Message.conversation_id)
        .where(Message.id == message_id, ConversationMember.user_id == user.id)
    )
    message = db.session.scalar(query)
    if message is None:
        raise NotFound("No such message.")
    if message.author_id != user.id:
        raise Forbidden("Only its author can delete a message.")
    deleted = db.session.execute(
        update(Message)
        .where(Message.id == message_id, Message.deleted_at.is_(None))
        .values(text=None, deleted_at=utcnow())
    )
    if deleted.rowcount == 1:
        conversation_id = message.conversation_id
        member_ids = _member_ids(conversation_id)
        payload = {"conversation_id": conversation_id, "message_id": message_id}
        emit(Live.TO_CONVERSATION, conversation_id, member_ids, "deleted", payload)
    db.session.commit()


# --- reading and typing -------------------------------------------------------------------------------------


def mark_read(user: User, conversation_id: int, message_id: int) -> dict:
    """The caller has read up to `message_id` (a message of this conversation, else 422); only ever forward.
    Reading also re-arms the "new messages" notification."""
    get_conversation_for(user, conversation_id)
    found_in = db.session.scalar(select(Message.conversation_id).where(Message.id == message_id))
    if found_in != conversation_id:
        raise RuleViolation("Not a message of this conversation.", field="message_id")
    mine = (ConversationMember.conversation_id == conversation_id) & (ConversationMember.user_id == user.id)
    db.session.execute(update(ConversationMember).where(mine).values(is_notified=False))
    moved = db.session.execute(
        update(ConversationMember)
        .where(
            mine,
            (ConversationMember.last_read_message_id.is_(None))
            | (ConversationMember.last_read_message_id < message_id),
        )
        .values(last_read_message_id=message_id)
    )
    receipt = {
        "conversation_id": conversation_id,
        "last_read_message_id": db.session.scalar(select(ConversationMember.last_read_message_id).where(mine)),
        "unread_count": _unread_counts(user.id, [conversation_id]).get(conversation_id, 0),
    }
    if moved.rowcount == 1:
        member_ids = _member_ids(conversation_id)
        payload = {"conversation_id": conversation_id, "user_id": user.id, "message_id": message_id}
        emit(Live.TO_CONVERSATION, conversation_id, member_ids, "read", payload)
    db.session.commit()
    return receipt


def signal_typing(user: User, conversation_id: int, *, skip_sid: str | None = None) -> None:
    """Tell the conversation the caller is typing: nothing is stored, so it is emitted at once."""
    member_ids = _writable(user, conversation_id)
    db.session.rollback()  # ends the read-only transaction
    realtime.emit_to_conversation(
        conversation_id,
        member_ids,
        "typing",
        {"conversation_id": conversation_id, "user_id": user.id},
        skip_sid=skip_sid,
    )


# --- rules --------------------------------------------------------------------------------------------------


def _member_ids(conversation_id: int) -> list[int]:
    query = select(ConversationMember.user_id).where(ConversationMember.conversation_id == conversation_id)
    return list(db.session.scalars(query.order_by(ConversationMember.user_id)))


def _writable(user: User, conversation_id: int) -> list[int]:
    """The members of a conversation the caller may write in: theirs (else 404), a group's or a 1:1 one with
    nobody blocked either way (else 403). One statement: every member, each with whether they and the caller are
    clear of blocks, and whether the conversation is a group's."""
    caller = _CALLER
    query = (
        select(
            ConversationMember.user_id,
            visibility.not_blocked(user, ConversationMember.user_id),
            Conversation.group_id.is_not(None),
        )
        .join(caller, (caller.conversation_id == ConversationMember.conversation_id) & (caller.user_id == user.id))
        .join(Conversation, Conversation.id == ConversationMember.conversation_id)
        .where(ConversationMember.conversation_id == conversation_id)
        .order_by(ConversationMember.user_id)
    )
    members = db.session.execute(query).all()
    if not members:
        raise NotFound("No such conversation.")
    is_group = members[0][2]
    if not is_group and not all(is_clear for member_id, is_clear, _ in members if member_id != user.id):
        raise Forbidden("You cannot message this person.")
    return [member_id for member_id, *_ in members]
