from flask.views import MethodView
from flask_jwt_extended import current_user

from app.blueprints.chat import blp
from app.blueprints.chat.schemas import (
    CONVERSATIONS,
    MESSAGES,
    ChatMessageSchema,
    ConversationCreateSchema,
    ConversationPageSchema,
    ConversationReadSchema,
    ConversationsArgsSchema,
    ConversationSchema,
    MessageCreateSchema,
    MessagePageSchema,
    MessagesArgsSchema,
    ReadReceiptSchema,
)
from app.idempotency import idempotent
from app.security import login_required, per_user_limit
from app.services import chat

NO_SUCH_CONVERSATION = "No such conversation of the caller's (one they are not in does not exist for them)."
BLOCKED = "One of the two blocked the other: the history stays readable, nothing more can be sent."


@blp.route("/conversations/")
class ConversationsView(MethodView):
    decorators = [login_required]

    @blp.arguments(ConversationsArgsSchema, location="query")
    @blp.response(200, ConversationPageSchema)
    def get(self, args):
        """List the caller's conversations, latest activity first."""
        return chat.list_conversations(current_user, CONVERSATIONS.pager(args))

    @per_user_limit("RATELIMIT_CONVERSATIONS")
    @blp.arguments(ConversationCreateSchema)
    @blp.response(201, ConversationSchema)
    @blp.alt_response(200, schema=ConversationSchema, description="The two already have one: that one.")
    @blp.alt_response(404, description="No such active user (or one blocked either way).")
    @idempotent
    def post(self, data):
        """Start a conversation with someone, or get the one the two already have."""
        view, is_new = chat.start_conversation(current_user, data["user_id"])
        return view, 201 if is_new else 200


@blp.route("/conversations/<int:conversation_id>/messages/")
class MessagesView(MethodView):
    decorators = [login_required]

    @blp.arguments(MessagesArgsSchema, location="query")
    @blp.response(200, MessagePageSchema)
    @blp.alt_response(404, description=NO_SUCH_CONVERSATION)
    def get(self, args, conversation_id):
        """List a conversation's messages, newest first (deleted ones as tombstones)."""
        return chat.list_messages(current_user, conversation_id, MESSAGES.pager(args), before=args.get("before"))

    @per_user_limit("RATELIMIT_MESSAGES")
    @blp.arguments(MessageCreateSchema)
    @blp.response(201, ChatMessageSchema)
    @blp.alt_response(200, schema=ChatMessageSchema, description="This client_id was sent before: the first message.")
    @blp.alt_response(403, description=BLOCKED)
    @blp.alt_response(404, description=NO_SUCH_CONVERSATION)
    @blp.alt_response(409, description="This client_id names a message of another conversation.")
    @idempotent
    def post(self, data, conversation_id):
        """Send a message to a conversation (the same client_id again stores nothing new)."""
        message, is_new = chat.send_message(current_user, conversation_id, data["text"], data["client_id"])
        return message, 201 if is_new else 200


@blp.route("/conversations/<int:conversation_id>/read/")
class ReadView(MethodView):
    decorators = [login_required]

    @blp.arguments(ConversationReadSchema)
    @blp.response(200, ReadReceiptSchema)
    @blp.alt_response(404, description=NO_SUCH_CONVERSATION)
    def post(self, data, conversation_id):
        """Mark a conversation read up to a message (it only ever moves forward)."""
        return chat.mark_read(current_user, conversation_id, data["message_id"])


@blp.route("/messages/<int:message_id>/")
class MessageByIdView(MethodView):
    decorators = [login_required]

    @blp.response(204)
    @blp.alt_response(403, description="Only its author deletes a message.")
    @blp.alt_response(404, description="No such message in a conversation of the caller's.")
    def delete(self, message_id):
        """Delete one's own message for both sides (a tombstone stays; again changes nothing)."""
        chat.delete_message(current_user, message_id)
