import marshmallow as ma
from marshmallow import fields, validate

from app.blueprints.common import BaseSchema, BigId, Id, Keyset, TimelineArgsSchema, not_blank, timeline_schema
from app.blueprints.shared import AuthorSchema, GroupCardSchema
from app.input_guard import NUL_MESSAGE, SURROGATE_MESSAGE
from app.models import ConversationMember, Message
from app.services.chat import MAX_TEXT

# A person's list is keyed by their member row's activity (indexed with the person); a history by the message id,
# which grows with time (indexed with the conversation).
CONVERSATIONS = Keyset("conversations", ConversationMember.last_activity_at, ConversationMember.conversation_id)
MESSAGES = Keyset("messages", Message.id)

# `$(?![\s\S])`: the true end in both Python (whose `$` also matches before a final newline) and the ECMAScript
# regex OpenAPI documents a pattern in (which has no `\Z`).
CLIENT_ID = validate.Regexp(
    r"^[A-Za-z0-9._:-]{1,64}$(?![\s\S])",
    error="1 to 64 letters, digits, '.', '_', ':' or '-': your own id for the message.",
)


def _sendable(value: str) -> None:
    """What the JSON gate refuses on REST, refused here too for Socket.IO payloads, which do not pass it."""
    if "\x00" in value:
        raise ma.ValidationError(NUL_MESSAGE)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError(SURROGATE_MESSAGE) from None


def _text() -> fields.String:
    return fields.String(
        required=True,
        validate=[_sendable, validate.Length(min=1, max=MAX_TEXT), not_blank],
        metadata={"description": f"1 to {MAX_TEXT} characters, not only spaces; stored as sent."},
    )


def _client_id() -> fields.String:
    return fields.String(
        required=True,
        validate=[_sendable, CLIENT_ID],
        metadata={
            "description": "Your own id for the message (e.g. a UUID), unique among the messages you send: sending "
            "the same one again answers the first message and stores nothing new."
        },
    )


# --- answers --------------------------------------------------------------------------------------------------


class ChatMessageSchema(ma.Schema):
    """A message as both sides see it; a deleted one is a tombstone (`text` null, `is_deleted` true)."""

    id = fields.Integer()
    conversation_id = fields.Integer()
    author_id = fields.Integer()
    client_id = fields.String()
    text = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    is_deleted = fields.Boolean()


MessagePageSchema = timeline_schema(ChatMessageSchema)


class ConversationSchema(ma.Schema):
    """A conversation as the caller sees it: the other person, the last message, what they have not read."""

    id = fields.Integer()
    other = fields.Nested(
        AuthorSchema, allow_none=True, metadata={"description": "The other person (null in a group's conversation)."}
    )
    group = fields.Nested(
        GroupCardSchema,
        allow_none=True,
        metadata={"description": "The group whose conversation this is (its members are the group's); else null."},
    )
    last_message = fields.Nested(ChatMessageSchema, allow_none=True)
    unread_count = fields.Integer(metadata={"description": "The other's messages after the caller's last read one."})
    last_activity_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()


ConversationPageSchema = timeline_schema(ConversationSchema)


class ReadReceiptSchema(ma.Schema):
    conversation_id = fields.Integer()
    last_read_message_id = fields.Integer(allow_none=True)
    unread_count = fields.Integer()


# --- requests -------------------------------------------------------------------------------------------------


class ConversationsArgsSchema(TimelineArgsSchema):
    """Latest activity first."""

    keyset = CONVERSATIONS


class MessagesArgsSchema(TimelineArgsSchema):
    """Newest first."""

    keyset = MESSAGES

    before = BigId(metadata={"description": "Only messages older than this one (an `id` the client has)."})


class ConversationCreateSchema(BaseSchema):
    user_id = Id(required=True, metadata={"description": "Whom to talk to."})


class MessageCreateSchema(BaseSchema):
    text = _text()
    client_id = _client_id()


class ConversationReadSchema(BaseSchema):
    message_id = BigId(required=True, metadata={"description": "The newest message of this conversation read."})


# --- Socket.IO payloads (app/blueprints/chat/events.py) -------------------------------------------------------
# A socket payload is JSON as the client wrote it: an id is a JSON integer (strict), never "7", 7.5 or true.


class SocketJoinSchema(BaseSchema):
    conversation_id = Id(required=True, strict=True)


class SocketMessageSchema(BaseSchema):
    conversation_id = Id(required=True, strict=True)
    client_id = _client_id()
    text = _text()


class SocketReadSchema(BaseSchema):
    conversation_id = Id(required=True, strict=True)
    message_id = BigId(required=True, strict=True)
